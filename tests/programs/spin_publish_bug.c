/* spin_publish_bug: a consumer busy-waits on a plain `ready` flag (no call
 * in the loop, as GLib's thread-pool test does), then reads the data.  The
 * producer sets the flag before it writes the data, with a logging lock in
 * between: a consumer that runs right after the flag is set reads 0.
 *
 * The producer first waits (spinning too) until the consumer is in its
 * loop, so the consumer can only see the flag from inside the loop.  A
 * plain build has no scheduling point inside either loop: without spin
 * preemption (--spin 0) every execution ends in a watchdog report.  With
 * it, the spinner yields, and the producer's lock is a point where the
 * consumer can come back too early.
 *
 * Expected under the tool: the assertion (assert), found and replayed.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

static volatile int ready;
static volatile int in_loop;
static volatile int data;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int nlogged; /* protected by log_mu */

static void *consumer(void *arg) {
  (void)arg;
  in_loop = 1;
  while (!ready)
    ;
  int d = data;
  assert(d == 42 && "consumer saw ready before the data");
  return NULL;
}

static void *producer(void *arg) {
  (void)arg;
  while (!in_loop)
    ;
  ready = 1; /* BUG: published before the data */
  pthread_mutex_lock(&log_mu);
  nlogged++;
  pthread_mutex_unlock(&log_mu);
  data = 42;
  return NULL;
}

int main(void) {
  pthread_t c, p;
  pthread_create(&c, NULL, consumer, NULL);
  pthread_create(&p, NULL, producer, NULL);
  pthread_join(c, NULL);
  pthread_join(p, NULL);
  printf("logged %d\n", nlogged);
  return 0;
}
