/* i_proc.c: child processes.
 *
 * A child runs for real, outside the scheduler: its threads are not
 * serialized and its time is real.  The runtime it would inherit stays
 * inert: the fork server removed LD_PRELOAD and INTERLEAVE_FDS from the
 * environment before the first execution, so an exec'd child never loads
 * it, and a forked one stops being controlled at once (il.active = 0).
 *
 * What the program learns from a child (its exit through wait, waitpid,
 * waitid, SIGCHLD or a pidfd; its output on a pipe or socket) is real, so
 * it is made deterministic by *settling*: before every scheduling
 * decision, every running child is given real time until it waits for the
 * program (it has exited, or all its threads are blocked reading, writing,
 * polling, in a futex or a signal wait), or until it has been busy for
 * SETTLE_MS of real time (a slow child: its effects are then seen when
 * they come, and the report says so).  A child in nanosleep, or in wait4
 * for a grandchild that is still busy (`sh -c`), is busy.  So children
 * act atomically between two decisions of the program: whether the
 * child's exit is seen before or after its parent registers it is the
 * strategy's choice among the program's threads, like any other order,
 * and a replay, which re-runs the children, sees the same effects at the
 * same steps.  Children are re-run, not recorded (rr records): a child
 * whose behaviour depends on something else outside (the network, the
 * clock) can make a replay differ, which the CLI reports as
 * unreproducible, never as a verdict.
 *
 * Virtual time does not move while a child is busy: from the program's
 * point of view children take no time, and a timeout fires only if the
 * child really waits (or is slow).
 *
 * Covered: posix_spawn(p), fork (+ exec), vfork, system, popen/pclose,
 * wait, waitpid, waitid, wait3, wait4, SIGCHLD handlers (the handler runs
 * at a scheduling point once the exit is seen; the kernel's own SIGCHLD is
 * kept from running it asynchronously).  Fork without exec: before the
 * program has threads (daemonizing), the child becomes the program under
 * test when its parent exits (handover); after threads exist, the child
 * runs free, and the report says so.  exec in the controlled process
 * itself is refused: the execution would become another program.
 */
#include "rt.h"
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define SETTLE_MS 1000  /* busy this long: a slow child */
#define WAIT_MS 60000   /* nothing else can happen: wait this long for a slow child */
#define MAXCH 64

static struct child {
  pid_t pid;
  int pidfd;
  int exited;          /* seen to exit (not necessarily reaped) */
  int slow;
  int64_t busy_since;  /* real ms it started being busy; 0: settled */
  FILE *popen_fp;      /* popen's stream, for pclose */
} ch[MAXCH];
static int nch;
static siginfo_t chld_si;    /* the last exit seen: what a SA_SIGINFO SIGCHLD handler is told */
static pid_t handover_child; /* forked with no other thread alive, maybe the program's future */
static int forked_free;      /* this process is a child forked after threads existed */

static int64_t real_ms(void) {
  struct timespec ts;
  il_sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, 0, 0, 0);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static __attribute__((noreturn)) void refuse(const char *what, uint64_t pc) {
  char m[256];
  snprintf(m, sizeof m,
           "the program calls %s() in the process under test: the execution would become another "
           "program, so it stops here", what);
  il_finish(IL_V_UNSUPPORTED, il_me->idx, pc, m);
}

int il_chld_info(siginfo_t *si) {
  if (!chld_si.si_pid) return 0;
  *si = chld_si;
  return 1;
}

void il_proc_reset(void) {
  memset(&chld_si, 0, sizeof chld_si);
  nch = 0;
  il.nchildren = 0;
  handover_child = 0;
}

/* ---- what a child is doing, from /proc ---- */

static ssize_t slurp(const char *path, char *buf, size_t n) {
  int fd = (int)il_sys(SYS_open, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0, 0);
  if (fd < 0) return -1;
  ssize_t r = il_sys(SYS_read, fd, (long)buf, (long)n - 1, 0, 0, 0);
  il_sys(SYS_close, fd, 0, 0, 0, 0, 0);
  if (r < 0) return -1;
  buf[r] = 0;
  return r;
}

/* fn(name, arg) for every numeric entry of directory `dir` (/proc, a
 * process's task/), until fn returns 0; 0 if it stopped early. */
static int each_number(const char *dir, int (*fn)(const char *name, void *arg), void *arg) {
  int dfd = (int)il_sys(SYS_open, (long)dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, 0, 0, 0);
  if (dfd < 0) return 1;
  char buf[4096];
  int go = 1;
  long n;
  while (go && (n = il_sys(SYS_getdents64, dfd, (long)buf, sizeof buf, 0, 0, 0)) > 0) {
    for (long off = 0; go && off < n;) {
      struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(buf + off);
      off += d->reclen;
      if (d->name[0] >= '0' && d->name[0] <= '9') go = fn(d->name, arg);
    }
  }
  il_sys(SYS_close, dfd, 0, 0, 0, 0, 0);
  return go;
}

