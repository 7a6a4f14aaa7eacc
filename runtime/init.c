/* init.c: start-up, the fork server, and the fatal-signal and assert hooks.
 *
 * We interpose __libc_start_main so that the fork server runs after every
 * constructor (C++ static init is paid once, not per execution) and while
 * the process is still single-threaded, which fork() requires.  The server
 * forks one child per execution; the child becomes the controlled program
 * and calls the real main.  The server watches the child's progress counter
 * in shared memory: an execution that reaches no scheduling point for
 * watchdog_ms of real time (a spin on a plain variable, a call we do not
 * control) gets SIGKILL, and the server says whether it was spinning.
 */
#include "rt.h"
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

IL_HIDDEN struct il_real il_real;
char il_preload[512];

void il_die(const char *msg) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, "interleave runtime: %s\n", msg);
  if (write(2, buf, (size_t)n) < 0) { /* already dying */ }
  _exit(2);
}

/* libc's own definition first (elfsym.c: no malloc, so an allocator that
 * locks cannot recurse into us), then the dynamic linker's. */
void *il_sym(const char *name, const char *version) {
  void *p = version ? il_libc_sym(name, version) : NULL;
  if (!p) p = il_libc_sym(name, NULL);
  if (!p && version) p = dlvsym(RTLD_NEXT, name, version);
  if (!p) p = dlsym(RTLD_NEXT, name);
  if (!p) {
    char m[160];
    snprintf(m, sizeof m, "cannot resolve %s in libc", name);
    il_die(m);
  }
  return p;
}

void il_resolve(void) {
  static int done;
  if (done) return;
  il_in_rt++;
  il_real.pthread_create = il_sym("pthread_create", "GLIBC_2.34");
  il_real.pthread_join = il_sym("pthread_join", "GLIBC_2.34");
  il_real.pthread_detach = il_sym("pthread_detach", "GLIBC_2.34");
  il_real.pthread_exit = il_sym("pthread_exit", "GLIBC_2.34");
  il_real.mutex_lock = il_sym("pthread_mutex_lock", NULL);
  il_real.mutex_trylock = il_sym("pthread_mutex_trylock", "GLIBC_2.34");
  il_real.mutex_unlock = il_sym("pthread_mutex_unlock", NULL);
  il_real.rw_rdlock = il_sym("pthread_rwlock_rdlock", "GLIBC_2.34");
  il_real.rw_wrlock = il_sym("pthread_rwlock_wrlock", "GLIBC_2.34");
  il_real.rw_unlock = il_sym("pthread_rwlock_unlock", "GLIBC_2.34");
  il_real.rw_tryrdlock = il_sym("pthread_rwlock_tryrdlock", "GLIBC_2.34");
  il_real.rw_trywrlock = il_sym("pthread_rwlock_trywrlock", "GLIBC_2.34");
  il_real.spin_trylock = il_sym("pthread_spin_trylock", "GLIBC_2.34");
  il_real.fork = il_sym("fork", NULL);
  il_real.sem_post = il_sym("sem_post", "GLIBC_2.34");
  il_real.sem_trywait = il_sym("sem_trywait", "GLIBC_2.34");
  il_real.sem_getvalue = il_sym("sem_getvalue", "GLIBC_2.34");
  il_real.spin_lock = il_sym("pthread_spin_lock", "GLIBC_2.34");
  il_real.spin_unlock = il_sym("pthread_spin_unlock", "GLIBC_2.34");
  il_real.clock_gettime = il_sym("clock_gettime", "GLIBC_2.17");
  il_real.nanosleep = il_sym("nanosleep", NULL);
  il_real.poll = il_sym("poll", NULL);
  il_real.sched_yield = il_sym("sched_yield", NULL);
  il_real.libc_start_main = il_sym("__libc_start_main", "GLIBC_2.34");
  done = 1;
  il_resolve_free();
  il_in_rt--;
}

__attribute__((constructor)) static void il_ctor(void) { il_resolve(); }

/* ---- fatal signals and assert ---- */

