/* i_timer.c: timers on the virtual clock.
 *
 * A timer armed on real time would never fire in virtual time (an epoll
 * loop on a timerfd stalls) or would fire at a real moment that races the
 * schedule (a 20 ms alarm against a run that takes 3 ms of virtual time).
 * So alarm(), setitimer(ITIMER_REAL), timer_create() with SIGEV_SIGNAL or
 * SIGEV_NONE, and timerfd are timers of the model:
 *   - a timer fires when the virtual clock reaches its expiry (sched.c asks
 *     il_timer_next() and calls il_timer_fire()): a deadline of the
 *     scheduler like a sleeper's, that no thread's deadline may pass, and
 *     that moves the clock when no thread can run;
 *   - firing makes its signal pending for the process (i_signal.c), or, for
 *     a timerfd, adds the expirations to the descriptor, which is an
 *     eventfd underneath: read() returns the count and resets it, and
 *     poll/select/epoll see it readable, as with a real timerfd;
 *   - interval timers re-arm; expirations missed while nobody looked are
 *     counted (a timerfd's count, a POSIX timer's overrun).
 * SIGEV_THREAD timers: as glibc, a new thread per expiration runs the
 * notify function; here a controlled dispatcher thread (one per timer,
 * named "timer", exempt from stall suspicion like libc's helper) reads
 * the expirations from an eventfd the model writes, and starts each
 * notification as a controlled detached thread, so the callbacks
 * interleave with the program like any thread.
 * Not modelled: CPU-time clocks and itimers (ITIMER_VIRTUAL/PROF: they
 * measure real work).
 *
 * The table is per execution (cleared at its start); only the baton
 * holder touches it.
 */
#include "rt.h"
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define TIMERS 64
enum { T_FREE = 0, T_ALARM, T_POSIX, T_FD };
static struct vtimer {
  int kind;
  int signo;        /* T_ALARM, T_POSIX: the signal (0: SIGEV_NONE) */
  int fd;           /* T_FD: the eventfd it is; T_POSIX SIGEV_THREAD: its dispatcher's, else -1 */
  clockid_t clk;    /* T_POSIX, T_FD: for absolute expiries */
  int64_t expiry;   /* virtual ns; -1: disarmed */
  int64_t interval; /* 0: one-shot */
  int overrun;
} timers[TIMERS];

void il_timer_reset(void) { memset(timers, 0, sizeof timers); }

int64_t il_timer_next(void) {
  int64_t e = INT64_MAX;
  for (int i = 0; i < TIMERS; i++)
    if (timers[i].kind && timers[i].expiry >= 0 && timers[i].expiry < e) e = timers[i].expiry;
  return e;
}

/* Fire every timer due at the current virtual time. */
void il_timer_fire(void) {
  for (int i = 0; i < TIMERS; i++) {
    struct vtimer *t = &timers[i];
    if (!t->kind || t->expiry < 0 || t->expiry > il.vclock) continue;
    uint64_t n = 1;
    if (t->interval > 0) {
      n += (uint64_t)((il.vclock - t->expiry) / t->interval);
      t->expiry += (int64_t)n * t->interval;
    } else {
      t->expiry = -1;
    }
    if (t->kind == T_FD || (t->kind == T_POSIX && t->fd >= 0)) {
      il_sys(SYS_write, t->fd, (long)&n, sizeof n, 0, 0, 0);
    } else if (t->signo > 0) {
      t->overrun = (int)(n - 1);
      il_signal_raise_process(t->signo);
    }
  }
}

static struct vtimer *slot(void) {
  for (int i = 0; i < TIMERS; i++)
    if (!timers[i].kind) { memset(&timers[i], 0, sizeof timers[i]); timers[i].expiry = -1; return &timers[i]; }
  return NULL;
}

static void ns_ts(int64_t ns, struct timespec *t) {
  if (ns < 0) ns = 0;
  t->tv_sec = ns / 1000000000LL;
  t->tv_nsec = ns % 1000000000LL;
}
/* Time left before it fires (0: disarmed) and its interval, as the
 * *_gettime calls and the old value of the *_settime calls report them. */
static void spec_of(const struct vtimer *t, struct itimerspec *out) {
  ns_ts(t->expiry >= 0 ? t->expiry - il.vclock : 0, &out->it_value);
  ns_ts(t->interval, &out->it_interval);
}

/* ---- alarm and setitimer(ITIMER_REAL): one per process ---- */

static struct vtimer *alarm_timer(void) {
  for (int i = 0; i < TIMERS; i++)
    if (timers[i].kind == T_ALARM) return &timers[i];
  struct vtimer *t = slot();
  if (t) { t->kind = T_ALARM; t->signo = SIGALRM; }
  return t;
}