/* The children of a process, from the parent pid of every process in
 * /proc (/proc/PID/task/TID/children is not always configured). */
struct kids { pid_t ppid; int (*fn)(pid_t, char, void *); void *arg; };
static int kid_entry(const char *name, void *arg) {
  struct kids *k = arg;
  char path[64], st[512];
  snprintf(path, sizeof path, "/proc/%s/stat", name);
  if (slurp(path, st, sizeof st) <= 0) return 1;
  char *p = strrchr(st, ')');
  int ppid = 0;
  char state;
  if (!p || sscanf(p + 2, "%c %d", &state, &ppid) != 2 || ppid != k->ppid) return 1;
  return k->fn(atoi(name), state, k->arg);
}
int il_proc_children(pid_t ppid, int (*fn)(pid_t pid, char state, void *arg), void *arg) {
  struct kids k = {ppid, fn, arg};
  return each_number("/proc", kid_entry, &k);
}

static int proc_settled(pid_t pid, int depth);

/* Are all of pid's children settled?  A process in wait4 with no child
 * left, or with a zombie child, is about to return: busy. */
struct kid_look { int depth, nkids; };
static int kid_settled(pid_t pid, char state, void *arg) {
  struct kid_look *l = arg;
  l->nkids++;
  return state != 'Z' && proc_settled(pid, l->depth + 1);
}
static int descendants_settled(pid_t pid, int depth) {
  if (depth > 4) return 1;
  struct kid_look l = {depth, 0};
  return il_proc_children(pid, kid_settled, &l) && l.nkids > 0;
}

/* Is one task waiting for someone else (settled), or busy?  Settled only
 * when it sleeps interruptibly in a call that waits for a peer (a pipe, a
 * socket, a futex, a signal) or for a child that is itself settled;
 * anything else (running, disk sleep 'D' while the loader reads the
 * binary, nanosleep, execve, mmap) is busy. */
static int task_settled(pid_t pid, const char *tid, int depth) {
  char path[96], buf[512];
  snprintf(path, sizeof path, "/proc/%d/task/%s/stat", (int)pid, tid);
  if (slurp(path, buf, sizeof buf) <= 0) return 1; /* gone */
  char *p = strrchr(buf, ')');
  if (!p) return 1;
  char state = p[2];
  /* A zombie main thread: the process is ending (its pidfd fires next;
   * until then it is busy, so its exit is seen at one settled moment).
   * Another zombie thread is just gone. */
  if (state == 'Z' || state == 'X' || state == 'x') return atoi(tid) != pid;
  if (state == 'T' || state == 't') return 1;
  if (state != 'S') return 0;
  snprintf(path, sizeof path, "/proc/%d/task/%s/syscall", (int)pid, tid);
  if (slurp(path, buf, sizeof buf) <= 0) return 1; /* not readable here: by state alone */
  if (buf[0] < '0' || buf[0] > '9') return 0;       /* "running" */
  switch (atoi(buf)) {
  case SYS_read: case SYS_readv: case SYS_recvfrom: case SYS_recvmsg: case SYS_recvmmsg:
  case SYS_write: case SYS_writev: case SYS_sendto: case SYS_sendmsg: case SYS_sendmmsg:
  case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
  case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2:
  case SYS_accept: case SYS_accept4: case SYS_connect: case SYS_openat: case SYS_open:
  case SYS_futex: case SYS_pause: case SYS_rt_sigsuspend: case SYS_rt_sigtimedwait:
  case SYS_msgrcv: case SYS_msgsnd: case SYS_semop: case SYS_semtimedop: case SYS_flock:
  case SYS_mq_timedreceive: case SYS_mq_timedsend:
    return 1;
  case SYS_wait4: case SYS_waitid: {
    if (!descendants_settled(pid, depth)) return 0;
    /* Its child may have ended while we looked: still asleep in it? */
    char again[512];
    snprintf(path, sizeof path, "/proc/%d/task/%s/stat", (int)pid, tid);
    if (slurp(path, again, sizeof again) <= 0) return 1;
    p = strrchr(again, ')');
    return p && p[2] == 'S';
  }
  default:
    return 0;
  }
}

struct task_look { pid_t pid; int depth; };
static int task_entry(const char *tid, void *arg) {
  const struct task_look *l = arg;
  return task_settled(l->pid, tid, l->depth);
}
static int proc_settled(pid_t pid, int depth) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  struct task_look l = {pid, depth};
  return each_number(path, task_entry, &l);
}

/* ---- settling ---- */

/* Seen to exit: the program may learn it now (waitpid can return, a
 * SIGCHLD is pending). */
