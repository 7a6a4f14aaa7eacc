/* dfs_clock_bug: two clock reads in code between scheduling points.
 *
 * Every read moves the virtual clock (1 us), so the thread that reads
 * second sees the later time: the two transitions do not commute,
 * although neither touches an object the other does.  The runtime flags a
 * transition that moved the clock (IL_DFS_CLOCK) and the search treats it
 * as dependent on everything, so `--strategy dfs --preemptions 1` must
 * find the order where the child reads first (tests/run.sh: want dfs;
 * with 0 preemptions it is unreachable: verified).
 */
#include <assert.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct timespec t_child;

static void *child(void *arg)
{
    (void)arg;
    clock_gettime(CLOCK_MONOTONIC, &t_child);
    return NULL;
}

static int before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

int main(void)
{
    pthread_t c;
    pthread_create(&c, NULL, child, NULL);
    pthread_mutex_lock(&mu);
    pthread_mutex_unlock(&mu);
    struct timespec t_main;
    clock_gettime(CLOCK_MONOTONIC, &t_main);
    pthread_join(c, NULL);
    assert(before(&t_main, &t_child) && "the child read the clock first");
    return 0;
}
