/* sigwait_shutdown_ok: a signal thread takes SIGTERM with sigwait() and
 * shuts the workers down (pbzip2's and many servers' design).
 *
 * Every thread blocks SIGTERM; the signal thread waits for it; main does
 * its work, then sends itself SIGTERM with kill(getpid()).  The signal
 * thread sets `stop` and broadcasts; the workers finish.  Correct (the
 * workers check `stop` in a predicate loop).  Without a signal model the
 * signal thread blocks in sigwait for real and the run ends in a watchdog.
 * Expected: no report.
 */
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stop, done; /* protected by mu */

static void *signal_thread(void *arg) {
  sigset_t *set = arg;
  int sig = 0;
  sigwait(set, &sig);
  assert(sig == SIGTERM);
  pthread_mutex_lock(&mu);
  stop = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void *worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  while (!stop) pthread_cond_wait(&cv, &mu);
  done++;
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  static sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by every thread */
  pthread_t s, w[2];
  pthread_create(&s, NULL, signal_thread, &set);
  for (int i = 0; i < 2; i++) pthread_create(&w[i], NULL, worker, NULL);
  kill(getpid(), SIGTERM);
  pthread_join(s, NULL);
  for (int i = 0; i < 2; i++) pthread_join(w[i], NULL);
  assert(done == 2);
  return 0;
}
