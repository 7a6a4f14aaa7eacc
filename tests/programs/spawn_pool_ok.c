/* spawn_pool_ok: a pool of four worker threads, each running jobs as
 * child processes with posix_spawn and waiting for each with waitpid; a
 * job's exit status is its result.  Children run for real; their exits
 * are events the scheduler delivers.  Expected: no report. */
#include <assert.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

extern char **environ;
#define WORKERS 4
#define JOBS 3

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int next_job, total;

static void *worker(void *arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&mu);
    int job = next_job < JOBS * WORKERS ? next_job++ : -1;
    pthread_mutex_unlock(&mu);
    if (job < 0) return NULL;
    char code[16];
    snprintf(code, sizeof code, "exit %d", job % 7);
    char *argv[] = {"sh", "-c", code, NULL};
    pid_t pid;
    int r = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
    assert(r == 0);
    int st;
    pid_t w = waitpid(pid, &st, 0);
    assert(w == pid && WIFEXITED(st));
    pthread_mutex_lock(&mu);
    total += WEXITSTATUS(st);
    pthread_mutex_unlock(&mu);
  }
}

int main(void) {
  pthread_t t[WORKERS];
  for (int i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, worker, NULL);
  for (int i = 0; i < WORKERS; i++) pthread_join(t[i], NULL);
  int want = 0;
  for (int j = 0; j < JOBS * WORKERS; j++) want += j % 7;
  assert(total == want && "a job's result was lost");
  return 0;
}
