/* liveness_dead_producer: a consumer waits forever on a queue whose producer
 * died on an error path.
 *
 * An ingest pipeline: a feed producer pushes records into a queue (mutex +
 * condvar, proper predicate loop); the indexer consumes until the queue is
 * closed.  The producer needs the feed connection that the connector thread
 * opens.  If the producer starts before the connection is up, it takes the
 * "feed unavailable" error path and returns -- BUG: without closing the
 * queue, so the indexer's "while (empty && !closed)" never becomes false.
 * A heartbeat thread keeps ticking every 100 ms (until main stops it, at most
 * 10 minutes), so the process is not idle: only the liveness rule finds it.
 *
 * Expected under the tool: stall (indexer_thread in cond_wait on queue_cv).
 * Build with -DTIME_DIV=100 to run natively 100x faster.
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#ifndef TIME_DIV
#define TIME_DIV 1
#endif
#define TICK_US (100000 / TIME_DIV)          /* 100 ms */
#define MAX_TICKS 6000                       /* 10 minutes of beats */
#define RECORDS 4
#define QCAP 8

static pthread_mutex_t queue_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cv = PTHREAD_COND_INITIALIZER;
static int queue_items[QCAP];
static int queue_head, queue_len;      /* protected by queue_mu */
static int queue_closed;               /* protected by queue_mu */

static pthread_mutex_t feed_mu = PTHREAD_MUTEX_INITIALIZER;
static int feed_connected;             /* protected by feed_mu */

static pthread_mutex_t health_mu = PTHREAD_MUTEX_INITIALIZER;
static long health_beats;              /* protected by health_mu */
static atomic_int heartbeat_stop;

static int indexed_count, indexed_sum;  /* indexer only; read after join */

static void *heartbeat_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < MAX_TICKS && !atomic_load(&heartbeat_stop); i++) {
        usleep(TICK_US);
        pthread_mutex_lock(&health_mu);
        health_beats++;
        pthread_mutex_unlock(&health_mu);
    }
    return NULL;
}

static void *feed_connector_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&feed_mu);
    feed_connected = 1;
    pthread_mutex_unlock(&feed_mu);
    return NULL;
}

__attribute__((noinline)) static void queue_push(int record)
{
    pthread_mutex_lock(&queue_mu);
    assert(queue_len < QCAP);
    queue_items[(queue_head + queue_len) % QCAP] = record;
    queue_len++;
    pthread_cond_signal(&queue_cv);
    pthread_mutex_unlock(&queue_mu);
}

__attribute__((noinline)) static void queue_close(void)
{
    pthread_mutex_lock(&queue_mu);
    queue_closed = 1;
    pthread_cond_broadcast(&queue_cv);
    pthread_mutex_unlock(&queue_mu);
}

/* Returns 0 and the record, or -1 once the queue is closed and drained. */
__attribute__((noinline)) static int queue_pop(int *record)
{
    pthread_mutex_lock(&queue_mu);
    while (queue_len == 0 && !queue_closed)
        pthread_cond_wait(&queue_cv, &queue_mu);
    int rc = -1;
    if (queue_len > 0) {
        *record = queue_items[queue_head];
        queue_head = (queue_head + 1) % QCAP;
        queue_len--;
        rc = 0;
    }
    pthread_mutex_unlock(&queue_mu);
    return rc;
}

static void *feed_producer_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&feed_mu);
    int connected = feed_connected;
    pthread_mutex_unlock(&feed_mu);
    if (!connected) {
        /* "feed unavailable": give up.  BUG: returns without queue_close(),
         * so the indexer is never told that no record will come. */
        return NULL;
    }
    for (int r = 1; r <= RECORDS; r++)
        queue_push(r);
    queue_close();
    return NULL;
}

static void *indexer_thread(void *arg)
{
    (void)arg;
    int record;
    while (queue_pop(&record) == 0) {
        indexed_count++;
        indexed_sum += record;
    }
    return NULL;
}

int main(void)
{
    pthread_t heartbeat, connector, producer, indexer;
    pthread_create(&heartbeat, NULL, heartbeat_thread, NULL);
    pthread_create(&indexer, NULL, indexer_thread, NULL);
    pthread_create(&connector, NULL, feed_connector_thread, NULL);
    pthread_create(&producer, NULL, feed_producer_thread, NULL);
    pthread_join(connector, NULL);
    pthread_join(producer, NULL);
    pthread_join(indexer, NULL);
    atomic_store(&heartbeat_stop, 1);
    pthread_join(heartbeat, NULL);
    assert(indexed_count == RECORDS && indexed_sum == RECORDS * (RECORDS + 1) / 2);
    return 0;
}
