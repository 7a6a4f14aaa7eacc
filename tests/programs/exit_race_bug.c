/* exit_race_bug: main starts an auditor and two workers and returns at
 * once, without joining them.  On a real machine the threads keep running
 * while exit() runs the atexit handlers, so the auditor can see both
 * workers done, and its check (wrong: it forgets the refund) fails.
 *
 * Under interleave the process's exit is a scheduling point while other
 * threads are alive (init.c, exit_point); before it was one, no schedule
 * could run a thread between main's last pthread_create and its return
 * (SCTBench's account and token_ring).
 *
 * Expected under the tool: the assertion.
 */
#include <assert.h>
#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int balance = 100;       /* protected by mu */
static int charged, refunded;   /* protected by mu */

static void *charge(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  balance -= 30;
  charged = 1;
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void *refund(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  balance += 10;
  refunded = 1;
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void *audit(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  if (charged && refunded) assert(balance == 100 - 30 && "the audit forgot the refund");
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  pthread_t a, c, r;
  pthread_create(&a, NULL, audit, NULL);
  pthread_create(&c, NULL, charge, NULL);
  pthread_create(&r, NULL, refund, NULL);
  return 0; /* no joins: the threads race with the process's exit */
}
