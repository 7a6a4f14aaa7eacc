/* missed_signal: pthread_cond_wait without a predicate.
 *
 * A job runner waits for "job finished" by calling pthread_cond_wait with no
 * flag to check.  If the worker finishes and signals before the waiter has
 * started waiting, the signal is lost and the waiter sleeps forever; main then
 * waits forever in pthread_join.
 *
 * Expected under the tool: stall (waiter blocked on done_cv that nobody will
 * signal again; main blocked joining it).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

static pthread_mutex_t done_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static int job_result;

static void *waiter_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&done_mu);
    /* BUG: no "while (!job_done)" predicate: a signal sent before this
     * point is lost. */
    pthread_cond_wait(&done_cv, &done_mu);
    int result = job_result;
    pthread_mutex_unlock(&done_mu);
    return (void *)(intptr_t)result;
}

static void *job_worker_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&done_mu);
    job_result = 42;
    pthread_cond_signal(&done_cv); /* signalled exactly once */
    pthread_mutex_unlock(&done_mu);
    return NULL;
}

int main(void)
{
    pthread_t waiter, worker;
    pthread_create(&waiter, NULL, waiter_thread, NULL);
    pthread_create(&worker, NULL, job_worker_thread, NULL);
    pthread_join(worker, NULL);
    void *result;
    pthread_join(waiter, &result);
    return (intptr_t)result == 42 ? 0 : 1;
}
