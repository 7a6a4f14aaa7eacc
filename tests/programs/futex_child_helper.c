/* futex_child_helper: not a test by itself (no .expect); omp_spawn_ok
   runs it as a child.  One FUTEX_WAKE through libc's syscall(), as GLib's g_cond_broadcast
   does (nobody waits: returns 0).  Linked with more libraries than the
   parent, so libc is mapped at another address than in the parent. */
#include <linux/futex.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zlib.h>
#include <math.h>
int main(void) {
  static int word;
  long r = syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  printf("futex_wake -> %ld (zlib %s)\n", r, zlibVersion());
  return r == 0 ? 0 : 1;
}
