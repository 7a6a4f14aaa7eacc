// cpp_lost_update: lost_update with std::mutex and std::thread.
//
// get_balance() and set_balance() each lock balance_mu, but a deposit reads
// and writes back in two separate critical sections, so two concurrent
// deposits can lose an increment.
//
// Expected under the tool: assertion failure (balance == 1).
#include <cassert>
#include <mutex>
#include <thread>

namespace {

std::mutex balance_mu;
int balance = 0; // guarded by balance_mu

__attribute__((noinline)) int get_balance()
{
    std::lock_guard<std::mutex> guard(balance_mu);
    return balance;
}

__attribute__((noinline)) void set_balance(int value)
{
    std::lock_guard<std::mutex> guard(balance_mu);
    balance = value;
}

// BUG: check-then-act across two critical sections.
void deposit()
{
    int tmp = get_balance();
    set_balance(tmp + 1);
}

} // namespace

int main()
{
    std::thread d1(deposit), d2(deposit);
    d1.join();
    d2.join();
    int final_balance = get_balance();
    assert(final_balance == 2 && "a deposit was lost");
    return 0;
}
