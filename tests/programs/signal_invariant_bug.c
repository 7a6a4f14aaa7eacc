/* signal_invariant_bug: a signal handler that sees an invariant broken in
 * the middle of an update.
 *
 * main keeps `lo` and `hi` equal, updating them one after the other, each
 * under the lock (two critical sections: a scheduling point in between).
 * A SIGUSR1 handler, run on main's thread, checks lo == hi (BUG: main does
 * not block SIGUSR1 around the two-step update).  A stats thread sends
 * main SIGUSR1 once.  Natively the handler lands in the window rarely;
 * interleave runs handlers between any two operations of the thread.
 * Expected: assertion failure (in the handler).
 */
#include <assert.h>
#include <pthread.h>
#include <signal.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static volatile int lo, hi;
static pthread_t main_thread;

static void on_usr1(int s) {
  (void)s;
  assert(lo == hi && "handler saw a half-done update");
}

static void *stats(void *arg) {
  (void)arg;
  pthread_kill(main_thread, SIGUSR1);
  return NULL;
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  main_thread = pthread_self();
  pthread_t t;
  pthread_create(&t, NULL, stats, NULL);
  for (int i = 1; i <= 3; i++) {
    pthread_mutex_lock(&mu);
    lo = i;
    pthread_mutex_unlock(&mu);
    pthread_mutex_lock(&mu);
    hi = i;
    pthread_mutex_unlock(&mu);
  }
  pthread_join(t, NULL);
  return 0;
}
