/* dfs_counter_ok: the fixed lost_update, for the bounded search.
 *
 * Three threads each add 2 to a counter, every read-modify-write inside
 * one critical section.  No schedule loses an increment, so
 * `--strategy dfs --preemptions K` must end "verified", and the number of
 * schedules it explores is a fixed function of K (tests/run.sh checks it).
 */
#include <assert.h>
#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int counter;

static void *adder(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, adder, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_lock(&mu);
    int total = counter;
    pthread_mutex_unlock(&mu);
    assert(total == 6 && "an increment was lost");
    return 0;
}
