// tls_dtor_cpp_ok: C++ thread_local destructors that lock and notify.
//
// Each of 3 std::thread workers touches a thread_local Connection; its
// destructor -- run as the thread exits, after the thread function returns
// -- returns the connection to the pool: it locks pool_mu (std::mutex),
// increments returned and notifies returned_cv (std::condition_variable).
// Main waits with wait(lock, predicate) until all 3 are returned, then joins
// the workers.  Every destructor runs and notifies after updating the count
// under the mutex, so main always wakes: no lost wake-up, no stall.  The
// destructors must run under the tool's scheduler.
//
// Expected under the tool: ok in every interleaving.
#include <cassert>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr int kWorkers = 3;

std::mutex pool_mu;
std::condition_variable returned_cv;
int returned = 0;     // guarded by pool_mu
int queries = 0;      // guarded by pool_mu

struct Connection {
    int used = 0;
    ~Connection()
    {
        std::lock_guard<std::mutex> lk(pool_mu);
        queries += used;
        returned++;
        returned_cv.notify_one();
    }
};

thread_local Connection conn;

void worker(int id)
{
    for (int i = 0; i <= id; i++)
        conn.used++;
}   // conn.~Connection() runs at thread exit

}  // namespace

int main()
{
    std::vector<std::thread> workers;
    for (int i = 0; i < kWorkers; i++)
        workers.emplace_back(worker, i);
    {
        std::unique_lock<std::mutex> lk(pool_mu);
        returned_cv.wait(lk, [] { return returned == kWorkers; });
        assert(queries == 1 + 2 + 3);
    }
    for (auto &t : workers)
        t.join();
    return 0;
}