static const int fatal_sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static void on_fatal(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  struct il_result *r = &il.shm->res;
  il_in_rt++;
  if (r->verdict == IL_V_NONE) {
    r->verdict = IL_V_CRASH;
    r->thread = il_me ? il_me->idx : -1;
    r->pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    r->addr = (uint64_t)(uintptr_t)si->si_addr;
    if (il_hook_pc) r->pc = il_hook_pc - 1; /* inside the call of the hook: the access's line */
  }
  r->signo = sig;
  if (il.active && il_me) {
    /* Stacks of everyone, then die of the same signal. */
    int n;
    il_capture_stack(r->stack, &n, 1);
    if (il_hook_pc) { /* drop the hook's frames: the stack starts at the access */
      int k = 0;
      while (k < n && r->stack[k] != il_hook_pc) k++;
      if (k < n) {
        memmove(r->stack, r->stack + k, (size_t)(n - k) * sizeof r->stack[0]);
        n -= k;
      }
    }
    r->nstack = n;
    il_snapshot();
    struct il_thread_info *ti = &il.shm->threads[il_me->idx];
    memcpy(ti->stack, r->stack, sizeof r->stack);
    ti->nstack = n;
  }
  il_in_rt--;
  signal(sig, SIG_DFL);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  sigprocmask(SIG_UNBLOCK, &s, NULL);
  raise(sig);
  _exit(128 + sig);
}

/* glibc's assert() ends here; record the message, then let it abort. */
IL_EXPORT void __assert_fail(const char *assertion, const char *file, unsigned int line,
                   const char *function) {
  static void (*real)(const char *, const char *, unsigned int, const char *);
  if (!real) real = il_sym("__assert_fail", NULL);
  if (il.shm && il.active && il.shm->res.verdict == IL_V_NONE) {
    struct il_result *r = &il.shm->res;
    r->verdict = IL_V_ASSERT;
    r->thread = il_me ? il_me->idx : -1;
    r->pc = IL_CALLER;
    strncpy(r->msg, assertion, IL_MSG_SIZE - 1);
    strncpy(r->assert_file, file, sizeof r->assert_file - 1);
    strncpy(r->assert_func, function ? function : "", sizeof r->assert_func - 1);
    r->assert_line = (int32_t)line;
  }
  real(assertion, file, line, function);
  __builtin_unreachable();
}

static void install_fatal_handlers(void) {
  static char altstack[64 * 1024];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
  sigaltstack(&ss, NULL);
  struct sigaction sa = {0};
  sa.sa_sigaction = on_fatal;
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
  for (size_t i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++) sigaction(fatal_sigs[i], &sa, NULL);
}

/* ---- the fork server ---- */

static int (*user_main)(int, char **, char **);
static int ctl_fd = -1, status_fd = -1;

static int read_full(int fd, void *buf, size_t n) {
  char *p = buf;
  while (n) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r; n -= (size_t)r;
  }
  return 0;
}
static int write_full(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n) {
    ssize_t r = write(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r; n -= (size_t)r;
  }
  return 0;
}

static int64_t now_ms(void) {
  struct timespec ts;
  il_real.clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A thread's CPU time (clock ticks) and scheduler state ('R' running or
 * runnable, 'S'/'D' asleep in the kernel), from /proc. */
static long task_cpu_ticks(pid_t pid, pid_t tid, char *state) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  long utime = 0, stime = 0;
  char st = '?';
  /* fields after ")": state(3) ... utime(14) stime(15) */
  if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &st, &utime, &stime) != 3) return -1;
  if (state) *state = st;
  return utime + stime;
}

/* Wait for one execution, enforcing the watchdog.  "No scheduling point
 * for too long" is judged by the stuck thread's own time, never by the
 * wall clock alone, so a loaded machine cannot fake it:
 *   - spinning: it used watchdog_ms of CPU time since the last point;
 *   - blocked in a call interleave does not control: it slept in the
 *     kernel ('S', not a disk wait 'D') for watchdog_ms, counted only
 *     while it slept.
 * Time it spent runnable but not running (the host is busy) counts for
 * neither.  A hard wall-clock cap (30x) still ends anything else.  The CLI
 * confirms a watchdog by re-running the schedule before reporting it. */
