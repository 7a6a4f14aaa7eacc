/* A service loop that never ends by itself: a heartbeat thread ticks every
 * 100 ms forever and main joins it.  Nothing is stuck (the heartbeat is
 * always active), but the execution never finishes: interleave reports a
 * "hang" when it passes --max-virtual-time, and nothing with
 * --allow-nontermination (tests/run.sh checks both). */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t beats_mu = PTHREAD_MUTEX_INITIALIZER;
static long beats;

static void *heartbeat_thread(void *arg) {
  (void)arg;
  struct timespec tick = {0, 100 * 1000 * 1000};
  for (;;) {
    nanosleep(&tick, NULL);
    pthread_mutex_lock(&beats_mu);
    beats++;
    pthread_mutex_unlock(&beats_mu);
  }
  return NULL;
}

int main(void) {
  pthread_t hb;
  pthread_create(&hb, NULL, heartbeat_thread, NULL);
  pthread_join(hb, NULL);
  printf("beats: %ld\n", beats);
  return 0;
}
