/* chld_ways_ok: three ways a server learns that its children ended:
 * sigwaitinfo on a blocked SIGCHLD, a signalfd for SIGCHLD in poll, and a
 * pidfd in poll followed by waitid(P_PIDFD).  A worker thread runs
 * alongside each time.  Expected: no report. */
#include <assert.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int ticks;

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) {
    pthread_mutex_lock(&mu);
    ticks++;
    pthread_mutex_unlock(&mu);
    usleep(1000);
  }
  return NULL;
}

static pid_t start(const char *cmd) {
  char *argv[] = {"sh", "-c", (char *)cmd, NULL};
  pid_t pid;
  assert(posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) == 0);
  return pid;
}

int main(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);

  /* 1: sigwaitinfo */
  pid_t a = start("exit 3");
  siginfo_t si;
  assert(sigwaitinfo(&set, &si) == SIGCHLD);
  int st;
  assert(waitpid(a, &st, 0) == a && WEXITSTATUS(st) == 3);

  /* 2: signalfd in poll */
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  assert(sfd >= 0);
  pid_t b = start("exit 4");
  struct pollfd p = {.fd = sfd, .events = POLLIN};
  assert(poll(&p, 1, 10000) == 1);
  struct signalfd_siginfo ssi;
  assert(read(sfd, &ssi, sizeof ssi) == sizeof ssi && ssi.ssi_signo == SIGCHLD);
  assert(waitpid(b, &st, 0) == b && WEXITSTATUS(st) == 4);

  /* 3: pidfd */
  pid_t c = start("exit 5");
  int pfd = (int)syscall(SYS_pidfd_open, c, 0);
  assert(pfd >= 0);
  struct pollfd q = {.fd = pfd, .events = POLLIN};
  assert(poll(&q, 1, 10000) == 1);
  siginfo_t wi = {0};
  assert(waitid(P_PIDFD, (id_t)pfd, &wi, WEXITED) == 0 && wi.si_pid == c && wi.si_status == 5);
  pthread_join(t, NULL);
  return ticks == 3 ? 0 : 1;
}
