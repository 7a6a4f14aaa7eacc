/* self_deadlock: a thread relocks a default (non-recursive) mutex it holds.
 *
 * config_update() takes config_mu and calls validate_config(), which was
 * later changed to take config_mu itself (it is also called from places that
 * do not hold the lock).  With a default mutex the second lock blocks forever.
 *
 * Expected under the tool: deadlock (thread waiting for a mutex it owns).
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t config_mu = PTHREAD_MUTEX_INITIALIZER;
static int config_version;

__attribute__((noinline)) static int validate_config(void)
{
    pthread_mutex_lock(&config_mu); /* BUG: caller already holds config_mu */
    int ok = config_version >= 0;
    pthread_mutex_unlock(&config_mu);
    return ok;
}

__attribute__((noinline)) static void config_update(void)
{
    pthread_mutex_lock(&config_mu);
    config_version++;
    if (!validate_config())
        config_version--;
    pthread_mutex_unlock(&config_mu);
}

static void *config_updater_thread(void *arg)
{
    (void)arg;
    config_update();
    return NULL;
}

int main(void)
{
    pthread_t updater;
    pthread_create(&updater, NULL, config_updater_thread, NULL);
    pthread_join(updater, NULL);
    return config_version == 1 ? 0 : 1;
}
