/* jemalloc_create_ok: threads that create threads while others are inside
 * jemalloc.
 *
 * jemalloc's malloc takes pthread mutexes (arena and thread-cache set-up,
 * the first time a thread allocates).  pthread_create allocates the new
 * thread's TLS through that same malloc, so a spawner thread whose first
 * allocation happens inside pthread_create may need a lock that another
 * thread, preempted inside malloc, holds.  That allocation must wait for
 * the lock in the model (the holder gets to run), not block for real while
 * the holder is parked: redis-server got a false watchdog that way.
 * Correct.  Expected: no report.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

static void *worker(void *arg) {
  (void)arg;
  void *keep[16];
  for (int i = 0; i < 16; i++) keep[i] = malloc(i % 4 == 0 ? 40000 + (size_t)i * 4096 : 16 + (size_t)i * 8);
  for (int i = 0; i < 16; i++) free(keep[i]);
  return NULL;
}

static void *spawner(void *arg) {
  (void)arg;
  pthread_t t;
  assert(pthread_create(&t, NULL, worker, NULL) == 0); /* its first allocation */
  worker(NULL);
  pthread_join(t, NULL);
  return NULL;
}

int main(void) {
  pthread_t t[4];
  for (int i = 0; i < 4; i++) assert(pthread_create(&t[i], NULL, spawner, NULL) == 0);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  return 0;
}
