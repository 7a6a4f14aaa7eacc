/* blocked_uncontrolled: a thread blocks for real in a call interleave does
 * not control (a raw futex wait that nobody wakes).
 *
 * The watchdog must stop it after --watchdog of the thread's sleeping time,
 * confirm it by re-running the schedule, and name it as blocked (not as
 * spinning).  Expected: watchdog, "blocked in a call interleave does not
 * control".
 */
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint32_t word;

static void *waiter(void *arg) {
  (void)arg;
  syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, waiter, NULL);
  pthread_join(t, NULL);
  return 0;
}