static int wait_child(pid_t pid) {
  pid_t first = pid;
  int pidfd = (int)il_sys(SYS_pidfd_open, pid, 0, 0, 0, 0, 0);
  uint64_t last = (uint64_t)-1;
  int64_t since = now_ms(), wd = il.shm->req.watchdog_ms ? il.shm->req.watchdog_ms : 2000;
  int64_t prev = since, slept_ms = 0;
  long cpu0 = -1;
  int32_t tid0 = 0;
  int killed = 0;
  long hz = sysconf(_SC_CLK_TCK);
  /* spin.c: a baton holder spinning for spin_ms of CPU is asked to make
   * a point, and again every spin_ms/2 while it still has not (its
   * interrupted instruction may have been in libc). */
  int64_t spin_ms = il.shm->req.spin_ms, spin_sent_ms = -1;
  uint64_t outside = il.shm->outside;
  for (;;) {
    int st;
    pid_t r = waitpid(pid, &st, pidfd >= 0 ? WNOHANG : 0);
    if (r == pid) {
      if (pidfd >= 0) close(pidfd);
      int32_t h = il.shm->handover_pid;
      if (!h || h == pid) return st;
      /* It daemonized: the execution goes on in the child it handed over
       * to (ours now: the server is a subreaper). */
      pid = h;
      pidfd = (int)il_sys(SYS_pidfd_open, pid, 0, 0, 0, 0, 0);
      last = (uint64_t)-1;
      continue;
    }
    /* A followed daemon child whose own parent has not exited yet is not
     * ours until it does: keep polling. */
    if (r < 0 && errno == ECHILD && pid != first && pidfd >= 0) {
      struct pollfd q = {.fd = pidfd, .events = POLLIN};
      if (il_real.poll(&q, 1, 0) > 0) { close(pidfd); return 0; } /* ended under its own parent */
    } else if (r < 0 && errno != EINTR) { if (pidfd >= 0) close(pidfd); return -1; }
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    il_real.poll(&p, 1, 25);
    uint64_t prog = il.shm->progress;
    int32_t tid = il.shm->running_tid; /* set by the chosen thread once it runs, after progress */
    int64_t t = now_ms();
    if (prog != last || tid != tid0 || il.shm->outside != outside) { /* outside: waiting for its children */
      outside = il.shm->outside;
      last = prog; since = prev = t; slept_ms = 0; cpu0 = -1; spin_sent_ms = -1;
      tid0 = tid;
      continue;
    }
    /* /proc only once it looks stuck (sooner when spins are preempted) */
    if (killed || t - since < (spin_ms && spin_ms < 200 ? spin_ms / 2 : 100)) { prev = t; continue; }
    char state = '?';
    long cpu = task_cpu_ticks(pid, tid0, &state);
    if (cpu0 < 0) cpu0 = cpu;
    /* Only an interruptible sleep ('S': a lock, a pipe, a futex that may
     * never be released) counts; a disk wait ('D': SQLite's fsync on a
     * busy disk) ends by itself, and the 30x cap still bounds it. */
    if (state == 'S') slept_ms += t - prev;
    prev = t;
    int64_t cpu_ms = cpu >= 0 && cpu0 >= 0 ? (cpu - cpu0) * 1000 / hz : 0;
    if (spin_ms && tid0 > 0 && state == 'R' && cpu_ms >= spin_ms && cpu_ms < wd &&
        (spin_sent_ms < 0 || cpu_ms - spin_sent_ms >= spin_ms / 2)) {
      il_spin_send(pid, tid0, prog);
      spin_sent_ms = cpu_ms;
      continue;
    }
    int spin = cpu_ms >= wd, blocked = slept_ms >= wd, cap = t - since >= 30 * wd;
    if (!(spin || blocked || cap)) continue;
    il.shm->res.watch_spin = spin || (!blocked && state == 'R');
    if (il.shm->res.verdict == IL_V_NONE) {
      il.shm->res.verdict = IL_V_WATCHDOG;
      il.shm->res.thread = -1;
      for (int i = 0; i < IL_MAX_THREADS; i++)
        if (il.shm->threads[i].os_tid == tid0 && tid0) { il.shm->res.thread = i; break; }
      il.shm->res.steps = prog;
    }
    /* Ask the stuck thread for its stack and everyone's state (its
     * handler exits); SIGKILL if it cannot answer in time. */
    if (tid0 > 0) il_sys(SYS_tgkill, pid, tid0, SIG_WATCHDOG, 0, 0, 0);
    for (int i = 0; i < 50; i++) {
      struct pollfd q = {.fd = pidfd, .events = POLLIN};
      if (pidfd < 0 || il_real.poll(&q, 1, 10) > 0) break;
    }
    kill(pid, SIGKILL);
    killed = 1;
  }
}

/* The execution's children that outlived it were handed to the server (a
 * subreaper): end them, and theirs, so that no process of an execution
 * survives it. */