static void exited(struct child *c) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (il_sys(SYS_waitid, P_PID, c->pid, (long)&si, WEXITED | WNOHANG | WNOWAIT, 0, 0) == 0 && si.si_pid)
    chld_si = si;
  c->exited = 1;
  il.nchildren--;
  il_sys(SYS_close, c->pidfd, 0, 0, 0, 0, 0);
  c->pidfd = -1;
  il_signal_raise_process(SIGCHLD);
}

static int poll_exits(struct pollfd *p, struct child **who, int n) {
  int changed = 0;
  if (n && il_sys(SYS_poll, (long)p, n, 0, 0, 0, 0) > 0)
    for (int i = 0; i < n; i++)
      if (p[i].revents) { exited(who[i]); changed = 1; }
  return changed;
}

/* The pidfds of the children not yet seen to exit, and how many of them
 * are slow. */
static int live_pidfds(struct pollfd *p, struct child **who, int *nslow) {
  int n = 0;
  if (nslow) *nslow = 0;
  for (int i = 0; i < nch; i++)
    if (!ch[i].exited && ch[i].pidfd >= 0) {
      if (nslow && ch[i].slow) ++*nslow;
      p[n] = (struct pollfd){.fd = ch[i].pidfd, .events = POLLIN};
      who[n++] = &ch[i];
    }
  return n;
}

int il_children_settle(void) {
  int changed = 0;
  for (;;) {
    struct pollfd p[MAXCH];
    struct child *who[MAXCH];
    int n = live_pidfds(p, who, NULL);
    changed |= poll_exits(p, who, n);
    int busy = 0;
    int64_t now = 0;
    for (int i = 0; i < n; i++) {
      struct child *c = who[i];
      if (c->exited || c->slow) continue;
      if (c->pid != il.shm->handover_waiting && proc_settled(c->pid, 0)) { c->busy_since = 0; continue; }
      if (!now) now = real_ms();
      if (!c->busy_since) c->busy_since = now;
      if (now - c->busy_since >= SETTLE_MS) {
        c->slow = 1;
        il.shm->res.warnings |= IL_W_SLOW_CHILD;
        continue;
      }
      p[busy] = (struct pollfd){.fd = c->pidfd, .events = POLLIN};
      who[busy++] = c;
    }
    if (!busy) return changed;
    il.shm->outside++;
    /* Short naps: a child that only blocks (reads its stdin) never makes
     * its pidfd readable. */
    if (il_sys(SYS_poll, (long)p, busy, 1, 0, 0, 0) > 0) changed |= poll_exits(p, who, busy);
  }
}

int il_children_wait_ns(int64_t ns) {
  int64_t start = real_ms(), limit = ns / 1000000 < WAIT_MS ? ns / 1000000 : WAIT_MS;
  while (real_ms() - start < limit) {
    struct pollfd p[MAXCH + IL_MAX_THREADS];
    struct child *who[MAXCH];
    int nslow;
    int n = live_pidfds(p, who, &nslow);
    if (!nslow) {
      if (ns < INT64_MAX) return 0;
      /* Every child waits for the program: it cannot go on.  Look once
       * more after a moment before a stall is declared (a sample of
       * /proc can catch a child between a wake-up and its run). */
      static uint64_t looked_at_step = (uint64_t)-1;
      if (looked_at_step == il.step) return 0;
      looked_at_step = il.step;
      struct timespec ts = {0, 20000000};
      il_sys(SYS_nanosleep, (long)&ts, 0, 0, 0, 0, 0);
      il.shm->outside++;
      il_children_settle();
      return 1; /* look again at what the threads can do */
    }
    int m = n;
    for (int i = 0; i < il.nthreads && m < MAXCH + IL_MAX_THREADS; i++) {
      struct il_thread *t = &il.threads[i];
      if (t->state == IL_T_DONE || t->exiting || !t->pfds) continue;
      for (nfds_t k = 0; k < t->npfds && m < MAXCH + IL_MAX_THREADS; k++) p[m++] = t->pfds[k];
    }
    il.shm->outside++;
    int64_t left = limit - (real_ms() - start);
    if (il_sys(SYS_poll, (long)p, m, left < 100 ? (left > 0 ? left : 0) : 100, 0, 0, 0) > 0) {
      poll_exits(p, who, n);
      return 1;
    }
  }
  return 0;
}

int il_children_wait(void) { return il_children_wait_ns(INT64_MAX); }

int il_children_slow(void) {
  for (int i = 0; i < nch; i++)
    if (!ch[i].exited && ch[i].slow) return 1;
  return 0;
}

/* ---- starting children ---- */

