/* cancel: pthread_cancel of a worker blocked on a condition variable, with
 * a cleanup handler that unlocks the mutex; a second worker is cancelled in
 * sleep(); a third disables cancellation around a critical step and is
 * cancelled at its pthread_testcancel() afterwards.  Deferred cancellation
 * acts at those cancellation points, the cleanup handlers run, and join
 * returns PTHREAD_CANCELED.  Correct.  Expected: no report.
 */
#include <assert.h>
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int cleanups, steps; /* protected by mu */

static void unlock_mu(void *arg) {
  cleanups++; /* run with mu held: the wait re-acquired it first */
  pthread_mutex_unlock(arg);
}

static void *waiter(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  pthread_cleanup_push(unlock_mu, &mu);
  for (;;) pthread_cond_wait(&cv, &mu);
  pthread_cleanup_pop(1);
  return NULL;
}

static void count_cleanup(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  cleanups++;
  pthread_mutex_unlock(&mu);
}

static void *sleeper(void *arg) {
  (void)arg;
  pthread_cleanup_push(count_cleanup, NULL);
  for (;;) sleep(10);
  pthread_cleanup_pop(0);
  return NULL;
}

static void *careful(void *arg) {
  (void)arg;
  int old;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  pthread_mutex_lock(&mu);
  steps++;
  pthread_mutex_unlock(&mu);
  usleep(1000); /* not a cancellation point while disabled */
  pthread_mutex_lock(&mu);
  steps++;
  pthread_mutex_unlock(&mu);
  pthread_setcancelstate(old, NULL);
  for (;;) pthread_testcancel();
  return NULL;
}

int main(void) {
  pthread_t t[3];
  pthread_create(&t[0], NULL, waiter, NULL);
  pthread_create(&t[1], NULL, sleeper, NULL);
  pthread_create(&t[2], NULL, careful, NULL);
  for (int i = 0; i < 3; i++) pthread_cancel(t[i]);
  for (int i = 0; i < 3; i++) {
    void *ret;
    pthread_join(t[i], &ret);
    assert(ret == PTHREAD_CANCELED);
  }
  assert(cleanups == 2 && steps == 2);
  return 0;
}
