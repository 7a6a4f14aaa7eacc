/* wire.h: the one boundary between the preloaded runtime and the CLI.
 *
 * The CLI creates a memfd holding one `struct il_shm`, and two pipes, and
 * starts the program with LD_PRELOAD=libinterleave.so and
 *   INTERLEAVE_FDS="<shm>,<ctl>,<status>"
 * The runtime (in the program's process, before main) becomes a fork
 * server: it writes an il_hello to the status pipe, then for every byte it
 * reads from the ctl pipe it forks one execution, which reads its
 * parameters from shm->req, records into shm, and ends; the server then
 * writes one il_done to the status pipe.  Executions never overlap within
 * one server, so shm needs no locking: ownership passes with the pipe
 * messages (CLI owns req before the ctl byte; the child owns res/events
 * until the server's il_done).
 *
 * Everything here is plain fixed-size data.  Change any of it and bump
 * IL_WIRE_VERSION: the runtime refuses a mismatched CLI.
 */
#ifndef IL_WIRE_H
#define IL_WIRE_H
#include <stdint.h>

#define IL_WIRE_MAGIC   0x494c5631u  /* "ILV1" */
#define IL_WIRE_VERSION 21

#define IL_MAX_THREADS   512
#define IL_EVENT_RING    (1u << 15)    /* last events kept for the timeline */
#define IL_MAX_DECISIONS (1u << 25)    /* hard cap on recorded decisions (64 MB, touched only as used) */
#define IL_STACK_DEPTH   24
#define IL_MAPS_SIZE     (64 * 1024)
#define IL_MSG_SIZE      512
#define IL_HELD_MAX      8

enum il_op {
#define X(e, name, blocking) IL_OP_##e,
#include "events.def"
#undef X
  IL_OP__COUNT
};

/* IL_STRAT_GUIDED: follow decisions[] where it can, but at step skip_step
 * keep the running thread (no preemption) and, wherever the recorded
 * thread cannot run, keep the running thread too: the minimizer's tool. */
enum il_strategy { IL_STRAT_PCT = 0, IL_STRAT_RANDOM = 1, IL_STRAT_REPLAY = 2, IL_STRAT_GUIDED = 3,
                   IL_STRAT_POS = 4 /* partial-order sampling (runtime/strategy/pos.c) */,
                   IL_STRAT_MUTATE = 5 /* a kept schedule's prefix, a flip, race direction (mutate.c) */ };

/* What ended an execution.  IL_V_NONE: the program ended by itself and the
 * server's wait status decides (exit code, or a signal the runtime did not
 * see). */
enum il_verdict {
  IL_V_NONE = 0,
  IL_V_ASSERT,       /* __assert_fail */
  IL_V_CRASH,        /* fatal signal */
  IL_V_DEADLOCK,     /* no thread can run, wait-for cycle */
  IL_V_STALL,        /* a thread can never run again, no cycle */
  IL_V_HANG,         /* --max-steps or --max-virtual-time exceeded */
  IL_V_WATCHDOG,     /* no scheduling point within the real-time limit */
  IL_V_UNSUPPORTED,  /* fork/exec or a primitive we cannot control */
  IL_V_DIVERGED,     /* replay: the program did not follow the schedule */
  IL_V_LIMIT,        /* a fixed table filled up */
  IL_V_SANITIZER,    /* an AddressSanitizer/UBSan report; msg: its SUMMARY line
                      * without "SUMMARY: " ("AddressSanitizer: heap-use-after-free
                      * a.c:12 in reader"), the second word the kind */
  IL_V__COUNT
};

enum il_tstate { IL_T_FREE = 0, IL_T_RUNNABLE, IL_T_BLOCKED, IL_T_DONE };

/* Request flags. */
#define IL_F_STACKS    1u  /* capture a stack at every event (replay only) */
#define IL_F_RACE      2u  /* detect data races in instrumented code */
#define IL_F_DFS       0x100u /* record each step's candidates in shm->dfs (--strategy dfs) */
#define IL_F_FEEDBACK  0x200u /* fill shm->cov and shm->pairs (--strategy mutate) */

