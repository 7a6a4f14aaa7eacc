/* sigchld_selfpipe_ok: an event loop learns of its children's exits from
 * a SIGCHLD handler that writes to a self-pipe; the loop polls the pipe
 * and reaps with waitpid(WNOHANG) until none is left.  A second thread
 * starts the jobs.  The handler runs at a scheduling point once the exit
 * is seen, never asynchronously.  Expected: no report. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
#define JOBS 3
static int selfpipe[2];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int started;

static void on_chld(int s) {
  (void)s;
  int e = errno;
  char c = 1;
  if (write(selfpipe[1], &c, 1) < 0) { /* full: a wake-up is pending anyway */ }
  errno = e;
}

static void *starter(void *arg) {
  (void)arg;
  for (int i = 0; i < JOBS; i++) {
    char *argv[] = {"true", NULL};
    pid_t pid;
    assert(posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) == 0);
    pthread_mutex_lock(&mu);
    started++;
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

int main(void) {
  assert(pipe2(selfpipe, O_NONBLOCK | O_CLOEXEC) == 0);
  struct sigaction sa = {0};
  sa.sa_handler = on_chld;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGCHLD, &sa, NULL);
  pthread_t t;
  pthread_create(&t, NULL, starter, NULL);
  int reaped = 0;
  while (reaped < JOBS) {
    struct pollfd p = {.fd = selfpipe[0], .events = POLLIN};
    int r = poll(&p, 1, 5000);
    assert(r > 0 && "no SIGCHLD within 5 s");
    char buf[16];
    while (read(selfpipe[0], buf, sizeof buf) > 0) {}
    int st;
    while (waitpid(-1, &st, WNOHANG) > 0) reaped++;
  }
  pthread_join(t, NULL);
  assert(started == JOBS && reaped == JOBS);
  return 0;
}