IL_EXPORT int setitimer(__itimer_which_t which, const struct itimerval *restrict nv, struct itimerval *restrict ov) {
  static int (*real)(__itimer_which_t, const struct itimerval *, struct itimerval *);
  if (!real) real = il_sym("setitimer", NULL);
  if (which != ITIMER_REAL || !il_controlled()) return real(which, nv, ov);
  struct vtimer *t = alarm_timer();
  if (!t) { errno = EAGAIN; return -1; }
  if (ov) {
    int64_t left = t->expiry >= 0 ? t->expiry - il.vclock : 0;
    ov->it_value.tv_sec = left / 1000000000LL;
    ov->it_value.tv_usec = (left % 1000000000LL) / 1000;
    ov->it_interval.tv_sec = t->interval / 1000000000LL;
    ov->it_interval.tv_usec = (t->interval % 1000000000LL) / 1000;
  }
  if (nv) {
    int64_t v = (int64_t)nv->it_value.tv_sec * 1000000000LL + nv->it_value.tv_usec * 1000LL;
    t->interval = (int64_t)nv->it_interval.tv_sec * 1000000000LL + nv->it_interval.tv_usec * 1000LL;
    t->expiry = v > 0 ? il.vclock + v : -1;
  }
  return 0;
}

IL_EXPORT unsigned alarm(unsigned s) {
  static unsigned (*real)(unsigned);
  if (!real) real = il_sym("alarm", NULL);
  if (!il_controlled()) return real(s);
  struct itimerval nv = {{0, 0}, {(time_t)s, 0}}, ov;
  setitimer(ITIMER_REAL, &nv, &ov);
  return (unsigned)ov.it_value.tv_sec + (ov.it_value.tv_usec > 0);
}

/* ---- POSIX timers: the timer_t we hand out is 1 + the slot ---- */

static struct vtimer *posix_of(timer_t id) {
  uintptr_t k = (uintptr_t)id;
  if (k < 1 || k > TIMERS || timers[k - 1].kind != T_POSIX) return NULL;
  return &timers[k - 1];
}
static int virtual_clock_id(clockid_t c) {
  return c == CLOCK_REALTIME || c == CLOCK_MONOTONIC || c == CLOCK_BOOTTIME;
}

/* SIGEV_THREAD: what one notification runs, and the dispatcher. */
struct notify { void (*fn)(union sigval); union sigval val; };
static void *notify_thread(void *arg) {
  struct notify n = *(struct notify *)arg;
  free(arg);
  n.fn(n.val);
  return NULL;
}
static void *dispatcher(void *arg) {
  struct notify *what = arg;
  int fd = what->val.sival_int;
  struct notify n = {what[1].fn, what[1].val};
  free(what);
  pthread_setname_np(pthread_self(), "timer");
  il_me->service = 1;
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  for (;;) {
    uint64_t k;
    if (read(fd, &k, sizeof k) != (ssize_t)sizeof k) break; /* timer_delete closed it */
    while (k--) {
      struct notify *one = malloc(sizeof *one);
      if (!one) break;
      *one = n;
      pthread_t th;
      if (pthread_create(&th, &at, notify_thread, one)) free(one);
    }
  }
  pthread_attr_destroy(&at);
  return NULL;
}

IL_EXPORT int timer_create(clockid_t c, struct sigevent *ev, timer_t *id) {
  static int (*real)(clockid_t, struct sigevent *, timer_t *);
  if (!real) real = il_sym("timer_create", "GLIBC_2.3.3");
  if (!il_controlled() || !virtual_clock_id(c) ||
      (ev && ev->sigev_notify != SIGEV_SIGNAL && ev->sigev_notify != SIGEV_NONE && ev->sigev_notify != SIGEV_THREAD))
    return real(c, ev, id);
  struct vtimer *t = slot();
  if (!t) { errno = EAGAIN; return -1; }
  t->kind = T_POSIX;
  t->clk = c;
  t->fd = -1;
  t->signo = !ev ? SIGALRM : ev->sigev_notify != SIGEV_SIGNAL ? 0 : ev->sigev_signo;
  if (ev && ev->sigev_notify == SIGEV_THREAD) {
    struct notify *d = malloc(2 * sizeof *d);
    int fd = (int)il_sys(SYS_eventfd2, 0, EFD_CLOEXEC, 0, 0, 0, 0);
    if (!d || fd < 0) { free(d); t->kind = T_FREE; errno = EAGAIN; return -1; }
    d[0].val.sival_int = fd;
    d[1].fn = ev->sigev_notify_function;
    d[1].val = ev->sigev_value;
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    int r = pthread_create(&th, &at, dispatcher, d);
    pthread_attr_destroy(&at);
    if (r) { free(d); il_sys(SYS_close, fd, 0, 0, 0, 0, 0); t->kind = T_FREE; errno = EAGAIN; return -1; }
    t->fd = fd;
  }
  *id = (timer_t)(uintptr_t)(t - timers + 1);
  return 0;
}

