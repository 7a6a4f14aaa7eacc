/* blocked_uncontrolled: a thread blocks for real in a call interleave does
 * not control: flock() on a file it has already locked through another
 * open file description (file locks are not modelled), so it waits for a
 * release that never comes.
 *
 * The watchdog must stop it after --watchdog of the thread's sleeping time,
 * confirm it by re-running the schedule, and name it as blocked (not as
 * spinning).  Expected: watchdog, "blocked in a call interleave does not
 * control".
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

static void *waiter(void *arg) {
  (void)arg;
  FILE *f = tmpfile();
  if (!f) return NULL;
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(f));
  int again = open(path, O_RDWR);
  flock(fileno(f), LOCK_EX);
  flock(again, LOCK_EX); /* never granted */
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, waiter, NULL);
  pthread_join(t, NULL);
  return 0;
}
