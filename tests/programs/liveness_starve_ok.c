/* liveness_starve_ok: a fast poller must not starve the worker forever.
 *
 * A status poller checks a "job finished" flag under job_mu every 1 ms.  The
 * worker needs about 200 lock/unlock steps (100 chunks, each committed under
 * job_mu) before it sets the flag.  Under PCT the poller may get the higher
 * priority and keep being chosen; the tool's starvation handling (fair
 * schedule after a runnable thread is passed over too long) must let the
 * worker finish, and the run must end without a report.
 *
 * Expected under the tool: no bug.
 * Build with -DTIME_DIV=100 to run natively faster.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#ifndef TIME_DIV
#define TIME_DIV 1
#endif
#define POLL_US (1000 / TIME_DIV)            /* 1 ms */
#define CHUNKS 100

static pthread_mutex_t job_mu = PTHREAD_MUTEX_INITIALIZER;
static int chunks_committed;           /* protected by job_mu */
static int job_finished;               /* protected by job_mu */

static void *status_poller_thread(void *arg)
{
    (void)arg;
    long polls = 0;
    for (;;) {
        pthread_mutex_lock(&job_mu);
        int finished = job_finished;
        pthread_mutex_unlock(&job_mu);
        if (finished)
            break;
        polls++;
        usleep(POLL_US);
    }
    return (void *)polls;
}

__attribute__((noinline)) static void commit_chunk(void)
{
    pthread_mutex_lock(&job_mu);
    chunks_committed++;
    pthread_mutex_unlock(&job_mu);
}

static void *job_worker_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < CHUNKS; i++)
        commit_chunk();
    pthread_mutex_lock(&job_mu);
    job_finished = 1;
    pthread_mutex_unlock(&job_mu);
    return NULL;
}

int main(void)
{
    pthread_t poller, worker;
    pthread_create(&poller, NULL, status_poller_thread, NULL);
    pthread_create(&worker, NULL, job_worker_thread, NULL);
    pthread_join(worker, NULL);
    pthread_join(poller, NULL);
    assert(job_finished && chunks_committed == CHUNKS);
    return 0;
}