/* The environment a child gets.  Unchanged, except while the futex trap
 * is installed (seccomp.c): the filter survives execve, so the child gets
 * the runtime preloaded (inert there) for its SIGSYS handler, and the same
 * library layout as this process.  The array is leaked on purpose: a
 * handful per execution, in a process that ends with it. */
static char *const *child_env(char *const envp[]) {
  if (!il_seccomp_active || !il_preload[0] || !envp) return envp;
  int n = 0;
  while (envp[n]) n++;
  char **e = malloc((size_t)(n + 2) * sizeof *e);
  static char var[sizeof il_preload + 16];
  if (!e) return envp;
  snprintf(var, sizeof var, "LD_PRELOAD=%s", il_preload);
  int k = 0;
  e[k++] = var;
  for (int i = 0; i < n; i++)
    if (strncmp(envp[i], "LD_PRELOAD=", 11)) e[k++] = envp[i];
  e[k] = NULL;
  return e;
}

/* A child's number in this execution (1, 2, ...): what reports show, so
 * that the same seed prints the same report (pids differ per run); -1 if
 * it is not one the runtime started. */
static int ordinal(pid_t pid) {
  for (int i = 0; i < nch; i++)
    if (ch[i].pid == pid) return i + 1;
  return -1;
}

static void started(pid_t pid) {
  il.shm->spawned = 1;
  if (nch == MAXCH)
    il_finish(IL_V_LIMIT, il_me->idx, il_me->pc, "more than 64 child processes started in one execution");
  struct child *c = &ch[nch++];
  memset(c, 0, sizeof *c);
  c->pid = pid;
  c->pidfd = (int)il_sys(SYS_pidfd_open, pid, 0, 0, 0, 0, 0);
  if (c->pidfd < 0) il_die("pidfd_open failed (Linux 5.3 or later is needed for child processes)");
  il.nchildren++;
}

static int (*real_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
                         char *const[], char *const[]);
static int (*real_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
                          char *const[], char *const[]);

static void resolve_spawn(void) {
  if (!real_spawn) real_spawn = il_sym("posix_spawn", "GLIBC_2.15");
  if (!real_spawnp) real_spawnp = il_sym("posix_spawnp", "GLIBC_2.15");
}

static int spawn(int path_search, pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *at, char *const argv[], char *const envp[], uint64_t pc) {
  resolve_spawn();
  il_point(IL_OP_SPAWN, NULL, -1, pc);
  pid_t p = 0;
  IL_ENTER();
  int r = (path_search ? real_spawnp : real_spawn)(&p, path, fa, at, argv, child_env(envp));
  IL_LEAVE();
  if (r == 0) {
    started(p);
    if (pid) *pid = p;
  }
  il_record(IL_OP_SPAWN, (void *)(intptr_t)(r ? 0 : ordinal(p)), r, pc, 0);
  return r;
}

IL_EXPORT int posix_spawn(pid_t *pid, const char *p, const posix_spawn_file_actions_t *fa,
                          const posix_spawnattr_t *at, char *const a[], char *const e[]) {
  if (!il_controlled()) {
    resolve_spawn();
    return real_spawn(pid, p, fa, at, a, e);
  }
  return spawn(0, pid, p, fa, at, a, e, IL_CALLER);
}
IL_EXPORT int posix_spawnp(pid_t *pid, const char *p, const posix_spawn_file_actions_t *fa,
                           const posix_spawnattr_t *at, char *const a[], char *const e[]) {
  if (!il_controlled()) {
    resolve_spawn();
    return real_spawnp(pid, p, fa, at, a, e);
  }
  return spawn(1, pid, p, fa, at, a, e, IL_CALLER);
}

/* fork: a scheduling point, then the real fork.  The child stops being
 * controlled at once; it is a free process (exec, or the program's own
 * code, which the report then mentions) unless the program had no other
 * thread, in which case it may become the program (daemonizing). */
static pid_t do_fork(uint64_t pc) {
  il_point(IL_OP_SPAWN, NULL, -1, pc);
  int alone = il.nlive == 1;
  IL_ENTER();
  pid_t p = il_real.fork();
  IL_LEAVE();
  if (p == 0) {
    il.active = alone ? 2 : 0;
    forked_free = !alone;
    return 0;
  }
  if (p > 0) {
    started(p);
    if (alone) handover_child = p;
  }
  il_record(IL_OP_SPAWN, (void *)(intptr_t)(p > 0 ? ordinal(p) : 0), p < 0 ? errno : 0, pc, 0);
  return p;
}

IL_EXPORT pid_t fork(void) {
  if (il.active == 2) il_await_handover(1000);
  if (!il_controlled()) {
    il_resolve();
    return il_real.fork();
  }
  return do_fork(IL_CALLER);
}
IL_EXPORT pid_t vfork(void) { /* as fork: the child may only exec or _exit */
  if (il.active == 2) il_await_handover(1000);
  if (!il_controlled()) {
    il_resolve();
    return il_real.fork();
  }
  return do_fork(IL_CALLER);
}

