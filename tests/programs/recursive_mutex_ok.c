/* recursive_mutex_ok: nested locking of recursive mutexes.
 *
 * A document store whose public functions lock store_mu and may call each
 * other (so the lock is re-entered), plus an index guarded by a recursive
 * mutex created with pthread_mutexattr_settype(PTHREAD_MUTEX_RECURSIVE).
 * Two threads use both, always in the order store_mu -> index_mu.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t store_mu = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t index_mu; /* recursive, initialized in main */
static int documents;            /* protected by store_mu */
static int index_entries;        /* protected by index_mu */

__attribute__((noinline)) static void index_add(int depth)
{
    pthread_mutex_lock(&index_mu);
    if (depth > 0)
        index_add(depth - 1); /* re-enters index_mu */
    else
        index_entries++;
    pthread_mutex_unlock(&index_mu);
}

__attribute__((noinline)) static void store_insert(void)
{
    pthread_mutex_lock(&store_mu);      /* depth 2: caller holds it already */
    documents++;
    index_add(2);
    pthread_mutex_unlock(&store_mu);
}

__attribute__((noinline)) static void store_insert_batch(int n)
{
    pthread_mutex_lock(&store_mu);
    /* The owner may trylock a recursive mutex it holds: succeeds. */
    int rc = pthread_mutex_trylock(&store_mu);
    assert(rc == 0);
    for (int i = 0; i < n; i++)
        store_insert();
    pthread_mutex_unlock(&store_mu);
    pthread_mutex_unlock(&store_mu);
}

static void *writer_thread(void *arg)
{
    (void)arg;
    store_insert_batch(2);
    store_insert();
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&index_mu, &attr);
    pthread_mutexattr_destroy(&attr);

    pthread_t w1, w2;
    pthread_create(&w1, NULL, writer_thread, NULL);
    pthread_create(&w2, NULL, writer_thread, NULL);
    pthread_join(w1, NULL);
    pthread_join(w2, NULL);

    /* Fully released: another trylock by main succeeds exactly once-deep. */
    assert(pthread_mutex_trylock(&store_mu) == 0);
    assert(documents == 6);
    assert(index_entries == 6);
    pthread_mutex_unlock(&store_mu);
    pthread_mutex_destroy(&index_mu);
    return 0;
}
