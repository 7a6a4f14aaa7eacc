/* i_signal.c: signals the program sends itself, and the calls that wait
 * for them.
 *
 * A thread blocked in sigwait(), sigsuspend() or pause() for real holds up
 * the whole serialized program (pbzip2's signal thread, lbzip2's main
 * thread), and a signal sent with kill() or pthread_kill() would run its
 * handler outside the schedule.  So, for signals the program sends to
 * itself, the model keeps:
 *   - a pending set for the process (kill, sigqueue, raise is per thread)
 *     and one per thread (pthread_kill, tgkill, raise);
 *   - each thread's blocked mask (pthread_sigmask and sigprocmask still
 *     set the real one too, for signals from outside);
 *   - waits: sigwait, sigwaitinfo, sigtimedwait (op SIGWAIT: can proceed
 *     once a signal of its set is pending) and sigsuspend, pause (op
 *     SIGSUSPEND: once a signal it does not block is pending);
 * and a pending signal a thread does not block is delivered at that
 * thread's next scheduling point, the handler called there, between two of
 * its operations, at a moment the strategy chose.  A signal whose action
 * is the default is sent for real at that point (a SIGTERM ends the
 * process, as it would); an ignored one is dropped.
 *
 * Signals from outside the process (a terminal's Ctrl-C, SIGPIPE, a
 * child's SIGCHLD) are the kernel's, delivered for real.  The runtime's
 * own signals (SIGSYS for the futex trap, the stack and watchdog signals)
 * are never blocked: a program that blocks everything keeps them.
 */
#include "rt.h"
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BIT(s) (1ULL << ((s) - 1))
static uint64_t proc_pending; /* process-directed, not yet taken */

/* What a signal sent by kill() or pthread_kill() carries. */
static void user_info(siginfo_t *si, int s) {
  memset(si, 0, sizeof *si);
  si->si_signo = s;
  si->si_code = SI_USER;
  si->si_pid = getpid();
  si->si_uid = getuid();
}

static uint64_t to_bits(const sigset_t *set) {
  uint64_t b = 0;
  if (!set) return 0;
  for (int s = 1; s <= 64; s++)
    if (sigismember(set, s) == 1) b |= BIT(s);
  return b;
}

/* Never let the program block or wait for the runtime's own signals. */
static void keep_ours(sigset_t *set) {
  sigdelset(set, SIGSYS);
  sigdelset(set, SIG_STACK);
  sigdelset(set, SIG_WATCHDOG);
  sigdelset(set, SIG_SPIN);
}

/* Signals the model leaves to the kernel: the fatal ones (the runtime's
 * crash handler needs their real context) and the unstoppable ones. */
static int real_only(int s) {
  return s == SIGSEGV || s == SIGBUS || s == SIGFPE || s == SIGILL || s == SIGABRT || s == SIGKILL || s == SIGSTOP ||
         s == SIGSYS || s == SIG_STACK || s == SIG_WATCHDOG || s == SIG_SPIN;
}

/* ---- signalfd: an eventfd that is readable while a signal of its mask
 * is pending for the process (the counter is kept at 1 or 0 to match);
 * read() takes the signals (il_signalfd_read, from i_io.c). ---- */
#define SFDS 8
static struct { int fd; uint64_t mask; } sfds[SFDS];
static int nsfds;

static void sfd_sync(void) {
  for (int i = 0; i < nsfds; i++) {
    int want = (proc_pending & sfds[i].mask) != 0;
    struct pollfd p = {.fd = sfds[i].fd, .events = POLLIN};
    int have = il_sys(SYS_poll, (long)&p, 1, 0, 0, 0, 0) > 0;
    uint64_t v = 1;
    if (want && !have) il_sys(SYS_write, sfds[i].fd, (long)&v, sizeof v, 0, 0, 0);
    if (!want && have) il_sys(SYS_read, sfds[i].fd, (long)&v, sizeof v, 0, 0, 0); /* readable: no wait */
  }
}

void il_signal_reset(void) { proc_pending = 0; nsfds = 0; }

/* Signal s is now pending, for thread `to` or (NULL) the process; a
 * signalfd whose mask holds it becomes readable. */
static void make_pending(struct il_thread *to, int s) {
  if (to) to->sig_pending |= BIT(s);
  else proc_pending |= BIT(s);
  if (nsfds) sfd_sync();
}

