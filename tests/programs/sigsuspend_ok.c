/* sigsuspend_ok: main waits in sigsuspend() until the last worker tells it,
 * with pthread_kill(main, SIGUSR2), that the work is done (lbzip2's
 * design).  SIGUSR2 stays blocked outside sigsuspend, so a signal sent
 * before main waits is kept pending, not lost.  Correct.
 * Expected: no report.
 */
#include <assert.h>
#include <pthread.h>
#include <signal.h>

static pthread_t main_thread;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int left = 3;                 /* protected by mu */
static volatile sig_atomic_t all_done;

static void on_usr2(int s) { (void)s; all_done = 1; }

static void *worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  int last = --left == 0;
  pthread_mutex_unlock(&mu);
  if (last) pthread_kill(main_thread, SIGUSR2);
  return NULL;
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_handler = on_usr2;
  sigaction(SIGUSR2, &sa, NULL);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  main_thread = pthread_self();
  pthread_t w[3];
  for (int i = 0; i < 3; i++) pthread_create(&w[i], NULL, worker, NULL);
  while (!all_done) sigsuspend(&old);
  for (int i = 0; i < 3; i++) pthread_join(w[i], NULL);
  assert(left == 0);
  return 0;
}
