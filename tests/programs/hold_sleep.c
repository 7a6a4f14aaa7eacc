/* A config reload holds config_mu across a 3 s sleep (a slow disk read
 * modelled as a sleep) while a request handler waits for the lock: the
 * lock-hold detector must report it (kernel: "sleeping function called
 * from invalid context"; DRD: --exclusive-threshold). */
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t config_mu = PTHREAD_MUTEX_INITIALIZER;
static int config_version;

static void *reload_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&config_mu);
  sleep(3); /* read the new configuration from a slow disk, lock held */
  config_version++;
  pthread_mutex_unlock(&config_mu);
  return NULL;
}

static void *request_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&config_mu);
  int v = config_version;
  pthread_mutex_unlock(&config_mu);
  return (void *)(long)v;
}

int main(void) {
  pthread_t r, q;
  pthread_create(&r, NULL, reload_thread, NULL);
  pthread_create(&q, NULL, request_thread, NULL);
  pthread_join(r, NULL);
  pthread_join(q, NULL);
  return 0;
}