/* --signal: the signal from outside, once per execution, at a step drawn
 * from the execution's seed (so a replay sends it at the same step). */
void il_signal_inject(void) {
  if (!il.req.inject_signal || il.shm->res.injected || il.step < il.inject_step) return;
  il.shm->res.injected = 1;
  il.shm->res.injected_step = (uint32_t)il.step;
  make_pending(NULL, il.req.inject_signal);
  if (il_me) il_record(IL_OP_SIGNAL_SEND, (void *)(intptr_t)il.req.inject_signal, -2, il_me->pc, 0);
}

/* A timer's signal (i_timer.c): pending for the process. */
void il_signal_raise_process(int s) {
  if (s >= 1 && s <= 64) make_pending(NULL, s);
}

/* The thread's real mask, read back into the model (thread start, and
 * after every change). */
void il_signal_read_mask(struct il_thread *t) {
  sigset_t cur;
  IL_ENTER();
  pthread_sigmask(SIG_BLOCK, NULL, &cur);
  IL_LEAVE();
  t->sig_mask = to_bits(&cur);
}

uint64_t il_signal_pending(const struct il_thread *t) { return proc_pending | t->sig_pending; }

/* Take one signal of `bits` from t's pending sets; 0 if none. */
static int take(struct il_thread *t, uint64_t bits) {
  uint64_t p = (t->sig_pending | proc_pending) & bits;
  if (!p) return 0;
  int s = __builtin_ctzll(p) + 1;
  if (t->sig_pending & BIT(s)) t->sig_pending &= ~BIT(s);
  else proc_pending &= ~BIT(s);
  if (nsfds) sfd_sync();
  return s;
}

static void run_handler(struct il_thread *t, int s) {
  struct sigaction sa;
  sigaction(s, NULL, &sa);
  if (sa.sa_handler == SIG_IGN) return;
  if (sa.sa_handler == SIG_DFL) {
    /* The default action, for real: ends the process (a crash verdict
     * names the signal), or nothing (SIGCHLD, SIGURG, SIGWINCH). */
    if (s == SIGCHLD || s == SIGURG || s == SIGWINCH || s == SIGCONT || s == SIGSTOP || s == SIGTSTP ||
        s == SIGTTIN || s == SIGTTOU)
      return;
    il_record(IL_OP_SIGNAL, (void *)(intptr_t)s, 1, t->pc, 0);
    /* The injected signal's default action ends the process: what an
     * operator's SIGTERM does to a program without a handler, no bug. */
    if (s == il.req.inject_signal && il.shm->res.injected) il.shm->res.injected = 2;
    il_sys(SYS_tgkill, getpid(), t->os_tid, s, 0, 0, 0);
    return;
  }
  il_record(IL_OP_SIGNAL, (void *)(intptr_t)s, 0, t->pc, 0);
  uint64_t saved = t->sig_mask;
  t->sig_mask |= to_bits(&sa.sa_mask) | ((sa.sa_flags & SA_NODEFER) ? 0 : BIT(s));
  if (sa.sa_flags & SA_SIGINFO) {
    siginfo_t si;
    if (s != SIGCHLD || !il_chld_info(&si)) user_info(&si, s);
    sa.sa_sigaction(s, &si, NULL);
  } else {
    sa.sa_handler(s);
  }
  t->sig_mask = saved;
  if (sa.sa_flags & SA_RESETHAND) {
    struct sigaction dfl = {0};
    dfl.sa_handler = SIG_DFL;
    sigaction(s, &dfl, NULL);
  }
}

/* At a scheduling point of t (sched.c, after t was chosen): run the
 * handlers of the pending signals it does not block. */
void il_signal_deliver(struct il_thread *t) {
  int s;
  while ((s = take(t, ~t->sig_mask))) {
    if (real_only(s)) continue;
    run_handler(t, s);
  }
}

/* ---- sending ---- */

static int send(struct il_thread *to, int s, uint64_t pc) {
  if (s < 1 || s > 64) { errno = EINVAL; return -1; }
  il_point(IL_OP_SIGNAL_SEND, (void *)(intptr_t)s, -1, pc);
  make_pending(to, s);
  il_record(IL_OP_SIGNAL_SEND, (void *)(intptr_t)s, to ? to->idx : -1, pc, 0);
  /* The sender may be the one to take it (raise): at once, as the kernel
   * does before raise returns. */
  il_signal_deliver(il_me);
  return 0;
}

