/* errorcheck_ok: PTHREAD_MUTEX_ERRORCHECK semantics.
 *
 * A session table is guarded by an error-checking mutex, used by defensive
 * code that relies on its error returns: relocking by the owner returns
 * EDEADLK (instead of deadlocking), unlocking by a thread that does not own
 * it returns EPERM, trylock while another thread holds it returns EBUSY.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t session_mu; /* errorcheck, initialized in main */
static int sessions;               /* protected by session_mu */

/* Runs while main holds session_mu. */
static void *intruder_thread(void *arg)
{
    (void)arg;
    assert(pthread_mutex_unlock(&session_mu) == EPERM);
    assert(pthread_mutex_trylock(&session_mu) == EBUSY);
    return NULL;
}

__attribute__((noinline)) static void add_session(void)
{
    assert(pthread_mutex_lock(&session_mu) == 0);
    /* Accidental re-entry is reported, not a deadlock. */
    assert(pthread_mutex_lock(&session_mu) == EDEADLK);
    sessions++;
    assert(pthread_mutex_unlock(&session_mu) == 0);
    /* Double unlock: we no longer own it (it is free or held by the other
     * worker), so EPERM. */
    assert(pthread_mutex_unlock(&session_mu) == EPERM);
}

static void *session_worker_thread(void *arg)
{
    (void)arg;
    add_session();
    add_session();
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&session_mu, &attr);
    pthread_mutexattr_destroy(&attr);

    /* Phase 1: main owns the mutex, another thread misuses it. */
    assert(pthread_mutex_lock(&session_mu) == 0);
    assert(pthread_mutex_lock(&session_mu) == EDEADLK);
    pthread_t intruder;
    pthread_create(&intruder, NULL, intruder_thread, NULL);
    pthread_join(intruder, NULL);
    assert(pthread_mutex_unlock(&session_mu) == 0);

    /* Phase 2: two workers with the same checks concurrently. */
    pthread_t w1, w2;
    pthread_create(&w1, NULL, session_worker_thread, NULL);
    pthread_create(&w2, NULL, session_worker_thread, NULL);
    pthread_join(w1, NULL);
    pthread_join(w2, NULL);

    assert(sessions == 4);
    assert(pthread_mutex_unlock(&session_mu) == EPERM); /* not locked */
    pthread_mutex_destroy(&session_mu);
    return 0;
}
