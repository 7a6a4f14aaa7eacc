/* Two threads increment a plain counter without a lock: a data race on
 * every execution, whatever the interleaving (happens-before, not luck). */
#include <pthread.h>
#include <stdio.h>

static long hits;
static void *count_hits(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) hits++;
  return NULL;
}
int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, count_hits, NULL);
  pthread_create(&b, NULL, count_hits, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%ld\n", hits);
  return 0;
}
