/* spin_ok: counter protected by a pthread spinlock.
 *
 * Two stats threads each add 3 to a counter under stats_lock, taking it with
 * pthread_spin_trylock and falling back to pthread_spin_lock on EBUSY.
 *
 * Expected under the tool: ok in every interleaving (the tool must treat a
 * held spinlock as blocking rather than let the spinner spin).
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_spinlock_t stats_lock;
static int hits; /* protected by stats_lock */

__attribute__((noinline)) static void record_hit(int use_try)
{
    int rc = use_try ? pthread_spin_trylock(&stats_lock) : EBUSY;
    if (rc != 0) {
        assert(rc == EBUSY);
        rc = pthread_spin_lock(&stats_lock);
        assert(rc == 0);
    }
    int h = hits;
    hits = h + 1;
    pthread_spin_unlock(&stats_lock);
}

static void *stats_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++)
        record_hit(i != 1);
    return NULL;
}

int main(void)
{
    pthread_spin_init(&stats_lock, PTHREAD_PROCESS_PRIVATE);
    pthread_t t1, t2;
    pthread_create(&t1, NULL, stats_thread, NULL);
    pthread_create(&t2, NULL, stats_thread, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert(hits == 6);
    pthread_spin_destroy(&stats_lock);
    return 0;
}
