/* zero_timeout_late_ok: a worker makes one zero-timeout call (a poll that
 * only checks, as GLib's main loop and a WNOHANG waitpid do) and then
 * sets a flag; main waits for the flag with a 30 s timeout.  A single
 * zero timeout is not a polling loop: the worker stays due, so the 30 s
 * timeout never fires before it runs (it used to waive the lateness bound
 * and let the clock run 30 s ahead: a false "timed out").  Expected: no
 * report. */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int flag;
static int pfd[2];

static void *worker(void *arg) {
  (void)arg;
  struct pollfd p = {.fd = pfd[0], .events = POLLIN};
  poll(&p, 1, 0); /* a look: ready at once */
  pthread_mutex_lock(&mu);
  flag = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  assert(pipe(pfd) == 0);
  assert(write(pfd[1], "x", 1) == 1);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  struct timespec dl;
  clock_gettime(CLOCK_REALTIME, &dl);
  dl.tv_sec += 30;
  pthread_mutex_lock(&mu);
  int r = 0;
  while (!flag && r != ETIMEDOUT) r = pthread_cond_timedwait(&cv, &mu, &dl);
  assert(flag && "the worker had not run after 30 s");
  pthread_mutex_unlock(&mu);
  pthread_join(t, NULL);
  return 0;
}