struct il_request {
  uint64_t exec_index;
  uint64_t seed;            /* execution seed: H(run seed, exec_index) */
  uint32_t strategy;        /* enum il_strategy */
  uint32_t depth;           /* PCT depth d */
  uint64_t est_steps;       /* PCT: steps to spread change points over */
  uint64_t max_steps;
  int64_t  max_vtime_ns;
  int64_t  stall_timeout_ns;
  int64_t  base_realtime_ns;/* CLOCK_REALTIME at virtual time 0 */
  uint32_t watchdog_ms;     /* server: kill after this long without progress */
  int32_t  cpu;             /* pin the execution here; -1: leave it */
  uint32_t flags;
  uint32_t replay_len;      /* IL_STRAT_REPLAY: decisions[] holds this many */
  uint32_t pad;
  int64_t  hold_threshold_ns; /* lock-hold detector; 0: off */
  uint64_t skip_step;       /* IL_STRAT_GUIDED */
  int64_t  max_delay_ns;    /* bounded lateness (sched.c); -1: unbounded */
  int32_t  inject_signal;   /* --signal: sent to the process once, at a chosen step; 0: none */
  uint32_t spin_ms;         /* preempt a baton holder after this much CPU without a point (spin.c); 0: off */
  uint32_t pad2;
  uint64_t est_sync;        /* PCT: nonzero, spread change points over this many
                             * synchronization steps (points that are not memory
                             * accesses) instead of over est_steps (pct.c) */
};

struct il_event {
  uint32_t step;      /* scheduling decision index when the op executed */
  uint16_t thread;    /* logical thread index (creation order) */
  uint16_t op;        /* enum il_op */
  int32_t  result;    /* op-specific: return code, woken thread, ... */
  uint32_t flags;     /* IL_EV_* */
  uint64_t obj;       /* object address (mutex, cond, thread index, ns) */
  uint64_t pc;        /* return address into the caller of the wrapper */
  int64_t  vtime;     /* virtual ns */
};
#define IL_EV_PREEMPT  1u  /* the previous thread was still enabled */
#define IL_EV_TIMEOUT  2u  /* a deadline fired */
#define IL_EV_FAIRMODE 4u  /* chosen by the fair continuation */
#define IL_EV_LATE     8u  /* chosen after the clock moved while it was runnable */

struct il_held { uint64_t obj, pc; int32_t op, pad; };

struct il_thread_info {
  uint64_t start_routine;   /* for naming the thread */
  uint64_t create_pc;
  int32_t  parent;
  int32_t  os_tid;
  int32_t  state;           /* enum il_tstate at the end */
  int32_t  wait_op;         /* pending op when the execution ended */
  uint64_t wait_obj;
  uint64_t wait_pc;
  int64_t  blocked_since;   /* virtual ns */
  int64_t  deadline;        /* -1: none */
  int32_t  nheld;
  int32_t  nstack;
  char     name[16];        /* pthread_setname_np / PR_SET_NAME, if given */
  struct il_held held[IL_HELD_MAX];
  uint64_t stack[IL_STACK_DEPTH];
};

struct il_result {
  int32_t  verdict;         /* enum il_verdict */
  int32_t  thread;          /* culprit / failing thread, -1 if none */
  int32_t  signo;
  int32_t  nthreads;
  uint64_t pc;              /* failing location (call site or fault pc) */
  uint64_t addr;            /* fault address / object */
  uint64_t steps;
  uint64_t sync_steps;      /* those of them that were not memory accesses (est_sync) */
  int64_t  vtime;
  uint32_t ndecisions;
  uint32_t warnings;        /* IL_W_* */
  int32_t  assert_line;
  int32_t  nstack;
  uint64_t stack[IL_STACK_DEPTH];
  char     msg[IL_MSG_SIZE];         /* assertion text, primitive name, ... */
  char     assert_file[256];
  char     assert_func[128];
  /* Filled by the server, not the child: */
  int32_t  wstatus;
  int32_t  watch_spin;      /* watchdog: 1 spinning (CPU ~ wall), 0 blocked */
  /* Lateness: the longest a runnable thread was kept off the CPU while
   * the clock moved (virtual ns), who, and from when to which step. */
  int64_t  late_ns;
  int64_t  late_since;      /* vclock when it became runnable */
  int32_t  late_thread;     /* -1: none */
  uint32_t late_step;       /* the decision that finally ran it */
  int32_t  injected;        /* --signal: 1 delivered, 2 it ended the process (default action) */
  uint32_t injected_step;   /* the step it arrived at */
};
#define IL_W_UNCONTROLLED_THREAD 1u  /* a thread we did not create called in */
#define IL_W_EVENTS_WRAPPED      2u  /* older events fell out of the ring */
#define IL_W_TLS_DTOR            4u  /* a sync call after thread exit ran free */
#define IL_W_FREE_CHILD          8u  /* a child forked after threads existed ran program code (no exec) */
#define IL_W_SLOW_CHILD         16u  /* a child ran past the settle limit: its effects were seen when they came */