/* ---- handover: daemonizing ---- */


/* In the parent, as it exits: if it forked while alone and that child is
 * still the same program and alive, the execution continues there. */
static void handover(void) {
  if (!handover_child || il.nlive != 1) return;
  struct child *c = NULL;
  for (int i = 0; i < nch; i++)
    if (ch[i].pid == handover_child) c = &ch[i];
  if (!c || c->exited) return;
  char a[256], b[256], path[64];
  snprintf(path, sizeof path, "/proc/%d/exe", (int)c->pid);
  long na = il_sys(SYS_readlink, (long)path, (long)a, sizeof a - 1, 0, 0, 0);
  long nb = il_sys(SYS_readlink, (long)"/proc/self/exe", (long)b, sizeof b - 1, 0, 0, 0);
  if (na <= 0 || na != nb || memcmp(a, b, (size_t)na)) return; /* it exec'd something else */
  il.shm->handover_step = il.step;
  il.shm->handover_vclock = il.vclock;
  __atomic_store_n(&il.shm->handover_pid, c->pid, __ATOMIC_RELEASE);
  il_sys(SYS_futex, (long)&il.shm->handover_pid, FUTEX_WAKE, 1, 0, 0, 0);
  il.active = 0; /* this process ends uncontrolled */
}

/* In a child forked while the program was alone.  Until its parent exits
 * and hands the execution over, it runs free (an exec'd child never gets
 * further).  Where control matters at once (it forks again, or starts a
 * thread) it waits up to wait_ms of real time for the handover, then runs
 * free for good, which the report mentions.  Returns 1 once it is the
 * program under test. */
int il_await_handover(int wait_ms) {
  pid_t me = (pid_t)il_sys(SYS_getpid, 0, 0, 0, 0, 0, 0);
  int64_t until = real_ms() + wait_ms;
  if (wait_ms) il.shm->handover_waiting = me; /* the parent's settle: busy, not waiting for it */
  for (;;) {
    int32_t h = __atomic_load_n(&il.shm->handover_pid, __ATOMIC_ACQUIRE);
    if (h == me) break;
    if (real_ms() >= until) {
      if (wait_ms) {
        il.shm->handover_waiting = 0;
        il.active = 0;
        __atomic_fetch_or(&il.shm->res.warnings, IL_W_FREE_CHILD, __ATOMIC_RELAXED);
      }
      return 0;
    }
    struct timespec ts = {0, 20000000};
    il_sys(SYS_futex, (long)&il.shm->handover_pid, FUTEX_WAIT, h, (long)&ts, 0, 0);
  }
  il.shm->handover_waiting = 0;
  /* The parent exits now; once this process belongs to the server (a
   * subreaper), it dies with it like any execution. */
  pid_t parent = (pid_t)il_sys(SYS_getppid, 0, 0, 0, 0, 0, 0);
  for (int i = 0; i < 5000 && il_sys(SYS_getppid, 0, 0, 0, 0, 0, 0) == parent && parent != il.shm->server_pid; i++) {
    struct timespec ts = {0, 1000000};
    il_sys(SYS_nanosleep, (long)&ts, 0, 0, 0, 0, 0);
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  il.step = il.shm->handover_step;
  il.vclock = il.shm->handover_vclock;
  il_proc_reset(); /* handover_pid stays: the server follows it once the parent is gone */
  struct il_thread *t = il_me;
  t->os_tid = (int32_t)il_sys(SYS_gettid, 0, 0, 0, 0, 0, 0);
  il.shm->threads[t->idx].os_tid = t->os_tid;
  il.shm->running_tid = t->os_tid;
  il.cur = t;
  il.active = 1;
  return !il_in_rt && !t->exiting;
}

IL_EXPORT void _exit(int code) {
  static void (*real)(int) __attribute__((noreturn));
  if (!real) real = il_sym("_exit", NULL);
  if (il.active == 1 && il_me && !il_in_rt && !il_me->exiting) il_note_exit(IL_CALLER, code);
  il_proc_exiting();
  real(code);
}
IL_EXPORT void _Exit(int code) { _exit(code); }

/* The process ends (exit, _exit, main's return): a parent that forked
 * while alone hands the execution to that child; a child that ran the
 * program's code free is mentioned in the report. */
void il_proc_exiting(void) {
  if (forked_free) __atomic_fetch_or(&il.shm->res.warnings, IL_W_FREE_CHILD, __ATOMIC_RELAXED);
  else if (il.active == 1 && il_me && !il_in_rt) handover();
}

/* ---- waiting for children ---- */

static int idtype_of(pid_t pid, id_t *id) {
  if (pid < -1) { *id = (id_t)-pid; return P_PGID; }
  if (pid == -1) { *id = 0; return P_ALL; }
  if (pid == 0) { *id = 0; return P_PGID; }
  *id = (id_t)pid;
  return P_PID;
}

int il_child_ready(const struct il_thread *t) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  long r = il_sys(SYS_waitid, t->wait_idtype, t->wait_id, (long)&si, t->wait_opts | WNOHANG | WNOWAIT, 0, 0);
  return r < 0 || si.si_pid != 0; /* an error (no such child) returns at once too */
}

