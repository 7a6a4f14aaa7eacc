// cxx20_sync_ok: C++20 waiting primitives, all correct.
//
// std::latch, std::barrier, std::counting_semaphore, std::binary_semaphore,
// std::atomic::wait/notify and std::jthread with a stop_token: libstdc++
// implements their waits with the futex system call through syscall(), so
// without a futex model every blocked thread blocks for real (a watchdog).
// Expected: no report.
#include <atomic>
#include <barrier>
#include <cassert>
#include <latch>
#include <semaphore>
#include <thread>
#include <vector>

int main() {
  std::latch started(3);
  std::barrier round(3);
  std::counting_semaphore<2> slots(2);
  std::binary_semaphore done(0);
  std::atomic<int> phase{0}, in_slot{0}, worst{0}, finished{0};
  std::vector<std::jthread> ts;
  for (int i = 0; i < 3; i++)
    ts.emplace_back([&] {
      started.count_down();
      for (int r = 0; r < 2; r++) {
        slots.acquire();
        int now = ++in_slot;
        int w = worst.load();
        while (now > w && !worst.compare_exchange_weak(w, now)) {}
        --in_slot;
        slots.release();
        round.arrive_and_wait();
      }
      if (++finished == 3) done.release();
    });
  started.wait();
  done.acquire();
  assert(worst.load() <= 2);
  std::jthread stopper([&](std::stop_token st) {
    while (!st.stop_requested()) phase.wait(0);
  });
  stopper.request_stop();
  phase = 1;
  phase.notify_all();
  return 0;
}
