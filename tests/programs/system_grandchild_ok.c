/* system_grandchild_ok: system() and popen() of commands that the shell
 * runs as a grandchild (/bin/true, /bin/echo), from two threads.  The
 * shell waits in wait4 for the grandchild; a settle that looked at the
 * grandchild just after it ended took the shell for idle, and the
 * execution reported a stall.  Expected: no report. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void *runner(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) assert(system("/bin/true") == 0);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, runner, NULL);
  FILE *f = popen("/bin/echo hi; /bin/true", "r");
  char buf[16];
  assert(f && fgets(buf, sizeof buf, f) && !strcmp(buf, "hi\n"));
  assert(pclose(f) == 0);
  pthread_join(t, NULL);
  return 0;
}
