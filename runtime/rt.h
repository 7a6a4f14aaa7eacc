/* rt.h: the runtime's state, shared by the scheduler and the interceptors.
 *
 * Invariant that everything here rests on: while an execution runs, exactly
 * one controlled thread holds the baton (il.cur) and only that thread reads
 * or writes the scheduler state below.  So nothing here is locked; the
 * baton handoff (a release store + FUTEX_WAKE, an acquire load on the other
 * side) orders every access.
 */
#ifndef IL_RT_H
#define IL_RT_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdatomic.h>
#include <time.h>
#include <poll.h>
#include <signal.h>
#include <errno.h>
#include "../common/wire.h"

#define IL_TLS __thread __attribute__((tls_model("initial-exec")))
#define IL_HIDDEN __attribute__((visibility("hidden")))
#define IL_EXPORT __attribute__((visibility("default")))
#define IL_NOINLINE __attribute__((noinline))
#define IL_CALLER ((uint64_t)(uintptr_t)__builtin_return_address(0))

/* Real libc entry points, resolved once with dlsym(RTLD_NEXT). */
struct il_real {
  int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
  int (*pthread_join)(pthread_t, void **);
  int (*pthread_detach)(pthread_t);
  void (*pthread_exit)(void *) __attribute__((noreturn));
  int (*mutex_lock)(pthread_mutex_t *);
  int (*mutex_trylock)(pthread_mutex_t *);
  int (*mutex_unlock)(pthread_mutex_t *);
  int (*rw_rdlock)(pthread_rwlock_t *);
  int (*rw_wrlock)(pthread_rwlock_t *);
  int (*rw_unlock)(pthread_rwlock_t *);
  int (*rw_tryrdlock)(pthread_rwlock_t *);
  int (*rw_trywrlock)(pthread_rwlock_t *);
  int (*spin_trylock)(pthread_spinlock_t *);
  pid_t (*fork)(void);
  int (*sem_post)(sem_t *);
  int (*sem_trywait)(sem_t *);
  int (*sem_getvalue)(sem_t *, int *);
  int (*spin_lock)(pthread_spinlock_t *);
  int (*spin_unlock)(pthread_spinlock_t *);
  int (*clock_gettime)(clockid_t, struct timespec *);
  int (*nanosleep)(const struct timespec *, struct timespec *);
  int (*poll)(struct pollfd *, nfds_t, int);
  int (*sched_yield)(void);
  int (*libc_start_main)(int (*)(int, char **, char **), int, char **,
                         void (*)(void), void (*)(void), void (*)(void), void *);
};
extern IL_HIDDEN struct il_real il_real;
IL_HIDDEN void il_resolve(void);
IL_HIDDEN void *il_sym(const char *name, const char *version);
IL_HIDDEN void *il_libc_sym(const char *name, const char *version); /* elfsym.c */

