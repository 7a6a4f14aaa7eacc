/* i_time.c: the virtual clock's entry points.  Sleeps are scheduling
 * points with a deadline; clocks read virtual time; poll/select wait for
 * readiness (re-checked with a zero-timeout real call at every scheduling
 * decision) or their virtual deadline, whichever the scheduler lets come
 * first.  CPU-time clocks are left alone: they measure real work. */
#include "rt.h"
#include <errno.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <threads.h>
#include <unistd.h>

static int virtual_clock(clockid_t c) {
  return c == CLOCK_REALTIME || c == CLOCK_MONOTONIC || c == CLOCK_MONOTONIC_RAW ||
         c == CLOCK_REALTIME_COARSE || c == CLOCK_MONOTONIC_COARSE || c == CLOCK_BOOTTIME ||
         c == CLOCK_TAI;
}

static void vsleep(int64_t deadline, uint64_t pc) {
  il_point(IL_OP_SLEEP, NULL, deadline, pc);
  il_record(IL_OP_SLEEP, NULL, 0, pc, IL_EV_TIMEOUT);
}

IL_EXPORT int clock_gettime(clockid_t c, struct timespec *ts) {
  if (!il_controlled() || !virtual_clock(c)) {
    il_resolve();
    return il_real.clock_gettime(c, ts);
  }
  il_vnow(c, ts, IL_CALLER);
  return 0;
}

IL_EXPORT int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  static int (*real)(struct timeval *, void *);
  if (!il_controlled()) {
    if (!real) real = il_sym("gettimeofday", NULL);
    return real(tv, tz);
  }
  struct timespec ts;
  il_vnow(CLOCK_REALTIME, &ts, IL_CALLER);
  struct timeval *volatile out = tv; /* glibc marks tv nonnull; callers pass NULL anyway */
  if (out) { out->tv_sec = ts.tv_sec; out->tv_usec = ts.tv_nsec / 1000; }
  return 0;
}

IL_EXPORT time_t time(time_t *t) {
  static time_t (*real)(time_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("time", NULL);
    return real(t);
  }
  struct timespec ts;
  il_vnow(CLOCK_REALTIME, &ts, IL_CALLER);
  if (t) *t = ts.tv_sec;
  return ts.tv_sec;
}

IL_EXPORT int timespec_get(struct timespec *ts, int base) {
  static int (*real)(struct timespec *, int);
  if (!il_controlled() || base != TIME_UTC) {
    if (!real) real = il_sym("timespec_get", NULL);
    return real(ts, base);
  }
  il_vnow(CLOCK_REALTIME, ts, IL_CALLER);
  return base;
}

IL_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.nanosleep(req, rem);
  }
  if (!req || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L) { errno = EINVAL; return -1; }
  vsleep(il_rel_to_vdeadline(req), IL_CALLER);
  if (rem) memset(rem, 0, sizeof *rem);
  return 0;
}

IL_EXPORT int clock_nanosleep(clockid_t c, int flags, const struct timespec *req, struct timespec *rem) {
  static int (*real)(clockid_t, int, const struct timespec *, struct timespec *);
  if (!il_controlled() || !virtual_clock(c)) {
    if (!real) real = il_sym("clock_nanosleep", "GLIBC_2.17");
    return real(c, flags, req, rem);
  }
  if (!req || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L) return EINVAL;
  vsleep((flags & TIMER_ABSTIME) ? il_abs_to_vdeadline(c, req) : il_rel_to_vdeadline(req), IL_CALLER);
  if (rem && !(flags & TIMER_ABSTIME)) memset(rem, 0, sizeof *rem);
  return 0;
}

IL_EXPORT unsigned sleep(unsigned s) {
  static unsigned (*real)(unsigned);
  if (!il_controlled()) {
    if (!real) real = il_sym("sleep", NULL);
    return real(s);
  }
  struct timespec ts = {s, 0};
  vsleep(il_rel_to_vdeadline(&ts), IL_CALLER);
  return 0;
}

IL_EXPORT int usleep(useconds_t us) {
  static int (*real)(useconds_t);
  if (!il_controlled()) {
    if (!real) real = il_sym("usleep", NULL);
    return real(us);
  }
  struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
  vsleep(il_rel_to_vdeadline(&ts), IL_CALLER);
  return 0;
}

IL_EXPORT int thrd_sleep(const struct timespec *d, struct timespec *rem) {
  static int (*real)(const struct timespec *, struct timespec *);
  if (!il_controlled()) {
    if (!real) real = il_sym("thrd_sleep", NULL);
    return real(d, rem);
  }
  if (!d || d->tv_nsec < 0 || d->tv_nsec >= 1000000000L) return -2;
  vsleep(il_rel_to_vdeadline(d), IL_CALLER);
  if (rem) memset(rem, 0, sizeof *rem);
  return 0;
}

/* Wait until fds are ready or timeout_ns (-1: none) passes.  Returns 1 if
 * ready (the caller re-polls for real), 0 on timeout. */
