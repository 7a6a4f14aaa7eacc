/* liveness_poller_ok: a poller that sleeps between checks is slow, not stuck.
 *
 * A supervisor polls a "warmup complete" flag (read under a mutex) every
 * 10 ms.  The warmup thread sets it after 500 ticks of its own 100 ms timer,
 * i.e. after 50 s of virtual time.  main joins both for those 50 s: it waits
 * on threads that are in timed waits, so nothing here may be reported.
 *
 * Expected under the tool: no bug.
 * Build with -DTIME_DIV=100 to run natively 100x faster.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#ifndef TIME_DIV
#define TIME_DIV 1
#endif
#define POLL_US (10000 / TIME_DIV)           /* 10 ms */
#define TICK_US (100000 / TIME_DIV)          /* 100 ms */
#define WARMUP_TICKS 500                     /* 50 s */

static pthread_mutex_t warmup_mu = PTHREAD_MUTEX_INITIALIZER;
static int warmup_done;                /* protected by warmup_mu */
static int warmup_progress;            /* protected by warmup_mu */

__attribute__((noinline)) static int warmup_complete(void)
{
    pthread_mutex_lock(&warmup_mu);
    int done = warmup_done;
    pthread_mutex_unlock(&warmup_mu);
    return done;
}

static void *supervisor_poller_thread(void *arg)
{
    (void)arg;
    while (!warmup_complete())
        usleep(POLL_US);
    return NULL;
}

static void *warmup_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < WARMUP_TICKS; i++)
        usleep(TICK_US);
    pthread_mutex_lock(&warmup_mu);
    warmup_progress = WARMUP_TICKS;
    warmup_done = 1;
    pthread_mutex_unlock(&warmup_mu);
    return NULL;
}

int main(void)
{
    pthread_t poller, warmer;
    pthread_create(&poller, NULL, supervisor_poller_thread, NULL);
    pthread_create(&warmer, NULL, warmup_thread, NULL);
    pthread_join(poller, NULL);
    pthread_join(warmer, NULL);
    assert(warmup_done && warmup_progress == WARMUP_TICKS);
    return 0;
}