/* A wait (op WAITPID) until a child of (idtype, id) can be reaped under
 * `wopts` (waitid's flags); WNOHANG: only a scheduling point. */
static void wait_point(int idtype, id_t id, int wopts, uint64_t pc) {
  struct il_thread *me = il_me;
  me->wait_idtype = idtype;
  me->wait_id = (int)id;
  me->wait_opts = wopts & (WEXITED | WSTOPPED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD);
  il_point(IL_OP_WAITPID, (void *)(intptr_t)id, (wopts & WNOHANG) ? il.vclock : -1, pc);
}

/* result: the child's number, 0 none yet (WNOHANG), -1 error, -2 a
 * child the runtime did not start. */
static void reaped(pid_t p, uint64_t pc) {
  int k = p > 0 ? ordinal(p) : p < 0 ? -1 : 0;
  il_record(IL_OP_WAITPID, NULL, p > 0 && k < 0 ? -2 : k, pc, 0);
}

static int wopts_of(int options) {
  int w = WEXITED;
  if (options & WUNTRACED) w |= WSTOPPED;
  return w | (options & (WCONTINUED | WNOHANG | __WALL | __WCLONE | __WNOTHREAD));
}

static pid_t waitpid_ctl(pid_t pid, int *st, int options, uint64_t pc) {
  static pid_t (*real)(pid_t, int *, int);
  if (!real) real = il_sym("waitpid", NULL);
  id_t id = 0;
  int idt = idtype_of(pid, &id);
  wait_point(idt, id, wopts_of(options), pc);
  IL_ENTER();
  pid_t r = real(pid, st, options | WNOHANG);
  IL_LEAVE();
  if (r == 0 && !(options & WNOHANG)) { /* lost to a handler's waitpid: wait again */
    return waitpid_ctl(pid, st, options, pc);
  }
  reaped(r, pc);
  return r;
}

IL_EXPORT pid_t waitpid(pid_t pid, int *st, int options) {
  static pid_t (*real)(pid_t, int *, int);
  if (!il_controlled()) {
    if (!real) real = il_sym("waitpid", NULL);
    return real(pid, st, options);
  }
  return waitpid_ctl(pid, st, options, IL_CALLER);
}
IL_EXPORT pid_t wait(int *st) {
  static pid_t (*real)(int *);
  if (!il_controlled()) {
    if (!real) real = il_sym("wait", NULL);
    return real(st);
  }
  return waitpid_ctl(-1, st, 0, IL_CALLER);
}

IL_EXPORT pid_t wait4(pid_t pid, int *st, int options, struct rusage *ru) {
  static pid_t (*real)(pid_t, int *, int, struct rusage *);
  if (!real) real = il_sym("wait4", NULL);
  if (!il_controlled()) return real(pid, st, options, ru);
  uint64_t pc = IL_CALLER;
  for (;;) {
    id_t id = 0;
    wait_point(idtype_of(pid, &id), id, wopts_of(options), pc);
    IL_ENTER();
    pid_t r = real(pid, st, options | WNOHANG, ru);
    IL_LEAVE();
    if (r != 0 || (options & WNOHANG)) { reaped(r, pc); return r; }
  }
}
IL_EXPORT pid_t wait3(int *st, int options, struct rusage *ru) { return wait4(-1, st, options, ru); }

IL_EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options) {
  static int (*real)(idtype_t, id_t, siginfo_t *, int);
  if (!real) real = il_sym("waitid", NULL);
  if (!il_controlled()) return real(idtype, id, info, options);
  uint64_t pc = IL_CALLER;
  for (;;) {
    wait_point(idtype, id, options, pc);
    if (info) memset(info, 0, sizeof *info);
    IL_ENTER();
    int r = real(idtype, id, info, options | WNOHANG);
    IL_LEAVE();
    if (r != 0 || (options & WNOHANG) || (info && info->si_pid)) {
      reaped(r == 0 && info ? info->si_pid : r, pc);
      return r;
    }
  }
}

/* ---- system, popen: a shell through posix_spawn ---- */