/* A waiting thread's condition; see sched.c:enabled(). */
struct il_thread {
  _Atomic uint32_t go;     /* futex word: 1 = holds (or may take) the baton */
  int idx;
  int state;               /* enum il_tstate */
  int op;                  /* pending op (what it waits to do) */
  void *obj;               /* its object */
  void *obj2;              /* cond: the mutex to re-acquire */
  uint64_t pc;             /* call site of the pending op */
  int64_t deadline;        /* virtual ns, -1: none */
  int64_t blocked_since;
  int timed_out;           /* set by the chooser when a deadline fired */
  uint32_t ev_flags;       /* IL_EV_* for its next recorded event */
  int64_t blk_entry;       /* lock-hold: vclock when it blocked holding locks, or -1 */
  uint64_t spin_addr;      /* its last atomic or plain load, to notice a spin */
  int64_t spin_value;
  uint32_t spin_reads;     /* plain reads of spin_addr in a row that saw spin_value */
  int signaled;            /* cond/barrier/futex: woken by a signal or wake */
  uint32_t futex_bitset;   /* FUTEX_WAIT: the bits a wake must meet */
  const void *waitv;       /* futex_waitv: its words (struct waitv[nwaitv]), NULL otherwise */
  int nwaitv, waitv_woken; /* ... how many, and which one a wake took */
  uint64_t sig_pending;    /* i_signal.c: signals sent to this thread, not yet taken */
  uint64_t sig_mask;       /* its blocked signals (bit s-1) */
  uint64_t sig_wait;       /* SIGWAIT: the set it waits for */
  int sig_wake;            /* chosen only to run a signal handler at its point */
  int creating;            /* its creator is still inside the real pthread_create */
  int cancel_pending;      /* pthread_cancel was called on it (i_thread.c) */
  int cancel_disabled;     /* pthread_setcancelstate(PTHREAD_CANCEL_DISABLE) */
  int cancel_now;          /* cond_wait: act on the cancel once the mutex is back */
  uint32_t barrier_gen;
  int wait_idtype, wait_id, wait_opts; /* WAITPID: waitid()'s view of what it waits for */
  struct pollfd *pfds;     /* POLL: what it waits for */
  nfds_t npfds;
  pthread_t pt;
  int32_t os_tid;
  int detached;
  uintptr_t stack_lo, stack_hi; /* tsan.c: its stack (stack_hi 0: not looked up yet) */
  int service;             /* a helper the runtime started (SIGEV_THREAD dispatcher): never suspected of a stall */
  int reaped;               /* joined or detached: its pthread_t may be reused */
  int64_t last_run;         /* vclock when last chosen (starvation check) */
  uint64_t last_run_step;   /* il.step when last chosen */
  int exiting;             /* past its EXIT point; calls run uncontrolled */
  void *(*start)(void *);
  void *arg;
  int c11;                 /* started by thrd_create: int-returning routine */
  void *retval;
  uint64_t prio;           /* PCT/POS priority; higher runs first */
  int64_t ready_since;     /* vclock since which it has been runnable and not run; -1: not */
  int waive;               /* at a point right after a yield: exempt from the lateness bound */
  uint64_t zero_pc;        /* where its last zero-timeout wait was made (a repeat: a polling loop) */
  uint64_t spin_until;     /* spin.c: preempted in a spin, it stays off while others can run, until this step */
  int nheld;
  struct il_held held[IL_HELD_MAX];
};

enum il_kind { K_NONE = 0, K_MUTEX, K_RWLOCK, K_COND, K_SEM, K_BARRIER, K_SPIN, K_ONCE, K_ATOMIC };

/* Shadow of a program synchronization object, keyed by address. */
struct il_obj {
  uintptr_t addr;
  uint8_t kind;
  uint8_t type;            /* mutex: PTHREAD_MUTEX_* & 3 */
  int owner;               /* mutex/spin: holder; rwlock: writer; -1 free */
  int count;               /* recursion / readers / sem value / arrived */
  int needed;              /* barrier */
  uint32_t gen;            /* barrier generation */
  uint64_t acq_pc;
  uint64_t init_pc;        /* *_init call site: the lock's class (lockdep) */
  int64_t acq_time;        /* vclock of the current hold */
  int hb_op;               /* the first blocking call made while held, or 0 */
  uint64_t hb_pc;
  int64_t hb_ns;           /* virtual time its holder spent blocked in calls */
  int vc;                  /* happens-before: 1 + index of its vector clock, 0: none */
  int last_signal_thread;  /* cond: last signal/broadcast (for stall) */
  uint64_t last_signal_pc;
};

#define IL_OBJ_CAP 8192

struct il_state {
  int active;              /* an execution is running in this process */
  int standalone;          /* replay without fork server (gdb) */
  struct il_shm *shm;
  struct il_request req;   /* copy of shm->req for this execution */
  struct il_thread *cur;   /* baton holder */
  int nthreads;            /* slots used (indices are never reused) */
  int nlive;               /* not DONE */
  struct il_thread threads[IL_MAX_THREADS];
  uint64_t step;           /* decisions made */
  uint64_t sync_step;      /* of them, decisions at points that are not memory
                            * accesses, this one included (il.sync_now) */
  int sync_now;            /* the decision being made is at such a point */
  int64_t vclock;          /* virtual ns since start */
  uint64_t rng[4];         /* xoshiro256** */
  uint64_t low_prio_next;  /* next priority for a thread that yields (strategy.c) */
  /* liveness: a suspected stall being checked under a fair schedule */
  int fair;                /* 1: fair continuation in progress */
  int fair_suspect;        /* thread suspected stuck */
  int64_t fair_until;      /* vclock at which the suspicion is confirmed */
  uint64_t fair_until_step; /* starvation: fair at least until this step */
  uint64_t fair_rr;        /* round-robin cursor */
  /* Bounded lateness: the clock may not pass late_bound (the earliest
   * ready_since + max_delay of the threads not running), computed at every
   * choice and refreshed by clock reads. */
  int64_t late_bound;
  uint64_t rand_state;     /* i_random.c: the program's "kernel randomness" */
  uint64_t inject_step;    /* --signal: the step the signal arrives at */
  uint32_t vnow_reads;     /* clock reads since late_bound was computed */
  int dfs_clock;           /* --strategy dfs: the clock moved since the last decision (IL_DFS_CLOCK) */
  int nchildren;           /* i_proc.c: child processes started and not seen to exit */
  struct il_obj objs[IL_OBJ_CAP];
  int nobjs;
};
extern IL_HIDDEN struct il_state il;
extern IL_HIDDEN IL_TLS struct il_thread *il_me;
extern IL_HIDDEN IL_TLS int il_in_rt;
/* tsan.c: while a hook reads the program's memory for it, the program's
 * access site (a fault there is the program's: init.c reports it so). */
