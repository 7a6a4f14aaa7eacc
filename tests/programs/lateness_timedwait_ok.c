/* lateness_timedwait_ok: a 2 s timeout that only fires if a thread is 2 s late.
 *
 * A supervisor starts a worker and waits up to 2 s for its "ready" report
 * with pthread_cond_timedwait in a predicate loop, treating a timeout as
 * fatal.  The worker sleeps 100 us, then sets the flag and broadcasts under
 * the mutex.  The worker is runnable from 100 us on, so the deadline can only
 * win if the worker is kept off the CPU for almost 2 s -- far beyond the
 * tool's bounded lateness (--max-delay, default 10 ms).  With bounded
 * lateness the virtual clock never reaches 2 s before the worker reports.
 *
 * (Compare timeout_race, whose 2 s timeout is also "impossible" natively; it
 * is a bug only when lateness is unbounded, --max-delay inf.)
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t ready_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static int ready; /* protected by ready_mu */

static void *worker_thread(void *arg)
{
    (void)arg;
    usleep(100); /* 100 us of start-up */
    pthread_mutex_lock(&ready_mu);
    ready = 1;
    pthread_cond_broadcast(&ready_cv);
    pthread_mutex_unlock(&ready_mu);
    return NULL;
}

/* Returns 1 if the worker reported before the 2 s deadline. */
__attribute__((noinline)) static int wait_ready(void)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 2;

    pthread_mutex_lock(&ready_mu);
    int rc = 0;
    while (!ready && rc != ETIMEDOUT) {
        rc = pthread_cond_timedwait(&ready_cv, &ready_mu, &deadline);
        assert(rc == 0 || rc == ETIMEDOUT);
    }
    int got = ready;
    pthread_mutex_unlock(&ready_mu);
    return got;
}

int main(void)
{
    pthread_t worker;
    pthread_create(&worker, NULL, worker_thread, NULL);
    int in_time = wait_ready();
    assert(in_time && "worker did not report within 2 s");
    pthread_join(worker, NULL);
    return 0;
}
