/* lateness_budget_ok: a latency budget far above any plausible lateness.
 *
 * A request handler times one cache lookup with CLOCK_MONOTONIC and asserts
 * it took less than 200 ms.  The lookup takes cache_mu, which a janitor
 * thread also takes every 1 ms for its 10 sweeps; a heartbeat thread ticks
 * every 1 ms (its own mutex) until the request is done.  No thread sleeps
 * while holding cache_mu, and the janitor's contention is bounded: even if
 * every thread is kept off the CPU for the tool's whole --max-delay (10 ms)
 * at every turn, the lookup waits at most 10 ms plus 10 sweeps of
 * (1 ms + 10 ms) = 120 ms.  Natively it takes microseconds.
 *
 * Only unbounded lateness (--max-delay inf: the heartbeat's timers firing
 * for 200 ms while the handler is runnable) could break the budget.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#define SWEEPS 10
#define MAX_TICKS 5000
#define BUDGET_NS (200 * 1000000LL)  /* 200 ms */
#define ENTRIES 8

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static int cache_key[ENTRIES];       /* protected by cache_mu */
static int cache_val[ENTRIES];       /* protected by cache_mu */
static int cache_age[ENTRIES];       /* protected by cache_mu */

static pthread_mutex_t stats_mu = PTHREAD_MUTEX_INITIALIZER;
static int ticks;                    /* protected by stats_mu */
static int stopping;                 /* protected by stats_mu */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *janitor_thread(void *arg)
{
    (void)arg;
    for (int s = 0; s < SWEEPS; s++) {
        usleep(1000);
        pthread_mutex_lock(&cache_mu);
        for (int i = 0; i < ENTRIES; i++)
            cache_age[i]++;
        pthread_mutex_unlock(&cache_mu);
    }
    return NULL;
}

static void *heartbeat_thread(void *arg)
{
    (void)arg;
    for (int t = 0; t < MAX_TICKS; t++) {
        usleep(1000);
        pthread_mutex_lock(&stats_mu);
        ticks++;
        int stop = stopping;
        pthread_mutex_unlock(&stats_mu);
        if (stop)
            break;
    }
    return NULL;
}

__attribute__((noinline)) static int lookup(int key)
{
    pthread_mutex_lock(&cache_mu);
    int val = -1;
    for (int i = 0; i < ENTRIES; i++)
        if (cache_key[i] == key) {
            val = cache_val[i];
            cache_age[i] = 0;
        }
    pthread_mutex_unlock(&cache_mu);
    return val;
}

int main(void)
{
    for (int i = 0; i < ENTRIES; i++) {
        cache_key[i] = 100 + i;
        cache_val[i] = i * i;
    }
    pthread_t janitor, heartbeat;
    pthread_create(&janitor, NULL, janitor_thread, NULL);
    pthread_create(&heartbeat, NULL, heartbeat_thread, NULL);

    int64_t t0 = now_ns();
    int val = lookup(103);
    int64_t elapsed = now_ns() - t0;
    assert(val == 9);
    assert(elapsed < BUDGET_NS && "lookup exceeded its 200 ms budget");

    pthread_mutex_lock(&stats_mu);
    stopping = 1;
    pthread_mutex_unlock(&stats_mu);
    pthread_join(janitor, NULL);
    pthread_join(heartbeat, NULL);
    return 0;
}