extern IL_HIDDEN IL_TLS uint64_t il_hook_pc;

/* Is the calling thread under control?  Wrappers fall through to the real
 * function when not (before main, in the fork server, foreign threads). */
IL_HIDDEN int il_controlled(void);

/* sched.c */
IL_HIDDEN int  il_point(int op, void *obj, int64_t deadline, uint64_t pc);
IL_HIDDEN void il_record(int op, void *obj, int result, uint64_t pc, uint32_t flags);
IL_HIDDEN void il_thread_exit(void *retval, uint64_t pc);
IL_HIDDEN struct il_thread *il_new_thread(void *(*start)(void *), void *arg, uint64_t pc);
IL_HIDDEN void il_park_until_chosen(struct il_thread *t);
/* A choice that is not who runs next (which waiter a signal wakes):
 * recorded and replayed like one.  Returns an index into cand. */
IL_HIDDEN int il_choose_among(struct il_thread **cand, int n);
IL_HIDDEN void il_deprioritize(struct il_thread *t);
IL_HIDDEN void il_held_add(struct il_thread *t, void *obj, int op, uint64_t pc);
IL_HIDDEN void il_held_del(struct il_thread *t, void *obj);
IL_HIDDEN __attribute__((noreturn)) void il_finish(int verdict, int thread, uint64_t pc, const char *msg);
IL_HIDDEN void il_start_execution(void);
IL_HIDDEN void il_snapshot(void);
IL_HIDDEN void il_note_exit(uint64_t pc, int code);
IL_HIDDEN uint64_t il_rand(void);
IL_HIDDEN int64_t il_abs_to_vdeadline(clockid_t clk, const struct timespec *abs);
IL_HIDDEN int64_t il_rel_to_vdeadline(const struct timespec *rel);
IL_HIDDEN int64_t il_ts_ns(const struct timespec *t); /* saturating */
IL_HIDDEN void il_vnow(clockid_t clk, struct timespec *ts, uint64_t pc);
IL_HIDDEN void il_capture_stack(uint64_t *out, int *n, int skip);
/* elfsym.c: the loaded objects (dl_iterate_phdr's).  il_object_name:
 * the file name without its folder; il_object_is_runtime: this runtime
 * itself; il_object_exec_ranges: the object's executable segments,
 * appended to r[*n] (at most max in all). */
struct dl_phdr_info;
struct il_range { uint64_t lo, hi; };
IL_HIDDEN const char *il_object_name(const struct dl_phdr_info *info);
IL_HIDDEN int il_object_is_runtime(const struct dl_phdr_info *info);
IL_HIDDEN void il_object_exec_ranges(const struct dl_phdr_info *info, struct il_range *r, int *n, int max);
static inline int il_in_ranges(const struct il_range *r, int n, uint64_t pc) {
  for (int i = 0; i < n; i++)
    if (pc >= r[i].lo && pc < r[i].hi) return 1;
  return 0;
}
/* sanitizer.c: ASan/UBSan reports become IL_V_SANITIZER verdicts.
 * il_pc_fix: a call site inside a shared sanitizer runtime (ASan's
 * pthread_create interceptor calling ours) becomes the program's call
 * site below it, so timelines name the program's line. */
