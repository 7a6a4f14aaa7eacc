/* signalfd_ok: an epoll loop that takes its signals from a signalfd
 * (systemd-style servers): SIGUSR1 means "reload", SIGTERM "stop".  A
 * worker thread sends the process SIGUSR1 and then SIGTERM with kill().
 * Both signals are blocked in every thread, so they stay pending until the
 * loop reads them from the signalfd.  Correct.  Expected: no report.
 */
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void *worker(void *arg) {
  (void)arg;
  usleep(1000);
  kill(getpid(), SIGUSR1);
  usleep(1000);
  kill(getpid(), SIGTERM);
  return NULL;
}

int main(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  assert(sfd >= 0 && ep >= 0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = sfd};
  epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
  pthread_t w;
  pthread_create(&w, NULL, worker, NULL);
  int reloads = 0, stopped = 0;
  while (!stopped) {
    struct epoll_event got;
    if (epoll_wait(ep, &got, 1, -1) != 1) continue;
    struct signalfd_siginfo si;
    if (read(sfd, &si, sizeof si) != sizeof si) continue;
    if (si.ssi_signo == SIGUSR1) reloads++;
    if (si.ssi_signo == SIGTERM) stopped = 1;
  }
  pthread_join(w, NULL);
  close(sfd);
  /* SIGUSR1 may not have been read before SIGTERM if both were pending at
   * once (the lower number comes first: SIGUSR1 = 10 < SIGTERM = 15). */
  assert(reloads == 1);
  return 0;
}
