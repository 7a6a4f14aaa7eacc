/* tls_dtor_signal_ok: thread-specific-data destructors that lock and signal.
 *
 * Each of 3 detached workers stores a per-thread session object under a
 * pthread_key_t whose destructor -- run by the thread library as the thread
 * exits -- closes the session: it locks sessions_mu, increments
 * sessions_closed and signals closed_cv.  Main waits (no timeout, predicate
 * loop) until all 3 sessions are closed.  Every worker's destructor runs, and
 * each increment is followed by a signal under the mutex, so main always
 * wakes up: no lost wake-up, no stall.  The destructors' lock/signal must run
 * under the tool's scheduler like any other code of the thread.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

#define WORKERS 3

struct session {
    int id;
    int requests;
};

static pthread_key_t session_key;
static pthread_mutex_t sessions_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t closed_cv = PTHREAD_COND_INITIALIZER;
static int sessions_closed;   /* protected by sessions_mu */
static int requests_total;    /* protected by sessions_mu */

/* Runs at thread exit, in the exiting thread. */
static void close_session(void *p)
{
    struct session *s = p;
    pthread_mutex_lock(&sessions_mu);
    requests_total += s->requests;
    sessions_closed++;
    pthread_cond_signal(&closed_cv);
    pthread_mutex_unlock(&sessions_mu);
    free(s);
}

static void *worker_thread(void *arg)
{
    struct session *s = malloc(sizeof *s);
    assert(s);
    s->id = (int)(long)arg;
    s->requests = 0;
    pthread_setspecific(session_key, s);
    for (int i = 0; i <= s->id; i++)
        s->requests++;
    return NULL; /* close_session(s) runs now */
}

int main(void)
{
    pthread_key_create(&session_key, close_session);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (long i = 0; i < WORKERS; i++) {
        pthread_t t;
        pthread_create(&t, &attr, worker_thread, (void *)i);
    }
    pthread_attr_destroy(&attr);

    pthread_mutex_lock(&sessions_mu);
    while (sessions_closed < WORKERS)
        pthread_cond_wait(&closed_cv, &sessions_mu);
    assert(requests_total == 1 + 2 + 3);
    pthread_mutex_unlock(&sessions_mu);
    return 0;
}