IL_HIDDEN void il_sanitizer_init(void);
IL_HIDDEN uint64_t il_san_caller(uint64_t pc);
extern IL_HIDDEN int il_nsan;
extern IL_HIDDEN struct il_range il_san[4];
static inline uint64_t il_pc_fix(uint64_t pc) {
  return il_in_ranges(il_san, il_nsan, pc) ? il_san_caller(pc) : pc;
}

/* i_time.c: wait (a scheduling point) until p is ready or timeout_ns
 * (-1: none) passes; returns 1 if ready, 0 on timeout. */
IL_HIDDEN int il_wait_ready(int op, struct pollfd *p, nfds_t n, int64_t timeout_ns, uint64_t pc);

/* i_futex.c: the futex model; returns like syscall() (-1 and errno). */
IL_HIDDEN long il_futex(uint32_t *addr, int op, uint32_t val, const struct timespec *ts, uint32_t *addr2,
                        uint32_t val3, uint64_t pc);
/* seccomp.c: futex system calls made outside libc and the runtime (the
 * syscall instruction in libgomp) trap into the model. */
IL_HIDDEN void il_seccomp_init(void);
IL_HIDDEN void il_seccomp_child(void);
extern IL_HIDDEN int il_seccomp_active; /* a filter was installed: children need the runtime's SIGSYS handler */
extern IL_HIDDEN char il_preload[512];  /* LD_PRELOAD as the CLI set it */

/* i_proc.c: child processes.  il_children_settle: let every running
 * child reach a state where it waits for the program (exited, or blocked
 * reading or writing), in real time, before the scheduler looks at what
 * the program can see; 1 if a child exited.  il_children_wait: nothing
 * can run and a slow child is still running: wait for it (1: something
 * happened).  il_child_ready: t's waitpid can return now. */
IL_HIDDEN void il_proc_init(void);
IL_HIDDEN void il_proc_reset(void);
IL_HIDDEN int il_children_settle(void);
IL_HIDDEN int il_children_wait(void);
/* A slow child runs: the clock may move by ns only after that much real
 * time (1: something happened first; look again). */
IL_HIDDEN int il_children_wait_ns(int64_t ns);
IL_HIDDEN int il_children_slow(void);
/* fn(pid, state, arg) for each process whose parent is ppid (from /proc),
 * until fn returns 0; 0 if it stopped early. */
IL_HIDDEN int il_proc_children(pid_t ppid, int (*fn)(pid_t pid, char state, void *arg), void *arg);
IL_HIDDEN int il_child_ready(const struct il_thread *t);
IL_HIDDEN int il_await_handover(int wait_ms);
IL_HIDDEN void il_proc_exiting(void);
IL_HIDDEN int il_chld_info(siginfo_t *si); /* the last child exit seen, for SIGCHLD's siginfo */

/* i_timer.c: timers on the virtual clock */
IL_HIDDEN void il_timer_reset(void);
IL_HIDDEN int64_t il_timer_next(void);  /* earliest armed expiry, or INT64_MAX */
IL_HIDDEN void il_timer_fire(void);     /* fire those due now */
IL_HIDDEN void il_timer_closed(int fd);

/* i_signal.c */
IL_HIDDEN void il_signal_raise_process(int s);
IL_HIDDEN void il_signal_inject(void);
IL_HIDDEN int il_signalfd(int fd);                          /* its slot, or -1 */
IL_HIDDEN ssize_t il_signalfd_read(int k, void *buf, size_t n);
IL_HIDDEN void il_signalfd_closed(int fd);
IL_HIDDEN void il_signal_reset(void);
IL_HIDDEN void il_signal_read_mask(struct il_thread *t);
IL_HIDDEN uint64_t il_signal_pending(const struct il_thread *t);
IL_HIDDEN void il_signal_deliver(struct il_thread *t);
/* i_thread.c: the live thread with this pthread_t, or NULL. */
IL_HIDDEN struct il_thread *il_find_thread(pthread_t th);
/* A pending cancel t acts on at a point with this op (a cancellation point). */
IL_HIDDEN int il_cancel_due(const struct il_thread *t, int op);
IL_HIDDEN __attribute__((noreturn)) void il_cancel_act(void);

/* i_random.c */
IL_HIDDEN void il_random_reset(void);
IL_HIDDEN int il_random_fd(int fd);
IL_HIDDEN ssize_t il_random_read(void *buf, size_t n);

