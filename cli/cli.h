/* cli.h: the interleave command's phases and the data passed between them.
 *
 *   main.c      options (one registry), subcommands
 *   target.c    checking the program (ELF, PT_INTERP, sanitizers, hash), the runtime path
 *   worker.c    one fork server: start, run one execution, stop
 *   explore.c   the campaign: workers, shards, in-order commit, minimization
 *   dfs.c       --strategy dfs: every schedule with at most K preemptions
 *   schedfile.c the schedule file (versioned text), read and write
 *   symbols.c   addresses to names (libdwfl)
 *   report.c    the printed reports
 *   output.c    the findings as files: SARIF, JUnit XML, JSON Lines
 *   html.c      the timeline as data (steps, who woke whom); --html, a page
 *   perfetto.c  --perfetto: the timeline as Chrome trace-event JSON
 *   lockgraph.c the lock-order graph across executions
 *   suppress.c  suppression files; which finding an execution reports
 *   replay.c    `interleave replay [--gdb]`
 *   merge.c     `interleave merge`
 *   cc.c        `interleave cc` / `c++`
 *   sanitizer.c programs built with ASan/UBSan: their options, report kinds
 *   gtest.c     `interleave gtest`: each test of a GoogleTest binary, a campaign
 */
#ifndef IL_CLI_H
#define IL_CLI_H
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "../common/wire.h"

#define EXIT_OK 0
#define EXIT_BUG 1
#define EXIT_TOOL 2
#define EXIT_UNREPRODUCIBLE 3  /* a failure was seen, but its schedule did not reproduce it */

struct options {
  uint64_t runs;
  double time_limit;       /* seconds, 0: none */
  uint64_t seed;
  int seed_given;
  int strategy;            /* enum il_strategy */
  unsigned depth;
  int keep_going;
  uint64_t max_steps;
  int budget_given;        /* --max-steps or --max-virtual-time set: reaching it is a hang */
  double max_vtime;        /* seconds */
  double stall_timeout;    /* seconds, 0: off */
  int64_t max_delay_ns;    /* bounded lateness; -1: unbounded (--max-delay inf) */
  int inject_signal;       /* --signal: sent once per execution at a chosen step; 0: none */
  unsigned watchdog_ms;
  unsigned spin_ms;        /* --spin: preempt a spinning baton holder after this much CPU; 0: off */
  int ok_exit[32];
  int nok_exit;
  const char *out_dir;
  int full_trace;
  int context;             /* timeline rows shown */
  int width;               /* --width: the timeline's columns; 0: unlimited, -1: terminal or $COLUMNS */
  int jobs;                /* parallel workers (fork servers) */
  int quiet;
  const char *program;     /* replay: the binary is here now (same hash) */
  int allow_nonterm;       /* --allow-nontermination: a hang is not a bug */
  int lockdep;             /* lock-order graph (--no-lockdep turns it off) */
  int race;                /* data races in instrumented code (--no-race) */
  double hold_threshold;   /* seconds; 0: no lock-hold detector */
  struct suppression { int kind; char pattern[120]; } supp[64];
  int nsupp;
  unsigned shard, nshards; /* this process runs executions i % nshards == shard */
  const char *shard_status;  /* Bazel TEST_SHARD_STATUS_FILE, touched at the end */
  const char *sarif, *junit, *json; /* --sarif, --junit, --json: written at the end of a run */
  const char *html, *perfetto;       /* --html, --perfetto: the same, as a page and as a trace */
  int dfs;                 /* --strategy dfs: bounded exhaustive search (dfs.c) */
  unsigned preemptions;    /* --preemptions K: its bound */
  uint64_t max_schedules;  /* --max-schedules N: its limit */
};

/* The program under test. */
struct target {
  char path[4096];         /* absolute */
  char **argv;             /* argv[0] as the user gave it */
  int argc;
  uint64_t hash;           /* FNV-1a 64 of the file's bytes */
  char runtime[4096];
  /* Built with AddressSanitizer/UBSan (target.c): the sanitizer runtime
   * that must precede ours in LD_PRELOAD (a DT_NEEDED soname such as
   * "libasan.so.8"; "" when it is linked into the executable or absent),
   * and which sanitizers, for the options worker.c sets. */
  char san_preload[256];
  int asan, ubsan;
};

