/* dfs_disjoint_ok: three threads, each counting under its own mutex.
 *
 * No two threads touch the same object; only main's creates (global)
 * and joins (each of one thread's exit) order them.  The partial-order
 * reduction of `--strategy dfs` runs 1, 10 and 90 schedules with 0, 1
 * and 2 preemptions, where a search with sleep sets alone ran 13, 366
 * and 5,949 (tests/run.sh: want dfs checks the counts).
 */
#include <assert.h>
#include <pthread.h>

static pthread_mutex_t mu[3] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER};
static int count[3];

static void *counter(void *arg)
{
    int i = (int)(long)arg;
    for (int k = 0; k < 3; k++) {
        pthread_mutex_lock(&mu[i]);
        count[i]++;
        pthread_mutex_unlock(&mu[i]);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[3];
    for (long i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, counter, (void *)i);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++)
        assert(count[i] == 3);
    return 0;
}