IL_EXPORT int kill(pid_t pid, int s) {
  static int (*real)(pid_t, int);
  if (!real) real = il_sym("kill", NULL);
  if (s == 0 || real_only(s) || !il_controlled() || (pid != getpid() && pid != 0)) return real(pid, s);
  return send(NULL, s, IL_CALLER);
}

IL_EXPORT int raise(int s) {
  static int (*real)(int);
  if (!real) real = il_sym("raise", NULL);
  if (s == 0 || real_only(s) || !il_controlled()) return real(s);
  return send(il_me, s, IL_CALLER);
}

IL_EXPORT int pthread_kill(pthread_t th, int s) {
  static int (*real)(pthread_t, int);
  if (!real) real = il_sym("pthread_kill", "GLIBC_2.34");
  struct il_thread *t;
  if (s == 0 || real_only(s) || !il_controlled() || !(t = il_find_thread(th))) return real(th, s);
  if (t->state == IL_T_DONE || t->exiting) return 0; /* gone: as the kernel would, nothing */
  return send(t, s, IL_CALLER) ? errno : 0;
}

IL_EXPORT int sigqueue(pid_t pid, int s, const union sigval v) {
  static int (*real)(pid_t, int, const union sigval);
  if (!real) real = il_sym("sigqueue", NULL);
  if (s == 0 || real_only(s) || !il_controlled() || pid != getpid()) return real(pid, s, v);
  return send(NULL, s, IL_CALLER);
}

IL_EXPORT int tgkill(pid_t tgid, pid_t tid, int s) {
  static int (*real)(pid_t, pid_t, int);
  if (!real) real = il_sym("tgkill", NULL);
  if (s == 0 || real_only(s) || !il_controlled() || tgid != getpid()) return real(tgid, tid, s);
  for (int i = 0; i < il.nthreads; i++)
    if (il.threads[i].os_tid == tid && il.threads[i].state != IL_T_DONE) return send(&il.threads[i], s, IL_CALLER);
  return real(tgid, tid, s);
}

/* ---- masks ---- */

static int set_mask(int how, const sigset_t *set, sigset_t *old, int thread) {
  static int (*real_p)(int, const sigset_t *, sigset_t *), (*real_s)(int, const sigset_t *, sigset_t *);
  if (!real_p) real_p = il_sym("pthread_sigmask", "GLIBC_2.32");
  if (!real_s) real_s = il_sym("sigprocmask", NULL);
  sigset_t copy;
  if (set) { copy = *set; keep_ours(&copy); }
  int r = thread ? real_p(how, set ? &copy : NULL, old) : real_s(how, set ? &copy : NULL, old);
  if (il_controlled() && set) {
    il_signal_read_mask(il_me);
    il_signal_deliver(il_me); /* unblocked a pending one: it arrives now */
  }
  return r;
}
IL_EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old) { return set_mask(how, set, old, 1); }
IL_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old) { return set_mask(how, set, old, 0); }

/* ---- waiting ---- */

/* sigwait family: 0 and the signal, or -1 on timeout (deadline >= 0). */
static int wait_for(const sigset_t *set, int64_t deadline, uint64_t pc) {
  struct il_thread *me = il_me;
  me->sig_wait = to_bits(set);
  int timed_out = il_point(IL_OP_SIGWAIT, (void *)(uintptr_t)me->sig_wait, deadline, pc);
  int s = take(me, me->sig_wait);
  me->sig_wait = 0;
  il_record(IL_OP_SIGWAIT, (void *)(intptr_t)s, s ? 0 : EAGAIN, pc, timed_out && !s ? IL_EV_TIMEOUT : 0);
  return s ? s : -1;
}

IL_EXPORT int sigwait(const sigset_t *set, int *sig) {
  static int (*real)(const sigset_t *, int *);
  if (!real) real = il_sym("sigwait", NULL);
  if (!il_controlled()) return real(set, sig);
  int s = wait_for(set, -1, IL_CALLER);
  *sig = s;
  return 0;
}

