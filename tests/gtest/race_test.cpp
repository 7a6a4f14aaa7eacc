// race_test.cpp: a GoogleTest binary for `interleave gtest` (tests/run.sh,
// `want gtest`).  Three tests: a correct threaded one, one with a lost
// update that its EXPECT_EQ catches only under some interleavings (natively
// it nearly always passes), and one without threads.  Only
// Counter.LostUpdate may be reported.
#include <gtest/gtest.h>
#include <mutex>
#include <thread>

namespace {

struct Account {
  std::mutex mu;
  int balance = 0;
  int get() { std::lock_guard<std::mutex> g(mu); return balance; }
  void set(int v) { std::lock_guard<std::mutex> g(mu); balance = v; }
  void add(int d) { std::lock_guard<std::mutex> g(mu); balance += d; }
};

// The read and the write are each locked, but not together: another
// deposit between them is overwritten.
TEST(Counter, LostUpdate) {
  Account a;
  auto deposit = [&a] { a.set(a.get() + 1); };
  std::thread t1(deposit), t2(deposit);
  t1.join();
  t2.join();
  EXPECT_EQ(a.get(), 2) << "a deposit was lost";
}

// The fix: one critical section per deposit.
TEST(Counter, LockedIncrement) {
  Account a;
  auto deposit = [&a] { for (int i = 0; i < 3; i++) a.add(1); };
  std::thread t1(deposit), t2(deposit);
  t1.join();
  t2.join();
  EXPECT_EQ(a.get(), 6);
}

TEST(Arithmetic, NoThreads) {
  EXPECT_EQ(2 + 2, 4);
}

}  // namespace
