/* omp_spawn_ok: an OpenMP program (so interleave's futex trap is
 * installed: libgomp issues futex system calls itself) that runs child
 * processes, one through posix_spawn and one through fork + exec: itself
 * again, as a plain threaded program whose libc takes futexes, and
 * futex_child_helper, linked with other libraries (so its libc lies
 * elsewhere), which makes a futex call through syscall().  The trap
 * survives execve; a child must still run normally (it used to die of
 * SIGSYS).  Expected: no report. */
#include <assert.h>
#include <omp.h>
#include <pthread.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;

static void *child_worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  ready = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
  return NULL;
}

static int child_main(void) { /* threads, a mutex, a condition: futexes */
  pthread_t t;
  pthread_create(&t, NULL, child_worker, NULL);
  pthread_mutex_lock(&mu);
  while (!ready) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  pthread_join(t, NULL);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "child")) return child_main();
  int sum = 0;
#pragma omp parallel for reduction(+ : sum) num_threads(2)
  for (int i = 0; i < 8; i++) sum += i;
  assert(sum == 28);
  char *args[] = {argv[0], "child", NULL};
  pid_t pid;
  assert(posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ) == 0);
  int st;
  assert(waitpid(pid, &st, 0) == pid);
  assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 && "the spawned child died");
  pid = fork();
  if (pid == 0) {
    execv("/proc/self/exe", args);
    _exit(127);
  }
  assert(waitpid(pid, &st, 0) == pid);
  assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 && "the forked child died");
  char *helper[] = {"futex_child_helper", NULL};
  assert(posix_spawn(&pid, "build/tests/programs/futex_child_helper", NULL, NULL, helper, environ) == 0);
  assert(waitpid(pid, &st, 0) == pid);
  assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 && "the futex helper died");
  return 0;
}
