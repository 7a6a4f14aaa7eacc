/* timer_thread_ok: a POSIX timer with SIGEV_THREAD notification (as
 * std::async-free C code and many C servers use for housekeeping): every
 * 10 ms a callback, in a thread of its own, counts a tick under a mutex
 * and signals main after three.  main waits up to 1 s, then deletes the
 * timer.  The callbacks run as controlled threads on the virtual clock.
 * Expected: no report. */
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ticks;

static void tick(union sigval v) {
  assert(v.sival_int == 42);
  pthread_mutex_lock(&mu);
  if (++ticks == 3) pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
}

int main(void) {
  struct sigevent ev = {0};
  ev.sigev_notify = SIGEV_THREAD;
  ev.sigev_notify_function = tick;
  ev.sigev_value.sival_int = 42;
  timer_t t;
  assert(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
  struct itimerspec its = {{0, 10000000}, {0, 10000000}};
  assert(timer_settime(t, 0, &its, NULL) == 0);
  struct timespec dl;
  clock_gettime(CLOCK_REALTIME, &dl);
  dl.tv_sec += 1;
  pthread_mutex_lock(&mu);
  while (ticks < 3) assert(pthread_cond_timedwait(&cv, &mu, &dl) == 0 && "no three ticks within 1 s");
  pthread_mutex_unlock(&mu);
  timer_delete(t);
  return 0;
}
