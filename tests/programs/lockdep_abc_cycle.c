/* Three subsystems take their locks pairwise in a cycle (config -> cache,
 * cache -> stats, stats -> config), but at different times, so no single
 * execution can deadlock.  The lock-order graph across executions still has
 * the cycle A -> B -> C -> A: lockdep's "possible circular locking". */
#include <pthread.h>

static pthread_mutex_t config_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t stats_mu = PTHREAD_MUTEX_INITIALIZER;
static int config, cache, stats;

static void *reload_config(void *arg) {
  (void)arg;
  pthread_mutex_lock(&config_mu);
  pthread_mutex_lock(&cache_mu);
  cache = ++config;
  pthread_mutex_unlock(&cache_mu);
  pthread_mutex_unlock(&config_mu);
  return NULL;
}
static void *flush_cache(void *arg) {
  (void)arg;
  pthread_mutex_lock(&cache_mu);
  pthread_mutex_lock(&stats_mu);
  stats += cache;
  pthread_mutex_unlock(&stats_mu);
  pthread_mutex_unlock(&cache_mu);
  return NULL;
}
static void *report_stats(void *arg) {
  (void)arg;
  pthread_mutex_lock(&stats_mu);
  pthread_mutex_lock(&config_mu);
  config += stats;
  pthread_mutex_unlock(&config_mu);
  pthread_mutex_unlock(&stats_mu);
  return NULL;
}

int main(void) {
  void *(*steps[])(void *) = {reload_config, flush_cache, report_stats};
  for (int i = 0; i < 3; i++) { /* one at a time: never a real deadlock */
    pthread_t t;
    pthread_create(&t, NULL, steps[i], NULL);
    pthread_join(t, NULL);
  }
  return 0;
}