IL_EXPORT int timer_settime(timer_t id, int flags, const struct itimerspec *nv, struct itimerspec *ov) {
  static int (*real)(timer_t, int, const struct itimerspec *, struct itimerspec *);
  if (!real) real = il_sym("timer_settime", "GLIBC_2.3.3");
  struct vtimer *t = il_controlled() ? posix_of(id) : NULL;
  if (!t) return real(id, flags, nv, ov);
  if (ov) spec_of(t, ov);
  int64_t v = il_ts_ns(&nv->it_value);
  t->interval = il_ts_ns(&nv->it_interval);
  if (v <= 0 && !(nv->it_value.tv_sec || nv->it_value.tv_nsec)) t->expiry = -1;
  else t->expiry = (flags & TIMER_ABSTIME) ? il_abs_to_vdeadline(t->clk, &nv->it_value) : il.vclock + v;
  return 0;
}

IL_EXPORT int timer_gettime(timer_t id, struct itimerspec *cur) {
  static int (*real)(timer_t, struct itimerspec *);
  if (!real) real = il_sym("timer_gettime", "GLIBC_2.3.3");
  struct vtimer *t = il_controlled() ? posix_of(id) : NULL;
  if (!t) return real(id, cur);
  spec_of(t, cur);
  return 0;
}

IL_EXPORT int timer_getoverrun(timer_t id) {
  static int (*real)(timer_t);
  if (!real) real = il_sym("timer_getoverrun", "GLIBC_2.3.3");
  struct vtimer *t = il_controlled() ? posix_of(id) : NULL;
  return t ? t->overrun : real(id);
}

IL_EXPORT int timer_delete(timer_t id) {
  static int (*real)(timer_t);
  if (!real) real = il_sym("timer_delete", "GLIBC_2.3.3");
  struct vtimer *t = il_controlled() ? posix_of(id) : NULL;
  if (!t) return real(id);
  t->kind = T_FREE;
  if (t->fd >= 0) close(t->fd); /* its dispatcher's read fails: it ends */
  return 0;
}

/* ---- timerfd: an eventfd that the model writes expirations into ---- */

static struct vtimer *fd_timer(int fd) {
  for (int i = 0; i < TIMERS; i++)
    if (timers[i].kind == T_FD && timers[i].fd == fd) return &timers[i];
  return NULL;
}

IL_EXPORT int timerfd_create(int c, int flags) {
  static int (*real)(int, int);
  if (!real) real = il_sym("timerfd_create", NULL);
  if (!il_controlled() || !virtual_clock_id(c)) return real(c, flags);
  struct vtimer *t = slot();
  if (!t) return real(c, flags);
  int efl = ((flags & TFD_NONBLOCK) ? EFD_NONBLOCK : 0) | ((flags & TFD_CLOEXEC) ? EFD_CLOEXEC : 0);
  int fd = (int)il_sys(SYS_eventfd2, 0, efl, 0, 0, 0, 0);
  if (fd < 0) return -1;
  t->kind = T_FD;
  t->fd = fd;
  t->clk = c;
  return fd;
}

IL_EXPORT int timerfd_settime(int fd, int flags, const struct itimerspec *nv, struct itimerspec *ov) {
  static int (*real)(int, int, const struct itimerspec *, struct itimerspec *);
  if (!real) real = il_sym("timerfd_settime", NULL);
  struct vtimer *t = il_controlled() ? fd_timer(fd) : NULL;
  if (!t) return real(fd, flags, nv, ov);
  if (ov) spec_of(t, ov);
  /* Re-arming drops the expirations not yet read, as the kernel does. */
  uint64_t drop;
  int fl = (int)il_sys(SYS_fcntl, fd, F_GETFL, 0, 0, 0, 0);
  il_sys(SYS_fcntl, fd, F_SETFL, fl | O_NONBLOCK, 0, 0, 0);
  il_sys(SYS_read, fd, (long)&drop, sizeof drop, 0, 0, 0);
  il_sys(SYS_fcntl, fd, F_SETFL, fl, 0, 0, 0);
  t->interval = il_ts_ns(&nv->it_interval);
  if (!nv->it_value.tv_sec && !nv->it_value.tv_nsec) t->expiry = -1;
  else t->expiry = (flags & TFD_TIMER_ABSTIME) ? il_abs_to_vdeadline(t->clk, &nv->it_value)
                                               : il.vclock + il_ts_ns(&nv->it_value);
  return 0;
}

IL_EXPORT int timerfd_gettime(int fd, struct itimerspec *cur) {
  static int (*real)(int, struct itimerspec *);
  if (!real) real = il_sym("timerfd_gettime", NULL);
  struct vtimer *t = il_controlled() ? fd_timer(fd) : NULL;
  if (!t) return real(fd, cur);
  spec_of(t, cur);
  return 0;
}

/* close() of a timerfd frees its timer (i_random.c's close calls this). */
void il_timer_closed(int fd) {
  for (int i = 0; i < TIMERS; i++)
    if (timers[i].kind == T_FD && timers[i].fd == fd) timers[i].kind = T_FREE;
}
