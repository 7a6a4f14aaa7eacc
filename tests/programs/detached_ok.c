/* detached_ok: completion of a detached thread reported via a semaphore.
 *
 * A fire-and-forget flusher thread is created detached; when it has written
 * its data it posts flush_done.  main waits on the semaphore (not join) and
 * returns, possibly while the detached thread is still exiting.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t flush_done;
static pthread_mutex_t journal_mu = PTHREAD_MUTEX_INITIALIZER;
static int journal_flushed; /* protected by journal_mu */

static void *flusher_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&journal_mu);
    journal_flushed = 1;
    pthread_mutex_unlock(&journal_mu);
    sem_post(&flush_done);
    return NULL;
}

int main(void)
{
    sem_init(&flush_done, 0, 0);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t flusher;
    int rc = pthread_create(&flusher, &attr, flusher_thread, NULL);
    assert(rc == 0);
    pthread_attr_destroy(&attr);

    while (sem_wait(&flush_done) != 0)
        assert(errno == EINTR);

    pthread_mutex_lock(&journal_mu);
    assert(journal_flushed);
    pthread_mutex_unlock(&journal_mu);
    return 0;
}
