/* timerfd_epoll_ok: an event loop on epoll with a periodic timerfd and an
 * eventfd that a worker signals (Boost.Asio's and many servers' design).
 *
 * The loop counts timer ticks (reading the expiration count, which may be
 * more than one) and worker events; it ends after 3 worker events and at
 * least 5 ticks.  A timer armed on real time would never fire in virtual
 * time (a stall); interleave's timers fire on the virtual clock.
 * Correct.  Expected: no report.
 */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

static int efd;

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) {
    usleep(3000);
    uint64_t one = 1;
    if (write(efd, &one, sizeof one) != sizeof one) return NULL;
  }
  return NULL;
}

int main(void) {
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  efd = eventfd(0, EFD_CLOEXEC);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  assert(tfd >= 0 && efd >= 0 && ep >= 0);
  struct itimerspec its = {{0, 2000000}, {0, 2000000}}; /* every 2 ms */
  timerfd_settime(tfd, 0, &its, NULL);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = tfd};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  ev.data.fd = efd;
  epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
  pthread_t w;
  pthread_create(&w, NULL, worker, NULL);
  uint64_t ticks = 0, events = 0;
  while (events < 3 || ticks < 5) {
    struct epoll_event got[2];
    int n = epoll_wait(ep, got, 2, -1);
    for (int i = 0; i < n; i++) {
      uint64_t v;
      if (read(got[i].data.fd, &v, sizeof v) != sizeof v) continue;
      if (got[i].data.fd == tfd) ticks += v;
      else events += v;
    }
  }
  pthread_join(w, NULL);
  close(tfd);
  assert(events == 3 && ticks >= 5);
  return 0;
}