static int shell(const char *cmd, const posix_spawn_file_actions_t *fa, pid_t *pid, uint64_t pc) {
  char *argv[] = {"sh", "-c", (char *)cmd, NULL};
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  sigset_t def;
  sigemptyset(&def);
  sigaddset(&def, SIGINT);
  sigaddset(&def, SIGQUIT);
  posix_spawnattr_setsigdefault(&at, &def);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
  int r = spawn(0, pid, "/bin/sh", fa, &at, argv, environ, pc);
  posix_spawnattr_destroy(&at);
  return r;
}

IL_EXPORT int system(const char *cmd) {
  static int (*real)(const char *);
  if (!il_controlled()) {
    if (!real) real = il_sym("system", NULL);
    return real(cmd);
  }
  if (!cmd) return 1; /* a shell is there */
  uint64_t pc = IL_CALLER;
  pid_t pid;
  int r = shell(cmd, NULL, &pid, pc);
  if (r) return 127 << 8; /* as if the shell could not run the command */
  int st;
  if (waitpid_ctl(pid, &st, 0, pc) < 0) return -1;
  return st;
}

IL_EXPORT FILE *popen(const char *cmd, const char *mode) {
  static FILE *(*real)(const char *, const char *);
  if (!il_controlled()) {
    if (!real) real = il_sym("popen", NULL);
    return real(cmd, mode);
  }
  uint64_t pc = IL_CALLER;
  int rd = mode[0] == 'r';
  if ((mode[0] != 'r' && mode[0] != 'w') || (mode[1] && mode[1] != 'e')) { errno = EINVAL; return NULL; }
  int p[2];
  if (pipe2(p, O_CLOEXEC)) return NULL;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  /* dup2 clears O_CLOEXEC on the child's end; the other end closes on exec. */
  posix_spawn_file_actions_adddup2(&fa, rd ? p[1] : p[0], rd ? 1 : 0);
  pid_t pid;
  int r = shell(cmd, &fa, &pid, pc);
  posix_spawn_file_actions_destroy(&fa);
  close(rd ? p[1] : p[0]);
  if (r) { close(rd ? p[0] : p[1]); errno = r; return NULL; }
  if (!mode[1]) fcntl(rd ? p[0] : p[1], F_SETFD, 0); /* popen without 'e' leaves it open across exec */
  FILE *f = fdopen(rd ? p[0] : p[1], rd ? "r" : "w");
  if (!f) return NULL;
  for (int i = 0; i < nch; i++)
    if (ch[i].pid == pid) ch[i].popen_fp = f;
  return f;
}

IL_EXPORT int pclose(FILE *f) {
  static int (*real)(FILE *);
  if (!real) real = il_sym("pclose", NULL);
  struct child *c = NULL;
  if (il_controlled())
    for (int i = 0; i < nch; i++)
      if (ch[i].popen_fp == f) c = &ch[i];
  if (!c) return real(f);
  uint64_t pc = IL_CALLER;
  c->popen_fp = NULL;
  fclose(f); /* the child sees EOF on its stdin, or stops writing */
  int st;
  if (waitpid_ctl(c->pid, &st, 0, pc) < 0) return -1;
  return st;
}

/* ---- exec and daemon ---- */

/* A child forked after threads existed that execs is an ordinary child
 * again: it no longer runs the program's code. */
static void exec_free(void) {
  if (il.active == 2) il.active = 0;
  forked_free = 0;
}