static int kill_one(pid_t pid, char state, void *found) {
  (void)state;
  kill(pid, SIGKILL);
  ++*(int *)found;
  return 1;
}
static void kill_leftovers(void) {
  pid_t me = getpid();
  for (int round = 0; round < 16; round++) {
    int found = 0;
    il_proc_children(me, kill_one, &found);
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    if (!found) return;
    struct timespec ms = {0, 1000000};
    il_real.nanosleep(&ms, NULL);
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
  }
}

static void save_maps(void) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  size_t off = 0;
  ssize_t n;
  while (off < IL_MAPS_SIZE - 1 && (n = read(fd, il.shm->maps + off, IL_MAPS_SIZE - 1 - off)) > 0) off += (size_t)n;
  il.shm->maps[off] = 0;
  close(fd);
}

static void pin_cpu(int cpu) {
  if (cpu < 0) return;
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  sched_setaffinity(0, sizeof s, &s);
}

/* The server's watchdog found no progress: this runs on the stuck
 * thread.  Record where it is and what everyone else waits for, then end. */
static void on_watchdog(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)si; (void)uc;
  struct il_result *r = &il.shm->res;
  if (il_me) {
    il_in_rt++;
    r->thread = il_me->idx;
    int n;
    il_capture_stack(r->stack, &n, 2);
    r->nstack = n;
    il_snapshot();
    struct il_thread_info *ti = &il.shm->threads[il_me->idx];
    memcpy(ti->stack, r->stack, sizeof r->stack);
    ti->nstack = n;
  }
  _exit(IL_V__COUNT + 64);
}

/* The process is about to end (main returned, or exit() was called)
 * while other threads are alive: a scheduling point, since on a real
 * machine they keep running while exit() runs the atexit handlers, and
 * may do anything before the process is gone (SCTBench's `account`: the
 * checker must run after the two workers, all of them created just
 * before main returns).  Once per execution; none when the caller is the
 * last thread (the common, joined case keeps its steps). */
static int exit_pointed;
static void exit_point(uint64_t pc, int code) {
  if (exit_pointed || !il_controlled() || il.nlive <= 1) return;
  exit_pointed = 1;
  il_point(IL_OP_PROC_EXIT, NULL, -1, pc);
  il_record(IL_OP_PROC_EXIT, NULL, code, pc, 0);
}

/* Child side: become execution exec_index and run main. */
static int run_execution(int argc, char **argv, char **envp) {
  if (!il.standalone) prctl(PR_SET_PDEATHSIG, SIGKILL); /* no orphan executions */
  pin_cpu(il.shm->req.cpu);
  install_fatal_handlers();
  struct sigaction sa = {0};
  sa.sa_sigaction = on_watchdog;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIG_WATCHDOG, &sa, NULL);
  il_start_execution();
  int rc = user_main(argc, argv, envp);
  exit_point(0, rc);
  il_note_exit(0, rc);
  exit(rc);
}

/* The process is ending normally (main returned, or exit() was called):
 * keep the thread states and where it happened, for an exit-status report. */
void il_note_exit(uint64_t pc, int code) {
  if (!il.active || !il_me || il.shm->res.verdict != IL_V_NONE) return;
  il.shm->res.thread = il_me->idx;
  il.shm->res.pc = pc;
  il.shm->res.steps = il.step;
  il.shm->res.sync_steps = il.sync_step;
  il.shm->res.ndecisions = (uint32_t)(il.step < IL_MAX_DECISIONS ? il.step : IL_MAX_DECISIONS);
  /* atexit handlers, C++ static destructors and library destructors run
   * next, inside exit(), still under control: they join pools and take
   * locks while the other threads still run (libuv's destructor). */
  if (code == 0) return; /* the common, passing case: no report to prepare */
  il_snapshot();
  int n;
  il_capture_stack(il.shm->threads[il_me->idx].stack, &n, 2);
  il.shm->threads[il_me->idx].nstack = n;
}

IL_EXPORT void exit(int code) {
  static void (*real)(int) __attribute__((noreturn));
  if (!real) real = il_sym("exit", NULL);
  if (il_controlled()) {
    exit_point(IL_CALLER, code);
    il_note_exit(IL_CALLER, code);
  }
  il_proc_exiting();
  real(code);
}

