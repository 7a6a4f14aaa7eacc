/* liveness_sleep_long_ok: long sleeps before a signal are not stalls.
 *
 * Two "slow backend" pairs: a backend thread sleeps (59 s for the cache
 * rebuild, 90 s for the index rebuild -- the latter longer than the default
 * --stall-timeout) and then sets its flag and signals a condvar; a waiter
 * waits for it in a proper predicate loop (main for the cache, a separate
 * thread for the index).  A ticker wakes every 100 ms meanwhile.  The index
 * waiter is blocked without a deadline for 90 s while others keep running,
 * but the backend that will signal it is active (in a timed sleep), so the
 * tool's fair continuation sees it wake: nothing may be reported.
 *
 * Expected under the tool: no bug.
 * Build with -DTIME_DIV=100 to run natively 100x faster.
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#ifndef TIME_DIV
#define TIME_DIV 1
#endif
#define TICK_US (100000 / TIME_DIV)          /* 100 ms */
#define MAX_TICKS 6000                       /* 10 minutes of ticks */

struct rebuild {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;                          /* protected by mu */
    long sleep_ms;
};

static struct rebuild cache_rebuild = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 59000 };
static struct rebuild index_rebuild = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 90000 };

static pthread_mutex_t ticker_mu = PTHREAD_MUTEX_INITIALIZER;
static long ticker_ticks;              /* protected by ticker_mu */
static atomic_int ticker_stop;

static void *ticker_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < MAX_TICKS && !atomic_load(&ticker_stop); i++) {
        usleep(TICK_US);
        pthread_mutex_lock(&ticker_mu);
        ticker_ticks++;
        pthread_mutex_unlock(&ticker_mu);
    }
    return NULL;
}

__attribute__((noinline)) static void slow_backend_sleep(long ms)
{
    long us = ms * 1000 / TIME_DIV;
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void *slow_backend_thread(void *arg)
{
    struct rebuild *r = arg;
    slow_backend_sleep(r->sleep_ms);
    pthread_mutex_lock(&r->mu);
    r->done = 1;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

__attribute__((noinline)) static void wait_rebuild(struct rebuild *r)
{
    pthread_mutex_lock(&r->mu);
    while (!r->done)
        pthread_cond_wait(&r->cv, &r->mu);
    pthread_mutex_unlock(&r->mu);
}

static void *index_waiter_thread(void *arg)
{
    (void)arg;
    wait_rebuild(&index_rebuild);
    return NULL;
}

int main(void)
{
    pthread_t ticker, cache_backend, index_backend, index_waiter;
    pthread_create(&ticker, NULL, ticker_thread, NULL);
    pthread_create(&cache_backend, NULL, slow_backend_thread, &cache_rebuild);
    pthread_create(&index_backend, NULL, slow_backend_thread, &index_rebuild);
    pthread_create(&index_waiter, NULL, index_waiter_thread, NULL);

    wait_rebuild(&cache_rebuild);

    pthread_join(index_waiter, NULL);
    pthread_join(index_backend, NULL);
    pthread_join(cache_backend, NULL);
    atomic_store(&ticker_stop, 1);
    pthread_join(ticker, NULL);
    assert(cache_rebuild.done && index_rebuild.done);
    return 0;
}
