/* cancel_no_cleanup_bug: a worker cancelled in pthread_cond_wait without a
 * cleanup handler.  POSIX re-acquires the mutex before the thread unwinds,
 * so the cancelled worker exits holding it (BUG: no
 * pthread_cleanup_push(unlock)), and main, locking it afterwards, waits
 * forever -- when the cancel lands while the worker waits, which is most
 * schedules but not all (a worker not yet started is cancelled at its
 * first cancellation point too).  Expected: stall.
 */
#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;

static void *waiter(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  while (!ready) pthread_cond_wait(&cv, &mu); /* BUG: no cleanup handler */
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, waiter, NULL);
  pthread_cancel(t);
  pthread_join(t, NULL);
  pthread_mutex_lock(&mu);
  ready = 1;
  pthread_mutex_unlock(&mu);
  return 0;
}
