// cpp_ok: the C++ standard library's threading primitives.
//
// A small in-process cache service:
//  - std::thread workers bump a hit counter under std::mutex + lock_guard;
//  - a loader publishes "warm" through std::condition_variable; a waiter uses
//    wait_for(1 s, predicate) and falls back to wait(predicate) on timeout;
//  - the cache map is a std::shared_mutex: readers take shared_lock, the
//    writer unique_lock, and readers check an invariant;
//  - a checksum is computed with std::async(std::launch::async) + get();
//  - every thread has a thread_local scratch object whose destructor (run at
//    thread exit) only bumps an atomic counter, taking no locks.
// libstdc++ maps these onto pthread_create/join, pthread_mutex_*,
// pthread_cond_clockwait (wait_for), pthread_rwlock_* (shared_mutex).
//
// Expected under the tool: ok in every interleaving.
#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

namespace {

std::atomic<int> scratch_destroyed{0};

struct Scratch {
    int uses = 0;
    ~Scratch() { scratch_destroyed.fetch_add(1); } // no locks here
};
thread_local Scratch scratch;

std::mutex hits_mu;
int hits = 0; // guarded by hits_mu

std::mutex warm_mu;
std::condition_variable warm_cv;
bool warm = false; // guarded by warm_mu

std::shared_mutex cache_mu;
int cache_key = 0, cache_value = 0; // guarded by cache_mu; value == 2 * key

__attribute__((noinline)) void record_hit()
{
    scratch.uses++;
    std::lock_guard<std::mutex> guard(hits_mu);
    hits++;
}

void hit_worker()
{
    for (int i = 0; i < 2; i++)
        record_hit();
}

void cache_loader()
{
    scratch.uses++;
    {
        std::unique_lock<std::shared_mutex> lock(cache_mu);
        cache_key = 21;
        record_hit(); // scheduling point while the entry is half-written
        cache_value = 42;
    }
    {
        std::lock_guard<std::mutex> guard(warm_mu);
        warm = true;
    }
    warm_cv.notify_one();
}

void cache_reader()
{
    scratch.uses++;
    for (int i = 0; i < 2; i++) {
        std::shared_lock<std::shared_mutex> lock(cache_mu);
        assert(cache_value == 2 * cache_key && "reader saw a half-written entry");
    }
}

bool wait_until_warm()
{
    std::unique_lock<std::mutex> lock(warm_mu);
    bool in_time = warm_cv.wait_for(lock, std::chrono::seconds(1), [] { return warm; });
    if (!in_time)
        warm_cv.wait(lock, [] { return warm; }); // slow loader: keep waiting
    assert(warm);
    return in_time;
}

int checksum_task()
{
    scratch.uses++;
    std::shared_lock<std::shared_mutex> lock(cache_mu);
    return cache_value + cache_key;
}

} // namespace

int main()
{
    std::vector<std::thread> threads;
    threads.emplace_back(hit_worker);
    threads.emplace_back(hit_worker);
    threads.emplace_back(cache_loader);
    threads.emplace_back(cache_reader);

    (void)wait_until_warm();

    // After warm, the cache entry is complete.
    std::future<int> checksum = std::async(std::launch::async, checksum_task);
    int sum = checksum.get(); // also waits for the async thread to finish
    assert(sum == 63);

    for (auto &t : threads)
        t.join();

    {
        std::lock_guard<std::mutex> guard(hits_mu);
        assert(hits == 5);
    }
    // 4 std::threads + the async thread, each destroyed its thread_local.
    assert(scratch_destroyed.load() == 5);
    return 0;
}
