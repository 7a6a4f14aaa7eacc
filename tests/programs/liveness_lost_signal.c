/* liveness_lost_signal: a lost condition-variable signal while a ticker keeps
 * the process busy.
 *
 * A config reloader thread waits for "new config published" with a bare
 * pthread_cond_wait (no predicate).  The publisher signals exactly once; when
 * it runs first, the signal is lost and the reloader sleeps forever; main then
 * waits forever joining it.  Meanwhile a stats ticker wakes every 100 ms
 * until main tells it to stop -- or, as a safety net, after 10 minutes -- so
 * the process never looks idle: only the liveness rule (a thread blocked with
 * no deadline for --stall-timeout while others keep running) can catch it.
 *
 * Expected under the tool: stall (reloader_thread in cond_wait on config_cv).
 * Build with -DTIME_DIV=100 to run natively 100x faster.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#ifndef TIME_DIV
#define TIME_DIV 1
#endif
#define TICK_US (100000 / TIME_DIV)          /* 100 ms */
#define MAX_TICKS 6000                       /* 10 minutes of ticks */

static pthread_mutex_t config_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t config_cv = PTHREAD_COND_INITIALIZER;
static int config_version;             /* protected by config_mu */
static pthread_mutex_t stats_mu = PTHREAD_MUTEX_INITIALIZER;
static long stats_ticks;               /* protected by stats_mu */
static atomic_int ticker_stop;

static void *stats_ticker_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < MAX_TICKS && !atomic_load(&ticker_stop); i++) {
        usleep(TICK_US);
        pthread_mutex_lock(&stats_mu);
        stats_ticks++;
        pthread_mutex_unlock(&stats_mu);
    }
    return NULL;
}

static void *reloader_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&config_mu);
    /* BUG: no "while (config_version == 0)" predicate: a signal sent before
     * this wait starts is lost. */
    pthread_cond_wait(&config_cv, &config_mu);
    int seen = config_version;
    pthread_mutex_unlock(&config_mu);
    return seen == 1 ? (void *)1 : NULL;
}

__attribute__((noinline)) static void publish_config(void)
{
    pthread_mutex_lock(&config_mu);
    config_version = 1;
    pthread_cond_signal(&config_cv); /* signalled exactly once */
    pthread_mutex_unlock(&config_mu);
}

static void *publisher_thread(void *arg)
{
    (void)arg;
    publish_config();
    return NULL;
}

int main(void)
{
    pthread_t ticker, reloader, publisher;
    pthread_create(&ticker, NULL, stats_ticker_thread, NULL);
    pthread_create(&reloader, NULL, reloader_thread, NULL);
    pthread_create(&publisher, NULL, publisher_thread, NULL);
    pthread_join(publisher, NULL);
    void *reloaded;
    pthread_join(reloader, &reloaded);
    atomic_store(&ticker_stop, 1);
    pthread_join(ticker, NULL);
    return reloaded ? 0 : 1;
}
