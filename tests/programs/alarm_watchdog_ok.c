/* alarm_watchdog_ok: alarm() used as a test's watchdog, then cancelled.
 *
 * A test arms alarm(5) with a SIGALRM handler that aborts ("the test hung"),
 * runs two threads that finish in a few milliseconds of virtual time, and
 * cancels the alarm with alarm(0).  A real 5 s alarm would race the virtual
 * clock; interleave's alarm is on the virtual clock and never fires here.
 * Then a second alarm(1) is let fire while main waits in pause(), as a
 * timeout would: the handler sets a flag.  Correct.  Expected: no report.
 */
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static volatile sig_atomic_t phase, fired;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int count; /* protected by mu */

static void on_alarm(int s) {
  (void)s;
  if (phase == 0) abort(); /* the watchdog: the test hung */
  fired = 1;
}

static void *work(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) {
    usleep(1000);
    pthread_mutex_lock(&mu);
    count++;
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  alarm(5);
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, work, NULL);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  unsigned left = alarm(0);
  assert(left >= 4 && count == 6);
  phase = 1;
  alarm(1);
  while (!fired) pause();
  return 0;
}