int il_wait_ready(int op, struct pollfd *p, nfds_t n, int64_t timeout_ns, uint64_t pc) {
  struct il_thread *me = il_me;
  me->pfds = p;
  me->npfds = n;
  int64_t dl = timeout_ns < 0 ? -1 : il.vclock + timeout_ns;
  /* A read/write/accept names its descriptor; a poll its pollfd array. */
  void *obj = op == IL_OP_POLL ? (void *)p : (void *)(uintptr_t)p[0].fd;
  int timed = il_point(op, obj, dl, pc);
  me->pfds = NULL;
  me->npfds = 0;
  il_record(op, obj, timed ? 0 : 1, pc, timed ? IL_EV_TIMEOUT : 0);
  return !timed;
}
#define wait_ready(p, n, t, pc) il_wait_ready(IL_OP_POLL, p, n, t, pc)

IL_EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.poll(fds, n, timeout);
  }
  uint64_t pc = IL_CALLER;
  if (!wait_ready(fds, n, timeout < 0 ? -1 : timeout * 1000000LL, pc)) {
    for (nfds_t i = 0; i < n; i++) fds[i].revents = 0;
    return 0;
  }
  IL_ENTER();
  int r = il_real.poll(fds, n, 0);
  IL_LEAVE();
  return r;
}

IL_EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *sig) {
  static int (*real)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
  if (!real) real = il_sym("ppoll", NULL);
  if (!il_controlled()) return real(fds, n, ts, sig);
  uint64_t pc = IL_CALLER;
  int64_t to = ts ? (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec : -1;
  if (!wait_ready(fds, n, to, pc)) {
    for (nfds_t i = 0; i < n; i++) fds[i].revents = 0;
    return 0;
  }
  struct timespec zero = {0, 0};
  IL_ENTER();
  int r = real(fds, n, &zero, sig);
  IL_LEAVE();
  return r;
}

#define SEL_MAX 256
static int select_common(int nfds, fd_set *r, fd_set *w, fd_set *e, int64_t to, uint64_t pc) {
  struct pollfd p[SEL_MAX];
  nfds_t n = 0;
  for (int fd = 0; fd < nfds && n < SEL_MAX; fd++) {
    short ev = 0;
    if (r && FD_ISSET(fd, r)) ev |= POLLIN;
    if (w && FD_ISSET(fd, w)) ev |= POLLOUT;
    if (e && FD_ISSET(fd, e)) ev |= POLLPRI;
    if (ev) { p[n].fd = fd; p[n].events = ev; p[n].revents = 0; n++; }
  }
  if (!wait_ready(p, n, to, pc)) {
    if (r) FD_ZERO(r);
    if (w) FD_ZERO(w);
    if (e) FD_ZERO(e);
    return 0;
  }
  IL_ENTER();
  il_real.poll(p, n, 0);
  IL_LEAVE();
  int cnt = 0;
  if (r) FD_ZERO(r);
  if (w) FD_ZERO(w);
  if (e) FD_ZERO(e);
  for (nfds_t i = 0; i < n; i++) {
    if (r && (p[i].revents & (POLLIN | POLLHUP | POLLERR)) && (p[i].events & POLLIN)) { FD_SET(p[i].fd, r); cnt++; }
    if (w && (p[i].revents & (POLLOUT | POLLERR)) && (p[i].events & POLLOUT)) { FD_SET(p[i].fd, w); cnt++; }
    if (e && (p[i].revents & POLLPRI)) { FD_SET(p[i].fd, e); cnt++; }
  }
  return cnt;
}

IL_EXPORT int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv) {
  static int (*real)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
  if (!il_controlled()) {
    if (!real) real = il_sym("select", NULL);
    return real(nfds, r, w, e, tv);
  }
  int64_t to = tv ? (int64_t)tv->tv_sec * 1000000000LL + (int64_t)tv->tv_usec * 1000 : -1;
  return select_common(nfds, r, w, e, to, IL_CALLER);
}

IL_EXPORT int pselect(int nfds, fd_set *r, fd_set *w, fd_set *e, const struct timespec *ts, const sigset_t *sig) {
  static int (*real)(int, fd_set *, fd_set *, fd_set *, const struct timespec *, const sigset_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("pselect", NULL);
    return real(nfds, r, w, e, ts, sig);
  }
  int64_t to = ts ? (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec : -1;
  return select_common(nfds, r, w, e, to, IL_CALLER);
}

/* epoll: the epoll fd itself is readable when events are ready. */
struct epoll_event;
IL_EXPORT int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout) {
  static int (*real)(int, struct epoll_event *, int, int);
  if (!real) real = il_sym("epoll_wait", NULL);
  if (!il_controlled()) return real(epfd, ev, max, timeout);
  struct pollfd p = {.fd = epfd, .events = POLLIN};
  if (!wait_ready(&p, 1, timeout < 0 ? -1 : timeout * 1000000LL, IL_CALLER)) return 0;
  IL_ENTER();
  int r = real(epfd, ev, max, 0);
  IL_LEAVE();
  return r;
}
