/* blocked_uncontrolled: a thread blocks for real in a call interleave does
 * not control: a futex wait that nobody wakes, issued with the syscall
 * instruction itself (as libgomp does), so that libc's syscall() and the
 * futex model never see it.
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
  long ret;
  register long r10 __asm__("r10") = 0;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"((long)SYS_futex), "D"(&word), "S"((long)FUTEX_WAIT_PRIVATE), "d"(0L), "r"(r10)
                   : "rcx", "r11", "memory");
  return (void *)ret;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, waiter, NULL);
  pthread_join(t, NULL);
  return 0;
}
