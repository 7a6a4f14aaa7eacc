/* atexit_join_ok: an atexit handler that stops and joins a thread pool.
 *
 * Like libuv's library destructor joining its threadpool, a small pool of 2
 * workers waits on a condvar for jobs or a stop flag; main queues 4 jobs and
 * simply returns 0.  The atexit handler (run by exit(), after main returns)
 * sets stop, broadcasts and joins both workers, which first drain the queue.
 * Each worker re-checks its predicate (jobs or stop) under the mutex before
 * waiting, so the broadcast cannot be lost; the handler's lock/broadcast/join
 * must run under the tool's scheduler, with the workers still running.
 *
 * Expected under the tool: ok (exit status 0) in every interleaving.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

#define WORKERS 2
#define JOBS 4

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cv = PTHREAD_COND_INITIALIZER;
static int queued;      /* protected by pool_mu: jobs not yet taken */
static int done;        /* protected by pool_mu */
static int stop;        /* protected by pool_mu */
static pthread_t workers[WORKERS];

static void *worker_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&pool_mu);
    for (;;) {
        while (queued == 0 && !stop)
            pthread_cond_wait(&pool_cv, &pool_mu);
        if (queued == 0)
            break; /* stop, and the queue is drained */
        queued--;
        pthread_mutex_unlock(&pool_mu);
        /* ... run the job ... */
        pthread_mutex_lock(&pool_mu);
        done++;
    }
    pthread_mutex_unlock(&pool_mu);
    return NULL;
}

static void pool_shutdown(void)
{
    pthread_mutex_lock(&pool_mu);
    stop = 1;
    pthread_cond_broadcast(&pool_cv);
    pthread_mutex_unlock(&pool_mu);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL);
    assert(done == JOBS && "a queued job was dropped");
}

static void submit(void)
{
    pthread_mutex_lock(&pool_mu);
    queued++;
    pthread_cond_signal(&pool_cv);
    pthread_mutex_unlock(&pool_mu);
}

int main(void)
{
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&workers[i], NULL, worker_thread, NULL);
    atexit(pool_shutdown);
    for (int i = 0; i < JOBS; i++)
        submit();
    return 0; /* exit() runs pool_shutdown */
}
