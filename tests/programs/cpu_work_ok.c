/* cpu_work_ok: threads that compute for a while between scheduling points.
 *
 * Two workers each do two chunks of 40 ms of CPU work (measured on the
 * thread's own CPU clock, which interleave leaves alone, so the amount is
 * the same on any machine), each chunk followed by a locked update.
 * Correct.  tests/run.sh runs it with --watchdog 100 while three busy
 * loops share its CPU: each chunk then takes about 160 ms of wall time
 * but only 40 ms of the thread's CPU time.  A watchdog judged by wall time
 * would stop it (the pigz/p7zip false alarm on a loaded machine); one
 * judged by the thread's CPU time must not.
 */
#include <assert.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long total; /* protected by mu */

static long cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void *worker(void *arg) {
  (void)arg;
  for (int chunk = 0; chunk < 2; chunk++) {
    volatile unsigned long x = 0;
    long start = cpu_ms();
    while (cpu_ms() - start < 40) x += 1;
    pthread_mutex_lock(&mu);
    total++;
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

int main(void) {
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, worker, NULL);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  assert(total == 4);
  return 0;
}
