/* null_deref: a pointer republished in two steps.
 *
 * A reloader swaps the active config by first clearing the published pointer
 * ("no config while we rebuild") and then publishing the new one, in two
 * separate critical sections.  A request handler reads the pointer under the
 * lock -- so each access is race-free -- but does not expect NULL.  If it
 * runs between the two steps it dereferences NULL: SIGSEGV.
 *
 * Expected under the tool: crash (SIGSEGV).
 */
#include <pthread.h>
#include <stdio.h>

struct config {
    int version;
    int max_connections;
};

static pthread_mutex_t config_mu = PTHREAD_MUTEX_INITIALIZER;
static struct config initial_config = {1, 10};
static struct config reloaded_config;
static struct config *active_config = &initial_config; /* protected by config_mu */

__attribute__((noinline)) static void publish_config(struct config *c)
{
    pthread_mutex_lock(&config_mu);
    active_config = c;
    pthread_mutex_unlock(&config_mu);
}

static void *reloader_thread(void *arg)
{
    (void)arg;
    publish_config(NULL); /* BUG: a window with no config */
    reloaded_config.version = 2;
    reloaded_config.max_connections = 20;
    publish_config(&reloaded_config);
    return NULL;
}

__attribute__((noinline)) static struct config *current_config(void)
{
    pthread_mutex_lock(&config_mu);
    struct config *c = active_config;
    pthread_mutex_unlock(&config_mu);
    return c;
}

static void *request_thread(void *arg)
{
    (void)arg;
    struct config *c = current_config();
    /* BUG: no NULL check: crashes if we run inside the reload window. */
    int limit = c->max_connections;
    return limit > 0 ? NULL : (void *)1;
}

int main(void)
{
    pthread_t reloader, request;
    pthread_create(&reloader, NULL, reloader_thread, NULL);
    pthread_create(&request, NULL, request_thread, NULL);
    void *r;
    pthread_join(request, &r);
    pthread_join(reloader, NULL);
    return r == NULL ? 0 : 1;
}
