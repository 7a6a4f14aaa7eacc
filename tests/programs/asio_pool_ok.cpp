// asio_pool_ok: a Boost.Asio thread pool with a strand and a steady_timer.
//
// Ten handlers posted to a strand on a 3-thread pool (the strand runs them
// one at a time, so the counter needs no lock) and a 20 ms steady_timer on
// the same strand.  Asio waits in epoll on a timerfd and an eventfd: its
// timer fires on interleave's virtual clock.  Correct.  Expected: no report.
#include <boost/asio.hpp>
#include <cassert>
#include <chrono>

int main() {
  boost::asio::thread_pool pool(3);
  auto strand = boost::asio::make_strand(pool);
  int counter = 0; // only touched on the strand
  for (int i = 0; i < 10; i++) boost::asio::post(strand, [&] { counter++; });
  boost::asio::steady_timer timer(strand, std::chrono::milliseconds(20));
  bool fired = false;
  timer.async_wait([&](const boost::system::error_code &ec) {
    assert(!ec);
    fired = counter == 10;
  });
  pool.join();
  assert(counter == 10 && fired);
  return 0;
}