struct worker {
  pid_t pid;               /* the fork server */
  int ctl, status;         /* pipe ends: ctl we write, status we read */
  struct il_shm *shm;
  int cpu;
  int out_fd;              /* the program's stdout/stderr go here */
  int busy;                /* an execution is in flight */
  struct il_request started;
};

/* One execution's outcome, copied out of shared memory. */
struct outcome {
  uint64_t exec_index;
  int bug;                 /* 1: a bug; 0: passed */
  int kind;                /* enum bug_kind */
  struct il_result res;
  uint32_t nholds;         /* lock-hold findings of the execution */
  struct il_hold holds[IL_MAX_HOLDS];
  int hold;                /* kind == BUG_LOCKHOLD: the finding reported */
  uint32_t nraces;
  struct il_race races[IL_MAX_RACES];
  int race;                /* kind == BUG_RACE: the race reported */
  int preempt_from, preempt_to; /* minimization: preemptions before/after; -1 unknown */
};

enum bug_kind {
  BUG_NONE = 0, BUG_ASSERT, BUG_CRASH, BUG_EXIT, BUG_DEADLOCK, BUG_STALL, BUG_HANG,
  BUG_WATCHDOG, BUG_UNSUPPORTED, BUG_DIVERGED, BUG_LIMIT,
  BUG_LOCKORDER,           /* across executions: lockgraph.c */
  BUG_LOCKHOLD,            /* a lock held across a blocking call, waited for */
  BUG_RACE,                /* a data race (programs built with interleave cc) */
  /* An AddressSanitizer/UBSan report: one kind per name in sankinds.h,
   * BUG_SAN_FIRST..BUG_SAN_LAST (sanitizer.c). */
#define SAN_KIND(id, name) BUG_SAN_##id,
#include "sankinds.h"
#undef SAN_KIND
  BUG__COUNT
};
#define BUG_SAN_FIRST BUG_SAN_OTHER
#define BUG_SAN_LAST BUG_SAN_UNDEFINED_BEHAVIOR
#define IS_SAN_KIND(k) ((k) >= BUG_SAN_FIRST && (k) <= BUG_SAN_LAST)

/* --strategy pct+pos: a CLI-level mix, never sent to the runtime as such:
 * even executions run PCT, odd ones POS (explore.c). */
#define STRAT_MIX 100
/* --strategy mutate: pct+pos, plus executions derived from earlier ones
 * (kept schedules' mutants, race-directed ones; explore.c). */
#define STRAT_MUTATE 101
const char *bug_kind_name(int kind);

/* A schedule file's contents. */
struct schedule {
  char program[4096];
  int argc;
  char **argv;
  uint64_t hash;
  uint64_t seed, exec_index;
  struct il_request req;   /* strategy, limits, base time as recorded */
  int strategy;            /* the search strategy that found it */
  int kind;
  int thread;
  uint64_t pc;
  uint32_t n;
  uint16_t *decisions;
};

/* target.c */
int target_init(struct target *t, int argc, char **argv);
int find_runtime(char *out, size_t n);
void target_sanitizers(struct target *t, const char *shown); /* fills san_preload, asan, ubsan; refuses TSan */
uint64_t file_hash(const char *path, int *err);

/* worker.c */
int worker_start(struct worker *w, const struct target *t, int cpu, int out_fd);
int worker_run(struct worker *w, const struct il_request *req, const uint16_t *decisions,
               uint32_t ndec, struct outcome *o, const struct options *opt);
int worker_submit(struct worker *w, const struct il_request *req, const uint16_t *decisions, uint32_t ndec);
int worker_collect(struct worker *w, struct outcome *o, const struct options *opt, int timeout_ms);
void worker_stop(struct worker *w);
int classify(const struct il_result *r, const struct options *opt);
char *read_output(int fd);

