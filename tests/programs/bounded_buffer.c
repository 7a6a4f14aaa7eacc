/* bounded_buffer: correct producer/consumer queue.
 *
 * A capacity-2 ring buffer shared by 2 producers (3 items each) and 2
 * consumers, guarded by queue_mu with two condition variables (not_full,
 * not_empty) and while-predicate loops.  Consumers stop once all items have
 * been taken.  Checks that every item is consumed exactly once and that each
 * producer's items come out in FIFO order.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define CAPACITY 2
#define PRODUCERS 2
#define ITEMS_PER_PRODUCER 3
#define CONSUMERS 2
#define TOTAL_ITEMS (PRODUCERS * ITEMS_PER_PRODUCER)

static pthread_mutex_t queue_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;

/* Everything below is protected by queue_mu. */
static int ring[CAPACITY];
static int head, count;
static int taken_total;                 /* items removed from the ring so far */
static int consumed[TOTAL_ITEMS];       /* times each item was taken */
static int last_seq[PRODUCERS] = {-1, -1};

__attribute__((noinline)) static void enqueue(int item)
{
    pthread_mutex_lock(&queue_mu);
    while (count == CAPACITY)
        pthread_cond_wait(&not_full, &queue_mu);
    ring[(head + count) % CAPACITY] = item;
    count++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&queue_mu);
}

/* Returns 0 and stores the item, or -1 when all items have been taken. */
__attribute__((noinline)) static int dequeue(int *item)
{
    pthread_mutex_lock(&queue_mu);
    while (count == 0 && taken_total < TOTAL_ITEMS)
        pthread_cond_wait(&not_empty, &queue_mu);
    if (count == 0) {
        pthread_mutex_unlock(&queue_mu);
        return -1;
    }
    *item = ring[head];
    head = (head + 1) % CAPACITY;
    count--;
    taken_total++;

    /* bookkeeping for the checks */
    consumed[*item]++;
    int producer = *item / ITEMS_PER_PRODUCER;
    int seq = *item % ITEMS_PER_PRODUCER;
    assert(seq > last_seq[producer] && "items of one producer out of order");
    last_seq[producer] = seq;

    pthread_cond_signal(&not_full);
    if (taken_total == TOTAL_ITEMS)
        pthread_cond_broadcast(&not_empty); /* let idle consumers exit */
    pthread_mutex_unlock(&queue_mu);
    return 0;
}

static void *producer_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < ITEMS_PER_PRODUCER; i++)
        enqueue(id * ITEMS_PER_PRODUCER + i);
    return NULL;
}

static void *consumer_thread(void *arg)
{
    (void)arg;
    int item, n = 0;
    while (dequeue(&item) == 0)
        n++;
    return (void *)(intptr_t)n;
}

int main(void)
{
    pthread_t producers[PRODUCERS], consumers[CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++)
        pthread_create(&consumers[i], NULL, consumer_thread, NULL);
    for (int i = 0; i < PRODUCERS; i++)
        pthread_create(&producers[i], NULL, producer_thread, (void *)(intptr_t)i);

    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(producers[i], NULL);
    int total = 0;
    for (int i = 0; i < CONSUMERS; i++) {
        void *n;
        pthread_join(consumers[i], &n);
        total += (int)(intptr_t)n;
    }

    assert(total == TOTAL_ITEMS);
    assert(count == 0);
    for (int i = 0; i < TOTAL_ITEMS; i++)
        assert(consumed[i] == 1 && "item lost or consumed twice");
    return 0;
}
