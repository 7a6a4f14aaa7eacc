/* bench/pingpong.c THREADS LOCKS: THREADS threads each take and release one
 * shared mutex LOCKS times.  Scheduling points per execution: about
 * 2 * THREADS * LOCKS plus 4 per thread (create, start, exit, join). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t bench_mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static int locks;

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < locks; i++) {
    pthread_mutex_lock(&bench_mu);
    counter++;
    pthread_mutex_unlock(&bench_mu);
  }
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  locks = argc > 2 ? atoi(argv[2]) : 10;
  pthread_t t[256];
  if (threads > 256) threads = 256;
  for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, NULL);
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  return counter == (long)threads * locks ? 0 : 1;
}
