/* timeout_race: a timeout that "never fires in practice".
 *
 * A supervisor starts a worker and waits up to 2 s for its "started" report
 * with pthread_cond_timedwait, treating a timeout as fatal.  The worker only
 * does a couple of short locked steps before reporting, so natively it always
 * reports within microseconds -- but nothing guarantees the worker is
 * scheduled before the deadline (a loaded machine, a paused VM).  The tool
 * must consider the timeout expiring before the worker runs.
 *
 * Expected under the tool: assertion failure.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t step_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t report_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t report_cv = PTHREAD_COND_INITIALIZER;
static int init_steps;   /* protected by step_mu */
static int reported;     /* protected by report_mu */

__attribute__((noinline)) static void init_step(void)
{
    pthread_mutex_lock(&step_mu);
    init_steps++;
    pthread_mutex_unlock(&step_mu);
}

static void *worker_thread(void *arg)
{
    (void)arg;
    init_step();
    init_step();
    pthread_mutex_lock(&report_mu);
    reported = 1;
    pthread_cond_signal(&report_cv);
    pthread_mutex_unlock(&report_mu);
    return NULL;
}

int main(void)
{
    pthread_t worker;
    pthread_create(&worker, NULL, worker_thread, NULL);

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 2;

    pthread_mutex_lock(&report_mu);
    int timed_out = 0;
    while (!reported) {
        int rc = pthread_cond_timedwait(&report_cv, &report_mu, &deadline);
        if (rc == ETIMEDOUT) {
            timed_out = !reported;
            break;
        }
    }
    pthread_mutex_unlock(&report_mu);

    /* BUG: assumes the worker always gets scheduled within 2 s. */
    assert(!timed_out && "worker did not report within 2 s");

    pthread_join(worker, NULL);
    return 0;
}
