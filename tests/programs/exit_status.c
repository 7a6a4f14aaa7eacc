/* exit_status: a worker exits the process when it runs "too early".
 *
 * main creates a worker and then marks the configuration loaded.  The worker
 * checks the flag and, if it is not set yet, treats it as a fatal startup
 * error and calls exit(3).  Natively main nearly always wins the race; in
 * the other order the whole process exits with status 3.
 *
 * Expected under the tool: exit-status (3) in some interleavings.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t config_mu = PTHREAD_MUTEX_INITIALIZER;
static int config_loaded; /* protected by config_mu */

__attribute__((noinline)) static void fatal_startup_error(void)
{
    fprintf(stderr, "worker: configuration not loaded\n");
    exit(3);
}

static void *worker_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&config_mu);
    int loaded = config_loaded;
    pthread_mutex_unlock(&config_mu);
    if (!loaded)
        fatal_startup_error(); /* BUG: assumes main already loaded it */
    return NULL;
}

int main(void)
{
    pthread_t worker;
    pthread_create(&worker, NULL, worker_thread, NULL);

    /* BUG: the configuration is loaded after the worker has been started. */
    pthread_mutex_lock(&config_mu);
    config_loaded = 1;
    pthread_mutex_unlock(&config_mu);

    pthread_join(worker, NULL);
    return 0;
}
