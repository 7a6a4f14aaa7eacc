/* popen_system_ok: two threads start shells at the same time, one with
 * popen (reading a command's output, then writing to another's input)
 * and one with system().  Expected: no report. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void *reader(void *arg) {
  (void)arg;
  FILE *f = popen("echo hello; echo world", "r");
  assert(f);
  char a[32], b[32];
  assert(fgets(a, sizeof a, f) && fgets(b, sizeof b, f));
  assert(!strcmp(a, "hello\n") && !strcmp(b, "world\n"));
  assert(pclose(f) == 0);
  FILE *w = popen("read line && test \"$line\" = ping", "w");
  assert(w);
  fputs("ping\n", w);
  int st = pclose(w);
  assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  return NULL;
}

static void *runner(void *arg) {
  (void)arg;
  int st = system("exit 3");
  assert(WIFEXITED(st) && WEXITSTATUS(st) == 3);
  st = system("true");
  assert(st == 0);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, reader, NULL);
  pthread_create(&b, NULL, runner, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
