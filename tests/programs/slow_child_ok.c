/* slow_child_ok: a child that takes 1.5 s of real time (past the settle
 * limit: a slow child) before it answers on a pipe, while the parent
 * polls with a 30 s timeout.  Virtual time must not run ahead of a slow
 * child: the poll sees the answer, as it does natively.  Expected: no
 * report. */
#include <assert.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/wait.h>

extern char **environ;

int main(void) {
  int p[2];
  assert(pipe(p) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  posix_spawn_file_actions_addclose(&fa, p[0]);
  char *argv[] = {"sh", "-c", "sleep 1.5; echo done", NULL};
  pid_t pid;
  assert(posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ) == 0);
  close(p[1]);
  struct pollfd q = {.fd = p[0], .events = POLLIN};
  assert(poll(&q, 1, 30000) == 1 && "the 30 s timeout fired before the child answered");
  char buf[8];
  assert(read(p[0], buf, sizeof buf) > 0);
  int st;
  assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  return 0;
}
