/* once_ok: lazy initialization with pthread_once.
 *
 * Three request threads all need the global config; each calls
 * pthread_once(&config_once, init_config) first.  init_config takes a lock
 * for logging partway through (a scheduling point in the middle of
 * initialization), so the other callers must wait for it to finish.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int init_runs;    /* only written inside init_config */
static int config_ready;
static int config_port;
static int log_lines;    /* protected by log_mu */

__attribute__((noinline)) static void log_line(void)
{
    pthread_mutex_lock(&log_mu);
    log_lines++;
    pthread_mutex_unlock(&log_mu);
}

static void init_config(void)
{
    init_runs++;
    config_port = 8080;
    log_line(); /* half-initialized here */
    config_ready = 1;
}

static void *request_thread(void *arg)
{
    (void)arg;
    pthread_once(&config_once, init_config);
    assert(config_ready && config_port == 8080 && "config used before init");
    assert(init_runs == 1);
    return NULL;
}

int main(void)
{
    pthread_t requests[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&requests[i], NULL, request_thread, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(requests[i], NULL);
    assert(init_runs == 1);
    assert(log_lines == 1);
    return 0;
}
