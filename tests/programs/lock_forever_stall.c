/* lock_forever_stall: a semaphore that one code path forgets to post.
 *
 * main hands a job to an encoder worker by posting job_sem -- except on the
 * "cache already warm" path, which returns early without posting (BUG).  The
 * cache is marked warm by a heartbeat thread on its first beat, so whether
 * main takes the bad path depends on the interleaving.  The heartbeat keeps
 * running for a bounded number of timed sleeps and then exits; from then on
 * nobody can ever post job_sem: the encoder (and main, joining it) wait
 * forever.  While the heartbeat is still ticking the program is not yet
 * provably stuck.
 *
 * Expected under the tool: stall.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

#define HEARTBEATS 20

static sem_t job_sem;
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static int cache_warm;  /* protected by cache_mu */
static int beats;       /* protected by cache_mu */
static int jobs_done;   /* written by encoder, read after join */

static void *heartbeat_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cache_mu);
    cache_warm = 1;
    pthread_mutex_unlock(&cache_mu);
    for (int i = 0; i < HEARTBEATS; i++) {
        usleep(50 * 1000); /* 50 ms between beats */
        pthread_mutex_lock(&cache_mu);
        beats++;
        pthread_mutex_unlock(&cache_mu);
    }
    return NULL;
}

static void *encoder_thread(void *arg)
{
    (void)arg;
    while (sem_wait(&job_sem) != 0 && errno == EINTR)
        ;
    jobs_done++;
    return NULL;
}

__attribute__((noinline)) static void submit_job(void)
{
    pthread_mutex_lock(&cache_mu);
    int warm = cache_warm;
    pthread_mutex_unlock(&cache_mu);
    if (warm)
        return; /* BUG: fast path forgets sem_post(&job_sem) */
    sem_post(&job_sem);
}

int main(void)
{
    sem_init(&job_sem, 0, 0);
    pthread_t heartbeat, encoder;
    pthread_create(&heartbeat, NULL, heartbeat_thread, NULL);
    pthread_create(&encoder, NULL, encoder_thread, NULL);

    submit_job();

    pthread_join(encoder, NULL);
    pthread_join(heartbeat, NULL);
    return jobs_done == 1 ? 0 : 1;
}
