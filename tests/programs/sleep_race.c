/* sleep_race: synchronization by sleeping "long enough".
 *
 * A loader thread needs about 30 s to load its data and then publishes
 * ready = 1.  main, instead of waiting for the flag, sleeps 30 s ("surely it
 * is done by then") and asserts the data is ready.  Both deadlines are 30 s
 * after start, so either may expire first: natively it passes by luck of
 * timing.  Under virtual time the tool should find the bad order quickly
 * (without actually sleeping).
 *
 * Expected under the tool: assertion failure.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t ready_mu = PTHREAD_MUTEX_INITIALIZER;
static int ready;

__attribute__((noinline)) static void load_data(void)
{
    sleep(30); /* the slow part: 30 s of loading */
}

static void *loader_thread(void *arg)
{
    (void)arg;
    load_data();
    pthread_mutex_lock(&ready_mu);
    ready = 1;
    pthread_mutex_unlock(&ready_mu);
    return NULL;
}

int main(void)
{
    pthread_t loader;
    pthread_create(&loader, NULL, loader_thread, NULL);

    /* BUG: "30 s is long enough for the loader" -- nothing guarantees it. */
    sleep(30);

    pthread_mutex_lock(&ready_mu);
    int is_ready = ready;
    pthread_mutex_unlock(&ready_mu);
    assert(is_ready && "data not loaded after 30 s");

    pthread_join(loader, NULL);
    return 0;
}