/* explore.c */
void mkdirs(const char *dir);
int cmd_run(struct options *opt, struct target *t);
void fill_request(struct il_request *rq, const struct options *opt, uint64_t idx,
                  uint64_t est_steps, uint64_t est_sync, int64_t base_rt);
uint64_t exec_seed(uint64_t seed, uint64_t idx);
/* Write the schedule, minimize, re-run and print the report; 1 if the
 * re-run confirmed the bug. */
int handle_bug(const struct options *opt, const struct target *t, const char *dir, const struct il_request *rq,
               const struct outcome *o, const uint16_t *dec);

/* dfs.c: --strategy dfs; prints its verdict line, returns the exit status. */
struct run_stats;
int dfs_explore(struct options *opt, struct target *t, struct run_stats *st);

/* schedfile.c */
int sched_write(const char *path, const struct schedule *s);
const char *strategy_name(int strategy); /* "pct", "random", "pos" */
/* Returns 0, or -1 with a one-line reason in err. */
int sched_parse(const char *buf, size_t len, struct schedule *s, char *err, size_t errn);
int sched_read(const char *path, struct schedule *s, char *err, size_t errn);
void sched_free(struct schedule *s);

/* symbols.c: sym_use(maps) first; ret: pc is a return address. */
void sym_use(const char *maps);
void sym_pc(uint64_t pc, int ret, char *fn, size_t fnn, char *loc, size_t locn);
void sym_obj(uint64_t addr, char *out, size_t n);
int sym_in_runtime(uint64_t pc);
int sym_in_libc(uint64_t pc);

/* report.c: prints the report; `summary` (if not NULL) gets the SUMMARY
 * text after "SUMMARY: interleave: ", the bug's machine-independent
 * signature. */
void report_print(FILE *f, const struct il_shm *shm, const struct outcome *o,
                  const struct options *opt, const char *sched_path, const char *program_output,
                  char *summary, size_t summary_n);

/* A failure whose re-run did not fail the same way: the first run's
 * evidence and the likely sources of nondeterminism. */
void report_unreproducible(FILE *f, const char *maps, const struct outcome *first, const struct outcome *rerun,
                           const struct options *opt, const char *sched_path, char *summary, size_t summary_n);

/* report.c, for output.c: the timeline's pieces, as the report draws them.
 * A row of the timeline: events at..at+period-1 (ring indices), shown once,
 * repeated reps times. */
struct report_row { uint64_t at; uint32_t period, reps; };
/* The rows the last report_print showed; valid until the next one. */
size_t report_shown(const struct report_row **rows);
const char *report_thread_name(int i);  /* "T1 deposit_thread", as the last report_print named it */
void report_site(const struct outcome *o, char *fn, size_t fnn, char *loc, size_t locn); /* the SUMMARY's site */
void pending_event(const struct il_thread_info *ti, struct il_event *e, char *d, size_t n);
int pending_shown(const struct il_shm *s, const struct outcome *o, int i); /* thread i gets a "next" row */
void event_describe(const struct il_event *e, char *out, size_t n);   /* "lock balance_mu" */
void event_frame(const struct il_shm *s, uint64_t i, const struct il_event *e, char *fn, size_t fnn, char *loc,
                 size_t locn);

/* output.c: --sarif, --junit, --json.  output_open before the run (checks
 * the files can be written); each reported bug is recorded right after its
 * report is printed (report: the printed text; summary: its SUMMARY
 * signature); output_write writes the files at the end (-1: one could not
 * be written, said on stderr). */
struct run_stats {
  uint64_t executions, bugs, unreproducible, not_judged;
  double seconds;
  int exit_status;
};
void output_open(const struct options *opt);
void output_bug(const struct il_shm *s, const struct outcome *o, const char *sched_path, const char *report,
                const char *summary);
void output_unreproducible(const char *maps, const struct outcome *first, const char *sched_path,
                           const char *report, const char *summary);
void output_lockorder(const char *maps, const struct il_lock_edge *cyc, const uint64_t *execs, int n, uint64_t exec,
                      const char *report, const char *summary);
int output_write(const struct options *opt, const struct target *t, const struct run_stats *st);
/* interleave gtest: the bugs recorded after output_case belong to that
 * test; output_case_done(NULL): it was not run (disabled). */
