/* Lock-free code that is correct: message passing through a C11 atomic
 * flag with release/acquire (the payload is plain), a relaxed statistics
 * counter, and a single-producer single-consumer ring whose indices are
 * atomics.  The consumer spins on atomics: interleave makes atomics
 * scheduling points, so the spin is controlled.  No race. */
#include <pthread.h>
#include <stdatomic.h>

static int payload;
static atomic_int ready;
static atomic_long stats;

#define RING 4
static int ring[RING];
static atomic_uint head, tail; /* producer writes tail, consumer head */

static void *producer(void *arg) {
  (void)arg;
  payload = 42;
  atomic_store_explicit(&ready, 1, memory_order_release);
  for (int i = 1; i <= 6; i++) {
    unsigned t = atomic_load_explicit(&tail, memory_order_relaxed);
    while (t - atomic_load_explicit(&head, memory_order_acquire) == RING) {
    }
    ring[t % RING] = i;
    atomic_store_explicit(&tail, t + 1, memory_order_release);
    atomic_fetch_add_explicit(&stats, 1, memory_order_relaxed);
  }
  return NULL;
}

static void *consumer(void *arg) {
  (void)arg;
  while (!atomic_load_explicit(&ready, memory_order_acquire)) {
  }
  long sum = payload;
  for (int n = 0; n < 6; n++) {
    unsigned h = atomic_load_explicit(&head, memory_order_relaxed);
    while (atomic_load_explicit(&tail, memory_order_acquire) == h) {
    }
    sum += ring[h % RING];
    atomic_store_explicit(&head, h + 1, memory_order_release);
    atomic_fetch_add_explicit(&stats, 1, memory_order_relaxed);
  }
  return (void *)sum;
}

int main(void) {
  pthread_t p, c;
  void *sum;
  pthread_create(&c, NULL, consumer, NULL);
  pthread_create(&p, NULL, producer, NULL);
  pthread_join(p, NULL);
  pthread_join(c, &sum);
  return (long)sum == 42 + 21 && atomic_load(&stats) == 12 ? 0 : 1;
}
