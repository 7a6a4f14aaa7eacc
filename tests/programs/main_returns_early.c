/* main_returns_early: returning from main with a blocked background thread.
 *
 * A detached housekeeping thread waits on shutdown_cv for a shutdown request
 * that never comes (the program simply returns from main, as many daemons'
 * short-lived commands do).  Returning from main calls exit(), which ends all
 * threads: this is not a stall and not a bug.  main first waits until the
 * housekeeper has started, so it is (about to be) blocked in cond_wait.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t house_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t shutdown_cv = PTHREAD_COND_INITIALIZER;
static int started;            /* protected by house_mu */
static int shutdown_requested; /* protected by house_mu; never set */

static void *housekeeper_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&house_mu);
    started = 1;
    pthread_cond_signal(&started_cv);
    while (!shutdown_requested)
        pthread_cond_wait(&shutdown_cv, &house_mu);
    pthread_mutex_unlock(&house_mu);
    return NULL;
}

int main(void)
{
    pthread_t housekeeper;
    pthread_create(&housekeeper, NULL, housekeeper_thread, NULL);
    pthread_detach(housekeeper);

    pthread_mutex_lock(&house_mu);
    while (!started)
        pthread_cond_wait(&started_cv, &house_mu);
    pthread_mutex_unlock(&house_mu);
    return 0; /* exit() ends the still-waiting housekeeper */
}