void output_case(const char *suite, const char *name, const char *param);
void output_case_done(const struct run_stats *st);
/* explore.c: the campaign without the output files (cmd_run opens and
 * writes them around it); returns the exit status. */
int explore(struct options *opt, struct target *t, struct run_stats *st);

/* output.c: s as valid UTF-8 (invalid bytes: U+FFFD); xml: also without
 * the control characters XML and HTML text cannot hold.  Free it. */
char *output_clean(const char *s, int xml);

/* html.c: each reported bug's timeline, captured right after its report
 * is printed (from report.c's accessors, as the report shows it), for
 * --html and --perfetto.  timeline_open before the run checks the files
 * can be written; timeline_write writes them at the end (st NULL: a
 * replay), -1 if one could not be (said on stderr). */
enum tl_arrow_kind { TL_THREAD, TL_LOCK, TL_WAKE, TL_WAITS };
struct tl_step {
  int64_t step;            /* the timeline's step; -1: a pending operation ("next") */
  int thread, op;          /* op: enum il_op */
  uint32_t flags, reps;    /* IL_EV_*; reps > 1: a folded block */
  int64_t vtime;           /* virtual ns */
  char what[200];          /* "lock balance_mu", as the report says it */
  char fn[160], loc[160];  /* where: "get_balance", "lost_update.c:19" ("" unknown) */
};
struct tl_arrow { size_t from, to; int kind; };  /* step indices; kind: enum tl_arrow_kind */
struct tl_bug {
  char *headline, *summary, *report, *sched; /* sched NULL: none */
  char kind[64];
  uint64_t exec;
  int nthreads;
  char (*tnames)[64];
  struct tl_step *steps;
  size_t nsteps;
  struct tl_arrow *arrows;
  size_t narrows;
};
void timeline_open(const struct options *opt);
void timeline_bug(const struct il_shm *s, const struct outcome *o, const char *sched_path, const char *report,
                  const char *summary);
void timeline_text(const char *kind, const char *sched_path, const char *report, const char *summary);
int timeline_write(const struct options *opt, const struct target *t, const struct run_stats *st);
const char *tl_arrow_name(int kind);   /* "lock", "wake"... */
const char *tl_op_name(int op);        /* "lock", "cond_wait"... */
/* perfetto.c: -1 with errno when the file cannot be written. */
int perfetto_write(const char *path, const struct tl_bug *b, size_t n);

/* lockgraph.c */
void lockgraph_reset(void);
int lockgraph_add(const struct il_lock_edge *es, uint32_t n, uint64_t exec, struct il_lock_edge *out,
                  uint64_t *out_exec, int *out_n);
void report_lockorder(FILE *f, const char *maps, const struct il_lock_edge *cyc, const uint64_t *execs, int n,
                      const struct options *opt, char *summary, size_t summary_n);

/* suppress.c */
void suppressions_load(struct options *opt, const char *path);
/* Turn an execution with unsuppressed lock-hold findings into a lock-hold
 * bug (the finding came first: it is the cause); maps symbolizes. */
void apply_holds(struct outcome *o, const char *maps, const struct options *opt);
int suppressed(const struct options *opt, int kind, const char *const *names, int n);

/* cc.c */
int cmd_cc(int argc, char **argv, int cxx);

/* sanitizer.c: programs built with AddressSanitizer/UBSan.
 * sanitizer_env: their options, in the environment of the program about
 * to be started; sanitizer_kind: the bug kind of an IL_V_SANITIZER
 * verdict's msg; sanitizer_report: where the sanitizer's report begins
 * in the program's output (NULL: none). */
void sanitizer_env(const struct target *t);
int sanitizer_kind(const char *msg);
const char *sanitizer_report(const char *output);

/* merge.c */
int cmd_merge(int argc, char **argv);

/* replay.c */
int cmd_replay(int argc, char **argv, struct options *opt);

/* gtest.c: argv[0..argc): the binary and its arguments. */
int cmd_gtest(struct options *opt, int argc, char **argv);

void die_usage(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void die_tool(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