/* Lock-order edge (lockdep): a thread acquired `to` while holding `from`.
 * A lock's class key is where it was initialized (init_site=1: the
 * *_init call's return address), or, for statically initialized locks, its
 * address.  gate_key: the outermost other lock held (0 if none): edges all
 * taken under one gate lock cannot deadlock. */
#define IL_MAX_EDGES 256
struct il_lock_edge {
  uint64_t from_key, to_key;
  uint64_t from_obj, to_obj;
  uint64_t from_pc, to_pc;     /* where each was acquired */
  uint64_t gate_key;
  uint64_t stack[4];           /* the acquisition of `to` */
  int32_t thread;
  uint8_t from_site, to_site, pad[2];
};

/* A lock held across a blocking call while another thread waited for it
 * longer than the threshold (DRD's --exclusive-threshold, the kernel's
 * "sleeping function called from invalid context"). */
#define IL_MAX_HOLDS 8
struct il_hold {
  uint64_t lock;
  uint64_t acq_pc;            /* where the holder acquired it */
  uint64_t blk_pc;            /* the blocking call made while holding it */
  uint64_t wait_pc;           /* where the waiter waited */
  uint64_t event;             /* events recorded when it was found */
  int64_t held_ns, blk_ns, wait_ns;
  int32_t holder, waiter, blk_op, lock_op;
};

/* A data race (programs built with `interleave cc`): two accesses to one
 * location, at least one a write, not ordered by happens-before. */
#define IL_MAX_RACES 8
#define IL_RACE_STACK 8
struct il_access_info {
  uint64_t pc;
  uint64_t stack[IL_RACE_STACK];  /* the thread's function-entry stack */
  int32_t thread, write, size, nstack;
};
struct il_race {
  uint64_t addr;
  uint64_t event;                 /* events recorded when it was found */
  struct il_access_info cur, prev;
};

/* --strategy dfs (cli/dfs.c): what one decision chose from, so that the
 * CLI can branch there.  A bit per thread index (threads 0..63; a larger
 * index sets IL_DFS_WIDE).  op/obj: the chosen thread's pending operation;
 * caller_*: the operation the thread that asks is about to do (what the
 * previous step's thread reached), for the independence check. */
#define IL_DFS_STEPS   (1u << 16)
#define IL_DFS_AMONG   1u   /* which waiter wakes (il_choose_among), not who runs */
#define IL_DFS_TIMEOUT 2u   /* the chosen thread's deadline fired */
#define IL_DFS_FAIR    4u   /* chosen by the fair continuation, not the strategy */
#define IL_DFS_WIDE    8u   /* a candidate's index is 64 or more */
#define IL_DFS_GLOBAL  16u  /* chosen to take a signal or a cancellation */
#define IL_DFS_CLOCK   32u  /* the asking thread moved the virtual clock since the last decision
                             * (a clock read, or time passing to a timer while no one could run) */
#define IL_DFS_LATE    64u  /* the candidates were cut to the late threads (bounded lateness) */
#define IL_DFS_NOSELF  0xffffu
/* A join's obj in shm->dfs: the joined thread, as this key (its exit is
 * the same key to cli/dfs.c), not the runtime's pointer. */
#define IL_DFS_THREAD_KEY(idx) (0x100u + (uint64_t)(idx))
struct il_dfs_step {
  uint64_t ready, timed;    /* candidate threads: runnable / timed waiters */
  uint64_t obj, caller_obj, caller_obj2;
  uint16_t op, caller_op;   /* caller_op IL_DFS_NOSELF: no caller (a thread exited) */
  uint16_t self;            /* the running thread if it is a ready candidate, else IL_DFS_NOSELF */
  uint16_t flags;
};