IL_EXPORT int sigwaitinfo(const sigset_t *set, siginfo_t *info) {
  static int (*real)(const sigset_t *, siginfo_t *);
  if (!real) real = il_sym("sigwaitinfo", NULL);
  if (!il_controlled()) return real(set, info);
  int s = wait_for(set, -1, IL_CALLER);
  if (info) user_info(info, s);
  return s;
}

IL_EXPORT int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *ts) {
  static int (*real)(const sigset_t *, siginfo_t *, const struct timespec *);
  if (!real) real = il_sym("sigtimedwait", NULL);
  if (!il_controlled()) return real(set, info, ts);
  if (ts && !il_valid_ts(ts)) { errno = EINVAL; return -1; }
  int s = wait_for(set, ts ? il_rel_to_vdeadline(ts) : -1, IL_CALLER);
  if (s < 0) { errno = EAGAIN; return -1; }
  if (info) user_info(info, s);
  return s;
}

/* sigsuspend, pause: wait with `mask` blocked until a signal is handled. */
static int suspend(uint64_t mask, uint64_t pc) {
  struct il_thread *me = il_me;
  uint64_t saved = me->sig_mask;
  me->sig_mask = mask;
  il_point(IL_OP_SIGSUSPEND, NULL, -1, pc);
  il_signal_deliver(me); /* with the temporary mask */
  me->sig_mask = saved;
  il_record(IL_OP_SIGSUSPEND, NULL, EINTR, pc, 0);
  errno = EINTR;
  return -1;
}

IL_EXPORT int sigsuspend(const sigset_t *mask) {
  static int (*real)(const sigset_t *);
  if (!real) real = il_sym("sigsuspend", NULL);
  if (!il_controlled()) return real(mask);
  sigset_t m = *mask;
  keep_ours(&m);
  return suspend(to_bits(&m), IL_CALLER);
}

IL_EXPORT int pause(void) {
  static int (*real)(void);
  if (!real) real = il_sym("pause", NULL);
  if (!il_controlled()) return real();
  return suspend(il_me->sig_mask, IL_CALLER);
}

/* ---- signalfd ---- */

IL_EXPORT int signalfd(int fd, const sigset_t *mask, int flags) {
  static int (*real)(int, const sigset_t *, int);
  if (!real) real = il_sym("signalfd", NULL);
  if (!il_controlled()) return real(fd, mask, flags);
  for (int i = 0; i < nsfds; i++)
    if (sfds[i].fd == fd) { sfds[i].mask = to_bits(mask); sfd_sync(); return fd; }
  if (fd != -1) return real(fd, mask, flags);
  if (nsfds == SFDS) { errno = EMFILE; return -1; }
  int efl = ((flags & SFD_NONBLOCK) ? EFD_NONBLOCK : 0) | ((flags & SFD_CLOEXEC) ? EFD_CLOEXEC : 0);
  int e = (int)il_sys(SYS_eventfd2, 0, efl, 0, 0, 0, 0);
  if (e < 0) return -1;
  sfds[nsfds].fd = e;
  sfds[nsfds].mask = to_bits(mask);
  nsfds++;
  sfd_sync();
  return e;
}

int il_signalfd(int fd) {
  for (int i = 0; i < nsfds; i++)
    if (sfds[i].fd == fd) return i;
  return -1;
}

/* read() on a signalfd: the caller (i_io.c) waited until it is readable,
 * unless it is non-blocking.  Takes up to n / 128 signals of its mask. */
ssize_t il_signalfd_read(int k, void *buf, size_t n) {
  struct signalfd_siginfo *out = buf;
  size_t max = n / sizeof *out, got = 0;
  if (!max) { errno = EINVAL; return -1; }
  while (got < max) {
    uint64_t p = proc_pending & sfds[k].mask;
    if (!p) break;
    int s = __builtin_ctzll(p) + 1;
    proc_pending &= ~BIT(s);
    memset(&out[got], 0, sizeof out[got]);
    out[got].ssi_signo = (uint32_t)s;
    out[got].ssi_code = SI_USER;
    out[got].ssi_pid = (uint32_t)getpid();
    out[got].ssi_uid = getuid();
    got++;
  }
  sfd_sync();
  if (!got) { errno = EAGAIN; return -1; }
  return (ssize_t)(got * sizeof *out);
}

void il_signalfd_closed(int fd) {
  for (int i = 0; i < nsfds; i++)
    if (sfds[i].fd == fd) { sfds[i] = sfds[--nsfds]; return; }
}
