/* futex_lost_wake: a hand-rolled event on the futex system call, with a
 * lost wake-up.
 *
 * The setter stores 1 and wakes; the waiter checks the word and then waits
 * for 0 -- but it re-reads nothing between its check and the wait's value
 * argument (BUG: it passes the value it expects, 0, after checking a stale
 * copy; when the setter ran in between, FUTEX_WAIT sees 1 and returns
 * EAGAIN, which the code treats as "spurious" and waits again, forever).
 * Through libc's syscall(), so the futex model sees it: a stall, never a
 * watchdog.  Expected: stall.
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint32_t word;

static void *setter(void *arg) {
  (void)arg;
  __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
  syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, setter, NULL);
  if (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 0) {
    /* BUG: a retry loop that never looks at the word again. */
    while (syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) != 0 && errno == EAGAIN)
      syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
  }
  pthread_join(t, NULL);
  return 0;
}
