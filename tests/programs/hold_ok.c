/* Locks and sleeps that must not be reported: a 200 ms sleep under a lock
 * (below the 1 s threshold) with a waiter; a 3 s sleep under a lock nobody
 * else wants; a waiter that polls with trylock and never blocks on it; and
 * a long sleep taken after unlocking. */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t private_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t stats_mu = PTHREAD_MUTEX_INITIALIZER;
static int cache, priv, stats;

static void *short_hold(void *arg) {
  (void)arg;
  struct timespec ms200 = {0, 200 * 1000 * 1000};
  pthread_mutex_lock(&cache_mu);
  nanosleep(&ms200, NULL);
  cache++;
  pthread_mutex_unlock(&cache_mu);
  sleep(10); /* after unlocking: fine */
  return NULL;
}
static void *cache_reader(void *arg) {
  (void)arg;
  pthread_mutex_lock(&cache_mu);
  int c = cache;
  pthread_mutex_unlock(&cache_mu);
  return (void *)(long)c;
}
static void *private_sleeper(void *arg) {
  (void)arg;
  pthread_mutex_lock(&private_mu);
  sleep(3);
  priv++;
  pthread_mutex_unlock(&private_mu);
  return NULL;
}
static void *stats_holder(void *arg) {
  (void)arg;
  pthread_mutex_lock(&stats_mu);
  sleep(3);
  stats++;
  pthread_mutex_unlock(&stats_mu);
  return NULL;
}
static void *stats_poller(void *arg) {
  (void)arg;
  struct timespec ms100 = {0, 100 * 1000 * 1000};
  while (pthread_mutex_trylock(&stats_mu) == EBUSY) nanosleep(&ms100, NULL);
  int s = stats;
  pthread_mutex_unlock(&stats_mu);
  return (void *)(long)s;
}

int main(void) {
  void *(*fns[])(void *) = {short_hold, cache_reader, private_sleeper, stats_holder, stats_poller};
  pthread_t t[5];
  for (int i = 0; i < 5; i++) pthread_create(&t[i], NULL, fns[i], NULL);
  for (int i = 0; i < 5; i++) pthread_join(t[i], NULL);
  return 0;
}