#define EXEC_WRAP(name, proto, args)                          \
  IL_EXPORT int name proto {                                  \
    static int (*real) proto;                                 \
    if (il_controlled()) refuse(#name, IL_CALLER);            \
    if (!real) real = il_sym(#name, NULL);                    \
    exec_free();                                              \
    return real args;                                         \
  }
EXEC_WRAP(execve, (const char *p, char *const a[], char *const e[]), (p, a, child_env(e)))
EXEC_WRAP(execvpe, (const char *p, char *const a[], char *const e[]), (p, a, child_env(e)))
EXEC_WRAP(fexecve, (int fd, char *const a[], char *const e[]), (fd, a, child_env(e)))
IL_EXPORT int execv(const char *p, char *const a[]) {
  if (il_controlled()) refuse("execv", IL_CALLER);
  return execve(p, a, environ);
}
IL_EXPORT int execvp(const char *p, char *const a[]) {
  if (il_controlled()) refuse("execvp", IL_CALLER);
  return execvpe(p, a, environ);
}

/* execl and friends take varargs; they are rebuilt for execv*. */
#define MAXARGS 256
static int collect(const char *arg0, va_list ap, char **argv, char ***envp) {
  int n = 0;
  argv[n++] = (char *)arg0;
  while (arg0 && n < MAXARGS - 1 && (argv[n] = va_arg(ap, char *))) n++;
  argv[n] = NULL;
  if (envp) *envp = va_arg(ap, char **);
  return n;
}
IL_EXPORT int execl(const char *p, const char *arg0, ...) {
  if (il_controlled()) refuse("execl", IL_CALLER);
  char *argv[MAXARGS];
  va_list ap;
  va_start(ap, arg0);
  collect(arg0, ap, argv, NULL);
  va_end(ap);
  return execv(p, argv);
}
IL_EXPORT int execlp(const char *p, const char *arg0, ...) {
  if (il_controlled()) refuse("execlp", IL_CALLER);
  char *argv[MAXARGS];
  va_list ap;
  va_start(ap, arg0);
  collect(arg0, ap, argv, NULL);
  va_end(ap);
  return execvp(p, argv);
}
IL_EXPORT int execle(const char *p, const char *arg0, ...) {
  if (il_controlled()) refuse("execle", IL_CALLER);
  char *argv[MAXARGS], **envp;
  va_list ap;
  va_start(ap, arg0);
  collect(arg0, ap, argv, &envp);
  va_end(ap);
  return execve(p, argv, envp);
}

/* daemon(3) forks inside libc, where no wrapper sees it.  With no other
 * thread alive its parent just exits, so following the child is doing
 * what the child does, in this process: a new session, "/" and
 * /dev/null.  With threads alive the child would lose them all. */
IL_EXPORT int daemon(int nochdir, int noclose) {
  static int (*real)(int, int);
  if (!real) real = il_sym("daemon", NULL);
  if (!il_controlled()) return real(nochdir, noclose);
  if (il.nlive != 1)
    il_finish(IL_V_UNSUPPORTED, il_me->idx, IL_CALLER,
              "the program calls daemon() while it has other threads: the daemon would lose them, "
              "so the execution stops here");
  il_point(IL_OP_SPAWN, NULL, -1, IL_CALLER);
  il_record(IL_OP_SPAWN, NULL, 0, IL_CALLER, 0);
  setsid();
  if (!nochdir && chdir("/")) return -1;
  if (!noclose) {
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0) return -1;
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2) close(fd);
  }
  return 0;
}

/* ---- SIGCHLD ----
 * The kernel sends SIGCHLD whenever a child exits, at a real moment: its
 * handler would run outside the schedule.  So the program's SIGCHLD
 * handler is kept in the model and the kernel's disposition stays the
 * default (ignore; SA_NOCLDWAIT and SIG_IGN, which change how children
 * are reaped, are passed on); the model makes SIGCHLD pending when it
 * sees a child exit, and runs the handler at a scheduling point
 * (i_signal.c). */
static struct sigaction chld;  /* the program's action for SIGCHLD */
static int chld_virtual;       /* chld holds a handler function */

static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);

IL_EXPORT int sigaction(int s, const struct sigaction *a, struct sigaction *old) {
  if (!real_sigaction) real_sigaction = il_sym("sigaction", NULL);
  if (s != SIGCHLD || !il.shm) return real_sigaction(s, a, old);
  struct sigaction prev;
  int r = real_sigaction(s, NULL, &prev);
  if (r) return r;
  if (chld_virtual) prev = chld;
  if (a) {
    int fn = a->sa_handler != SIG_DFL && a->sa_handler != SIG_IGN;
    struct sigaction k = *a;
    if (fn) {
      k.sa_handler = SIG_DFL;
      k.sa_flags &= SA_NOCLDWAIT | SA_NOCLDSTOP;
    }
    if ((r = real_sigaction(s, &k, NULL))) return r;
    chld = *a;
    chld_virtual = fn;
  }
  if (old) *old = prev;
  return 0;
}

IL_EXPORT sighandler_t signal(int s, sighandler_t h) {
  static sighandler_t (*real)(int, sighandler_t);
  if (!real) real = il_sym("signal", NULL);
  if (s != SIGCHLD || !il.shm) return real(s, h);
  struct sigaction a, old;
  memset(&a, 0, sizeof a);
  a.sa_handler = h;
  a.sa_flags = SA_RESTART; /* BSD semantics, as glibc's signal() */
  if (sigaction(s, &a, &old)) return SIG_ERR;
  return old.sa_handler;
}

/* A fork inside libc, where no wrapper sees it: the child runs free. */
static void on_fork_child(void) {
  if (il.active == 1) il.active = 0;
}

/* A handler the program installed before main (a constructor) is moved
 * into the model too. */
IL_HIDDEN void il_proc_init(void) {
  pthread_atfork(NULL, NULL, on_fork_child); /* libc_nonshared: no interposer */
  struct sigaction cur;
  if (!real_sigaction) real_sigaction = il_sym("sigaction", NULL);
  if (real_sigaction(SIGCHLD, NULL, &cur) == 0 && cur.sa_handler != SIG_DFL && cur.sa_handler != SIG_IGN)
    sigaction(SIGCHLD, &cur, NULL);
}