/* --strategy mutate.  A conflict pair: two operations of different
 * threads on one object, one after the other, not both reads (a store
 * and the load that read it; a lock and the next thread's lock of it):
 * `first` is the pc of the first thread's first operation of its run on
 * the object, `second` the other thread's.  IL_PAIR_RACE: a data race
 * the detector saw (tsan.c), not ordered by happens-before.
 * A mutant (IL_STRAT_MUTATE) follows decisions[0..replay_len) where it
 * can, takes another thread than the recorded one at the first choice at
 * or after flip_at (UINT64_MAX: none), then lets `base` choose; and a
 * thread about to run the operation at wait_pc[k] is not chosen while
 * another can run, until some thread has run until_pc[k] (RaceFuzzer's
 * postponement: the pair's order flipped). */
#define IL_COV_WORDS 1024            /* 65,536 bits */
#define IL_PAIRS     256
#define IL_TARGETS   4
#define IL_PAIR_USED 1u
#define IL_PAIR_RACE 2u
struct il_pair { uint64_t first, second; uint32_t flags, pad; };
struct il_mutation {
  uint64_t flip_at;
  uint32_t base;                  /* IL_STRAT_PCT or IL_STRAT_POS */
  uint32_t ntargets;
  uint64_t wait_pc[IL_TARGETS], until_pc[IL_TARGETS];
};

struct il_shm {
  uint32_t magic, version;
  int32_t  server_pid;
  int32_t  pad0;
  struct il_request req;
  struct il_result  res;
  volatile uint64_t progress;     /* bumped at every scheduling point */
  volatile int32_t  running_tid;  /* OS tid of the baton holder */
  int32_t  pad1;
  /* Child processes (runtime/i_proc.c).  outside: bumped while the
   * execution waits in real time for its children, so the server's
   * watchdog does not count that wait.  spawned: the execution started
   * children; the server kills what is left of them afterwards.
   * handover_*: a process that forked before it had threads and then
   * exited hands the execution to that child (daemonizing); the server
   * then waits for handover_pid instead. */
  volatile uint64_t outside;
  volatile int32_t  spawned;
  volatile int32_t  handover_pid;
  volatile int32_t  handover_waiting; /* a forked child waiting for the handover */
  int32_t  pad4;
  volatile uint64_t handover_step;
  volatile int64_t  handover_vclock;
  uint64_t nevents;               /* total recorded; ring keeps the last */
  uint32_t nedges, nholds;        /* lock-order edges, lock holds found */
  uint32_t nraces, pad3;
  struct il_race races[IL_MAX_RACES];
  struct il_hold holds[IL_MAX_HOLDS];
  struct il_lock_edge edges[IL_MAX_EDGES];
  struct il_thread_info threads[IL_MAX_THREADS];
  struct il_event events[IL_EVENT_RING];
  uint64_t event_stacks[IL_EVENT_RING][4]; /* IL_F_STACKS: caller frames */
  char     maps[IL_MAPS_SIZE];    /* /proc/self/maps of the server */
  uint16_t decisions[IL_MAX_DECISIONS];
  /* IL_F_DFS: steps 0..IL_DFS_STEPS-1, as choose() saw them. */
  struct il_dfs_step dfs[IL_DFS_STEPS];
  /* --strategy mutate (cli/explore.c, runtime/strategy/mutate.c and
   * feedback.c).  mut: written by the CLI with the request, read only by
   * IL_STRAT_MUTATE.  cov, pairs: written by the execution when the
   * request has IL_F_FEEDBACK, read by the CLI after it. */
  struct il_mutation mut;
  uint64_t cov[IL_COV_WORDS];     /* bit H(pc1, pc2): a conflict pair seen (reads-from, ...) */
  struct il_pair pairs[IL_PAIRS]; /* the pairs themselves, by hash (a collision keeps the first) */
};

struct il_hello { uint32_t magic, version; int32_t pid; int32_t pad; };
struct il_done  { uint64_t exec_index; int32_t wstatus; int32_t pad; };

/* Environment the runtime reads.  Every variable is listed here, so that a
 * typo is found by grep, not by ten thousand silent executions. */
#define IL_ENV_FDS        "INTERLEAVE_FDS"
#define IL_ENV_STANDALONE "INTERLEAVE_STANDALONE"  /* replay under gdb */
#define IL_ENV_OUT_FD     "INTERLEAVE_OUT_FD"      /* the executions' stdout/stderr */

#endif
