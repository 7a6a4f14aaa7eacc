/* timerfd_missed_tick_bug: a heartbeat loop that assumes one expiration per
 * read of its timerfd.
 *
 * The loop reads a 10 ms periodic timerfd and, for each read, takes the
 * state lock and bumps `beats`; it asserts the timer reported exactly one
 * expiration (BUG: when the loop is held up longer than a period -- here by
 * a flusher holding the state lock across a 35 ms sleep -- the kernel
 * reports 2 or more, and the code would drop beats).  Expected: assertion
 * failure.
 */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>

static pthread_mutex_t state_mu = PTHREAD_MUTEX_INITIALIZER;
static int beats; /* protected by state_mu */

static void *flusher(void *arg) {
  (void)arg;
  usleep(12000); /* the first flush is due after 12 ms */
  pthread_mutex_lock(&state_mu);
  usleep(35000); /* a slow flush under the lock */
  pthread_mutex_unlock(&state_mu);
  return NULL;
}

int main(void) {
  int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
  struct itimerspec its = {{0, 10000000}, {0, 10000000}};
  timerfd_settime(tfd, 0, &its, NULL);
  pthread_t f;
  pthread_create(&f, NULL, flusher, NULL);
  for (int i = 0; i < 4; i++) {
    uint64_t n;
    if (read(tfd, &n, sizeof n) != sizeof n) return 2;
    assert(n == 1 && "missed heartbeat ticks");
    pthread_mutex_lock(&state_mu);
    beats++;
    pthread_mutex_unlock(&state_mu);
  }
  pthread_join(f, NULL);
  return 0;
}
