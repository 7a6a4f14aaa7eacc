/* The same message passing as race_atomic_ok, but the flag is stored and
 * loaded with memory_order_relaxed: the atomic flag itself is fine, the
 * plain payload is not ordered by it.  A data race on payload. */
#include <pthread.h>
#include <stdatomic.h>

static int payload;
static atomic_int ready;

static void *producer(void *arg) {
  (void)arg;
  payload = 42;
  atomic_store_explicit(&ready, 1, memory_order_relaxed);
  return NULL;
}
static void *consumer(void *arg) {
  (void)arg;
  while (!atomic_load_explicit(&ready, memory_order_relaxed)) {
  }
  return (void *)(long)payload;
}
int main(void) {
  pthread_t p, c;
  pthread_create(&c, NULL, consumer, NULL);
  pthread_create(&p, NULL, producer, NULL);
  pthread_join(p, NULL);
  pthread_join(c, NULL);
  return 0;
}
