// cxx20_latch_bug: a readiness latch counted down before the data is
// published.
//
// The loader counts the latch down to say "config ready" and only then
// fills in the config (BUG: the order is swapped); the reader waits on the
// latch and reads the config.  Natively the window is a few instructions;
// under the tool the reader may run right after the count_down.  The
// config is guarded by a mutex (no data race, just the wrong order).
// Expected: assertion failure.
#include <cassert>
#include <latch>
#include <mutex>
#include <thread>

static std::mutex mu;
static int config_version = 0; // protected by mu

int main() {
  std::latch ready(1);
  std::thread loader([&] {
    ready.count_down(); // BUG: before the data it announces
    std::lock_guard<std::mutex> g(mu);
    config_version = 7;
  });
  ready.wait();
  int v;
  {
    std::lock_guard<std::mutex> g(mu);
    v = config_version;
  }
  assert(v == 7 && "read the config before it was published");
  loader.join();
  return 0;
}
