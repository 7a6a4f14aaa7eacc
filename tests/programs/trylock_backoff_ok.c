/* trylock_backoff_ok: memcached-style trylock-and-back-off against lock order.
 *
 * The normal order is item_mu (X) then lru_mu (Y): the updater locks item_mu,
 * then lru_mu.  The LRU crawler walks the other way: it holds lru_mu and only
 * *tries* item_mu; on EBUSY it releases lru_mu, yields and starts over (as
 * memcached's LRU maintainer does with item locks).  A thread that fails a
 * trylock never waits, so the reverse order cannot close a wait-for cycle:
 * no deadlock is possible, and a successful trylock must not count as a
 * lock-order inversion either (it never blocked while holding lru_mu).
 *
 * Expected under the tool: ok in every interleaving (no deadlock, no
 * lock-order-inversion report).
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#define ROUNDS 2

static pthread_mutex_t item_mu = PTHREAD_MUTEX_INITIALIZER; /* X */
static pthread_mutex_t lru_mu = PTHREAD_MUTEX_INITIALIZER;  /* Y */
static int item_refcount;   /* protected by item_mu */
static int lru_position;    /* protected by lru_mu */
static int crawled;         /* protected by item_mu and lru_mu */

static void *updater_thread(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        pthread_mutex_lock(&item_mu);
        item_refcount++;
        pthread_mutex_lock(&lru_mu);
        lru_position = 0; /* bump to the head */
        pthread_mutex_unlock(&lru_mu);
        pthread_mutex_unlock(&item_mu);
    }
    return NULL;
}

static void *crawler_thread(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        for (;;) {
            pthread_mutex_lock(&lru_mu);
            int rc = pthread_mutex_trylock(&item_mu);
            if (rc == 0) {
                lru_position++;
                crawled++;
                pthread_mutex_unlock(&item_mu);
                pthread_mutex_unlock(&lru_mu);
                break;
            }
            assert(rc == EBUSY);
            pthread_mutex_unlock(&lru_mu); /* back off */
            sched_yield();
        }
    }
    return NULL;
}

int main(void)
{
    pthread_t updater, crawler;
    pthread_create(&updater, NULL, updater_thread, NULL);
    pthread_create(&crawler, NULL, crawler_thread, NULL);
    pthread_join(updater, NULL);
    pthread_join(crawler, NULL);
    assert(item_refcount == ROUNDS && crawled == ROUNDS);
    return 0;
}
