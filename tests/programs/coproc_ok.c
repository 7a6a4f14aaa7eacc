/* coproc_ok: a child filter (`tr a-z A-Z`) fed by one thread through a pipe
 * to its stdin and read by another from its stdout, line by line with
 * stdio, as servers drive an external helper; then reaped.  Expected: no
 * report. */
#include <assert.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int to_child[2], from_child[2];

static void *feeder(void *arg) {
  (void)arg;
  FILE *f = fdopen(to_child[1], "w");
  for (int i = 0; i < 5; i++) fprintf(f, "line %d\n", i);
  fclose(f); /* EOF: the filter ends */
  return NULL;
}

static void *reader(void *arg) {
  int *n = arg;
  FILE *f = fdopen(from_child[0], "r");
  char buf[64];
  while (fgets(buf, sizeof buf, f)) {
    char want[64];
    snprintf(want, sizeof want, "LINE %d\n", *n);
    assert(!strcmp(buf, want) && "the filter's output is out of order");
    (*n)++;
  }
  fclose(f);
  return NULL;
}

int main(void) {
  assert(pipe(to_child) == 0 && pipe(from_child) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, to_child[0], 0);
  posix_spawn_file_actions_adddup2(&fa, from_child[1], 1);
  posix_spawn_file_actions_addclose(&fa, to_child[1]);
  posix_spawn_file_actions_addclose(&fa, from_child[0]);
  char *argv[] = {"tr", "a-z", "A-Z", NULL};
  pid_t pid;
  assert(posix_spawnp(&pid, "tr", &fa, NULL, argv, environ) == 0);
  close(to_child[0]);
  close(from_child[1]);
  int n = 0;
  pthread_t a, b;
  pthread_create(&a, NULL, feeder, NULL);
  pthread_create(&b, NULL, reader, &n);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  int st;
  assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  assert(n == 5);
  return 0;
}
