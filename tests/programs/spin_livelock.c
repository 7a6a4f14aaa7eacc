/* spin_livelock: two threads each busy-wait for the other's flag, with no
 * call in either loop.  Neither flag is ever set: a livelock.  Spin
 * preemption (runtime/spin.c) hands the baton back and forth a few times,
 * sees that every thread only spins, and leaves it to the watchdog, which
 * must report it (a spin) rather than hang or preempt forever.
 *
 * Expected under the tool: watchdog.
 */
#include <pthread.h>

static volatile int a_ready, b_ready;

static void *thread_a(void *arg) {
  (void)arg;
  while (!b_ready)
    ; /* BUG: waits for b, which waits for us */
  a_ready = 1;
  return NULL;
}

static void *thread_b(void *arg) {
  (void)arg;
  while (!a_ready)
    ;
  b_ready = 1;
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, thread_a, NULL);
  pthread_create(&b, NULL, thread_b, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