static int standalone_main(int argc, char **argv, char **envp, const char *path) {
  /* replay --gdb: one execution in this very process, so a debugger sees
   * the program as it is.  The CLI wrote the request and decisions. */
  il.shm = mmap(NULL, sizeof(struct il_shm), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (il.shm == MAP_FAILED) il_die("cannot map replay state");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) il_die("cannot open the replay decisions file");
  uint32_t n;
  if (read_full(fd, &il.shm->req, sizeof il.shm->req) || read_full(fd, &n, sizeof n) ||
      n > IL_MAX_DECISIONS || read_full(fd, il.shm->decisions, n * sizeof(uint16_t)))
    il_die("corrupt replay decisions file");
  close(fd);
  il.shm->req.replay_len = n;
  il.standalone = 1;
  il_seccomp_init();
  il_sanitizer_init();
  il_spin_init();
  il_spin_monitor_start();
  unsetenv(IL_ENV_STANDALONE);
  unsetenv("LD_PRELOAD");
  return run_execution(argc, argv, envp);
}

static int il_main(int argc, char **argv, char **envp) {
  il_resolve();
  const char *sa = getenv(IL_ENV_STANDALONE);
  if (sa) return standalone_main(argc, argv, envp, sa);
  const char *fds = getenv(IL_ENV_FDS);
  if (!fds) { /* preloaded by hand, or into a child process: inert */
    il_seccomp_child();
    return user_main(argc, argv, envp);
  }
  const char *pre = getenv("LD_PRELOAD");
  if (pre && strlen(pre) < sizeof il_preload) strcpy(il_preload, pre);
  int shm_fd;
  if (sscanf(fds, "%d,%d,%d", &shm_fd, &ctl_fd, &status_fd) != 3) il_die("bad " IL_ENV_FDS);
  il.shm = mmap(NULL, sizeof(struct il_shm), PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd, 0);
  if (il.shm == MAP_FAILED) il_die("cannot map the shared state");
  close(shm_fd);
  if (il.shm->magic != IL_WIRE_MAGIC || il.shm->version != IL_WIRE_VERSION)
    il_die("this libinterleave.so does not match the interleave CLI (wire version)");
  unsetenv(IL_ENV_FDS);
  unsetenv("LD_PRELOAD");
  /* Until here, output went to the CLI's start-up capture (so that a
   * program dying before main can be explained); executions write here. */
  const char *out = getenv(IL_ENV_OUT_FD);
  if (out) {
    int fd = atoi(out);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    unsetenv(IL_ENV_OUT_FD);
  }
  /* Warm up backtrace(): its first call loads libgcc_s, which must not
   * happen inside a signal handler. */
  void *warm[4];
  backtrace(warm, 4);
  il.shm->server_pid = getpid();
  /* Children an execution leaves behind come to the server, which ends
   * them (kill_leftovers), and a daemonizing execution's child can be
   * waited for. */
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  il_proc_init();
  il_seccomp_init();
  il_sanitizer_init();
  il_spin_init();
  save_maps();
  struct il_hello h = {IL_WIRE_MAGIC, IL_WIRE_VERSION, getpid(), 0};
  if (write_full(status_fd, &h, sizeof h)) _exit(2);
  for (;;) {
    char go;
    if (read_full(ctl_fd, &go, 1)) _exit(0); /* CLI closed: done */
    uint64_t idx = il.shm->req.exec_index;
    /* The server sits on its worker's CPU too: every wake-up in the
     * request/fork/wait cycle then stays on one CPU (cross-CPU wake-ups
     * cost about 50 us here). */
    static int pinned = -2;
    if (il.shm->req.cpu != pinned) { pin_cpu(il.shm->req.cpu); pinned = il.shm->req.cpu; }
    fflush(NULL);
    il.shm->spawned = 0; /* before the fork: the execution may set them at once */
    il.shm->handover_pid = 0;
    il.shm->handover_waiting = 0;
    pid_t pid = il_real.fork();
    if (pid < 0) il_die("fork failed");
    if (pid == 0) {
      close(ctl_fd);
      close(status_fd);
      return run_execution(argc, argv, envp);
    }
    int st = wait_child(pid);
    if (il.shm->spawned) kill_leftovers();
    il.shm->res.wstatus = st;
    struct il_done d = {idx, st, 0};
    if (write_full(status_fd, &d, sizeof d)) _exit(0);
  }
}

IL_EXPORT int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
                      void (*init)(void), void (*fini)(void), void (*rtld_fini)(void),
                      void *stack_end) {
  il_resolve();
  user_main = main;
  return il_real.libc_start_main(il_main, argc, argv, init, fini, rtld_fini, stack_end);
}
