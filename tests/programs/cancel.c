/* Cancels a worker blocked on a condition variable.  interleave cannot
 * control cancellation yet: it must refuse clearly (exit 2), not hang and
 * not report a deadlock that is its own doing. */
#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void unlock_mu(void *arg) { pthread_mutex_unlock(arg); }

static void *waiter(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  pthread_cleanup_push(unlock_mu, &mu);
  for (;;) pthread_cond_wait(&cv, &mu);
  pthread_cleanup_pop(1);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, waiter, NULL);
  pthread_cancel(t);
  pthread_join(t, NULL);
  return 0;
}