/* strategy.c: dispatches to runtime/strategy/ (strategy.h) */
IL_HIDDEN void il_strategy_init(void);
IL_HIDDEN void il_strategy_new_thread(struct il_thread *t);
/* Pick one of cand[0..n-1]; may return -1 for a replay divergence. */
IL_HIDDEN int il_strategy_pick(struct il_thread **cand, int n);

/* lockdep.c: called as t acquires obj (before it is added to t->held). */
IL_HIDDEN void il_lockdep_acquire(struct il_thread *t, void *obj, int op, uint64_t pc);

/* ... and the lock-hold detector: a hold begins, a holder blocks, a hold ends. */
IL_HIDDEN void il_lockhold_begin(void *obj);
IL_HIDDEN void il_lockhold_blocking(struct il_thread *t, int op, void *obj, uint64_t pc);
IL_HIDDEN void il_lockhold_end(struct il_thread *t, void *obj);
IL_HIDDEN void il_lockhold_resumed(struct il_thread *t, void *obj);

/* tsan.c: happens-before edges from the synchronization interceptors. */
IL_HIDDEN void il_hb_thread_start(struct il_thread *child, struct il_thread *parent);
IL_HIDDEN void il_hb_join(struct il_thread *joiner, struct il_thread *child);
IL_HIDDEN void il_hb_release(void *obj);
IL_HIDDEN void il_hb_acquire(void *obj);
IL_HIDDEN void il_resolve_free(void);
/* strategy/feedback.c: the access at pc `second` races with the earlier
 * one at `first` (for --strategy mutate's race direction). */
IL_HIDDEN void il_feedback_race(uint64_t first, uint64_t second);

/* objects.c */
IL_HIDDEN struct il_obj *il_obj_get(void *addr, int kind);
IL_HIDDEN struct il_obj *il_obj_find(void *addr);
IL_HIDDEN void il_obj_forget(void *addr);

/* The runtime's own system calls go straight to the kernel, never through
 * the exported syscall() wrapper (i_futex.c models the program's futexes;
 * the baton's futex words must stay untouched and fast).  x86_64. */
static inline long il_sys(long nr, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  if (ret < 0 && ret > -4096) { errno = (int)-ret; return -1; }
  return ret;
}

/* Scoped guard: the runtime's own libc calls never re-enter the wrappers. */
#define IL_ENTER() (il_in_rt++)
#define IL_LEAVE() (il_in_rt--)

IL_HIDDEN __attribute__((noreturn)) void il_die(const char *msg);

/* splitmix64: the finalizer, and one step of the generator (state
 * advanced by the golden gamma, then mixed).  The execution's PCT seed,
 * its "kernel randomness" and the --signal step all come from these. */
static inline uint64_t il_mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
static inline uint64_t il_splitmix(uint64_t *state) { return il_mix64(*state += 0x9e3779b97f4a7c15ULL); }

/* Has t started and not finished (nor begun to exit)? */
static inline int il_alive(const struct il_thread *t) {
  return t->state != IL_T_FREE && t->state != IL_T_DONE && !t->exiting;
}

/* Is t parked in op on obj and not yet woken (a condition variable's or a
 * futex's wait queue)? */
static inline int il_waits_on(const struct il_thread *t, int op, const void *obj) {
  return t->state != IL_T_DONE && !t->exiting && t->op == op && t->obj == obj && !t->signaled;
}

/* An absolute timeout the real function would accept (else EINVAL). */
static inline int il_valid_ts(const struct timespec *ts) {
  return ts && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

/* Signals the runtime uses inside executions (glibc keeps SIGRTMIN..+2). */
#define SIG_STACK (SIGRTMAX - 2)    /* a parked thread: write your stack */
#define SIG_WATCHDOG (SIGRTMAX - 3) /* the stuck thread: report and exit */
#define SIG_SPIN (SIGRTMAX - 4)     /* the baton holder spins: make a point (spin.c) */
#define IL_SPIN_DEFER_STEPS 1000    /* a preempted spinner waits this long at most while others run */

/* spin.c: preempting a spin that reaches no scheduling point. */
IL_HIDDEN void il_spin_init(void);
IL_HIDDEN void il_spin_send(pid_t pid, pid_t tid, uint64_t seen);
IL_HIDDEN void il_spin_monitor_start(void);
/* sched.c: could a thread other than t run now, or a deadline fire? */
IL_HIDDEN int il_others_can_run(struct il_thread *t);

#endif
