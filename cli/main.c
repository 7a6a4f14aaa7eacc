/* main.c: the interleave command.  Every option lives in one table, so a
 * typo is an error before ten thousand executions start. */
#include "cli.h"
#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void die_usage(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("interleave: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(EXIT_TOOL);
}
void die_tool(const char *fmt, ...) __attribute__((alias("die_usage")));

static const char usage[] =
    "usage: interleave run [options] -- PROGRAM [ARGS...]\n"
    "       interleave replay [--gdb] [--full-trace] [--width N] [--program PATH]\n"
    "                         [--html FILE] [--perfetto FILE] FILE\n"
    "       interleave merge DIR...   (one report from the folders of a sharded run)\n"
    "       interleave cc|c++ ARGS... (compile with race detection: -fsanitize=thread hooks)\n"
    "       interleave gtest [options] -- TEST-BINARY [ARGS...]\n"
    "                                 (each GoogleTest test as its own run; run's options)\n"
    "\n"
    "Runs a dynamically linked pthreads program many times, each under a different\n"
    "controlled interleaving with virtual time; reports the first bug as a timeline.\n"
    "Exit status: 0 no bug found, 1 bug found, 2 usage or tool error,\n"
    "3 a failure that did not reproduce when its schedule was re-run.\n"
    "\n"
    "run options:\n"
    "  -n, --runs N             executions at most (default 10000)\n"
    "      --time-limit SEC     stop after this much wall time\n"
    "      --seed S             run seed (default: random, printed)\n"
    "      --strategy pct+pos|pct|random|pos  scheduling strategy (default pct+pos:\n"
    "                           executions alternate PCT and POS, partial-order sampling)\n"
    "      --strategy mutate    pct+pos, and half the executions derived from earlier ones:\n"
    "                           kept schedules mutated, conflicting pairs (races) flipped\n"
    "      --strategy dfs       every schedule with at most --preemptions K preemptions,\n"
    "                           depth first; ends \"verified: ...\" or with the first bug\n"
    "      --preemptions K      dfs: the preemption bound (default 2)\n"
    "      --max-schedules N    dfs: stop after N schedules, not verified (default 1000000)\n"
    "      --depth D            PCT bug depth (default 3)\n"
    "      --keep-going         report every distinct bug, not just the first\n"
    "      --max-steps N        scheduling points per execution (default 4000000)\n"
    "      --max-virtual-time SEC  virtual time per execution (default 3600)\n"
    "                           reaching a default budget: not judged; a given one: a hang\n"
    "      --stall-timeout SEC  virtual time a thread may stay blocked while others\n"
    "                           run before it is suspected stuck (default 60, 0 off)\n"
    "      --max-delay TIME     longest a runnable thread is kept off the CPU while\n"
    "                           the virtual clock moves (default 10ms; inf: unbounded)\n"
    "      --watchdog MS        CPU time without a scheduling point (default 2000)\n"
    "      --spin MS            preempt a thread that spins MS of CPU without a scheduling\n"
    "                           point, as a yield (default 100; 0: off, the watchdog reports it)\n"
    "      --signal SIG         send SIG (SIGTERM, SIGINT, SIGHUP, SIGUSR1...) to the program once\n"
    "                           per execution, at a step the strategy draws (shutdown paths)\n"
    "      --ok-exit LIST       exit codes that are not bugs (default 0)\n"
    "      --out DIR            where schedules go (default ./interleave-out)\n"
    "      --full-trace         print every step, not just the last ones\n"
    "      --width N            fit the timeline into N columns (0: unlimited; default: the\n"
    "                           terminal's width, else $COLUMNS, else unlimited)\n"
    "  -j, --jobs N             parallel workers (default: one per CPU)\n"
    "      --shard I/N|auto     run slice I of N of the campaign (auto: from the CI's variables)\n"
    "      --allow-nontermination  an execution that exceeds its limits is not a bug\n"
    "      --no-lockdep         no lock-order-inversion reports\n"
    "      --hold-threshold SEC a lock held across a blocking call while another thread\n"
    "                           waits longer than this (virtual) is a bug (default 1)\n"
    "      --no-lock-hold       no lock-hold reports\n"
    "      --no-race            no data-race reports (programs built with interleave cc)\n"
    "      --suppressions FILE  lines KIND:GLOB (lock-hold, lock-order-inversion, deadlock...)\n"
    "                           matched against the function and lock names of a report\n"
    "      --sarif FILE         write the bugs found as SARIF 2.1.0 (with each interleaving)\n"
    "      --junit FILE         write a JUnit XML test report (GitLab, Jenkins)\n"
    "      --json FILE          write JSON Lines: one object per bug, then the run's stats\n"
    "      --html FILE          write the report as one self-contained HTML page: threads as\n"
    "                           lanes, who woke whom as arrows, source lines on hover\n"
    "      --perfetto FILE      write the interleaving as Chrome trace-event JSON (ui.perfetto.dev)\n"
    "  -q, --quiet              only the report\n"
    "\n"
    "INTERLEAVE_OPTIONS=\"seed=7:runs=2000:max_delay=5ms\" sets run options for a whole\n"
    "CI job (long names, '_' for '-'); the command line overrides them.\n"
    "INTERLEAVE_DEBUG_PATH=DIR[:DIR...]: where stripped binaries' debug files are looked\n"
    "for, by build-id and .gnu_debuglink (default /usr/lib/debug).\n";

enum { O_RUNS, O_TIME, O_SEED, O_STRAT, O_DEPTH, O_KEEP, O_MAXSTEPS, O_MAXVT, O_STALL, O_WATCHDOG,
       O_OKEXIT, O_OUT, O_FULL, O_JOBS, O_QUIET, O_GDB, O_HELP, O_SHARD, O_NONTERM, O_PROGRAM, O_NOLOCKDEP, O_HOLD, O_NOHOLD, O_SUPP, O_NORACE, O_MAXDELAY, O_SIGNAL, O_WIDTH,
       O_SARIF, O_JUNIT, O_JSON, O_HTML, O_PERFETTO, O_PREEMPT, O_MAXSCHED, O_SPIN };
static const struct { const char *lng; char shrt; int arg; int id; } optab[] = {
    {"runs", 'n', 1, O_RUNS},          {"time-limit", 0, 1, O_TIME},    {"seed", 0, 1, O_SEED},
    {"strategy", 0, 1, O_STRAT},       {"depth", 0, 1, O_DEPTH},        {"keep-going", 0, 0, O_KEEP},
    {"max-steps", 0, 1, O_MAXSTEPS},   {"max-virtual-time", 0, 1, O_MAXVT},
    {"stall-timeout", 0, 1, O_STALL},  {"watchdog", 0, 1, O_WATCHDOG},  {"spin", 0, 1, O_SPIN},  {"ok-exit", 0, 1, O_OKEXIT},
    {"out", 0, 1, O_OUT},              {"full-trace", 0, 0, O_FULL},    {"jobs", 'j', 1, O_JOBS},
    {"quiet", 'q', 0, O_QUIET},        {"gdb", 0, 0, O_GDB},            {"help", 'h', 0, O_HELP},
    {"shard", 0, 1, O_SHARD},          {"allow-nontermination", 0, 0, O_NONTERM},
    {"program", 0, 1, O_PROGRAM},      {"no-lockdep", 0, 0, O_NOLOCKDEP},
    {"hold-threshold", 0, 1, O_HOLD},  {"no-lock-hold", 0, 0, O_NOHOLD},
    {"suppressions", 0, 1, O_SUPP},    {"no-race", 0, 0, O_NORACE},
    {"max-delay", 0, 1, O_MAXDELAY},   {"signal", 0, 1, O_SIGNAL},      {"width", 0, 1, O_WIDTH},
    {"sarif", 0, 1, O_SARIF},          {"junit", 0, 1, O_JUNIT},        {"json", 0, 1, O_JSON},
    {"html", 0, 1, O_HTML},            {"perfetto", 0, 1, O_PERFETTO},
    {"preemptions", 0, 1, O_PREEMPT}, {"max-schedules", 0, 1, O_MAXSCHED},
};

static uint64_t num(const char *opt, const char *v, uint64_t max) {
  char *e;
  errno = 0;
  if (!v || !*v || *v == '-') die_usage("--%s: expected a non-negative number, got '%s'", opt, v ? v : "");
  unsigned long long x = strtoull(v, &e, 0);
  if (errno || *e || x > max) die_usage("--%s: bad number '%s'", opt, v);
  return x;
}
static double real_num(const char *opt, const char *v) {
  char *e;
  errno = 0;
  double x = v ? strtod(v, &e) : -1;
  if (!v || errno || *e || x < 0) die_usage("--%s: expected a non-negative number, got '%s'", opt, v ? v : "");
  return x;
}

/* A duration: a number with a unit (ns, us, ms, s; bare: seconds), in ns;
 * "inf" is -1. */
static int64_t duration_ns(const char *opt, const char *v) {
  if (v && !strcmp(v, "inf")) return -1;
  char *e;
  errno = 0;
  double x = v ? strtod(v, &e) : -1;
  if (!v || !*v || errno || x < 0 || e == v) die_usage("--%s: expected a duration like 10ms, got '%s'", opt, v ? v : "");
  double mult = !strcmp(e, "ns") ? 1 : !strcmp(e, "us") ? 1e3 : !strcmp(e, "ms") ? 1e6 : (!strcmp(e, "s") || !*e) ? 1e9 : -1;
  if (mult < 0) die_usage("--%s: unknown unit in '%s' (ns, us, ms, s)", opt, v);
  if (x * mult > 1e18) die_usage("--%s: '%s' is too long (use inf)", opt, v);
  return (int64_t)(x * mult);
}

/* --signal TERM, SIGTERM or 15: a signal an operator would send. */
static int signal_arg(const char *opt, const char *v) {
  const char *n = !strncmp(v, "SIG", 3) ? v + 3 : v;
  for (int s = 1; s < 32; s++) {
    const char *ab = sigabbrev_np(s);
    if (ab && !strcmp(ab, n)) return s;
  }
  char *e;
  long x = strtol(v, &e, 10);
  if (*v && !*e && x >= 1 && x <= 64) return (int)x;
  die_usage("--%s: unknown signal '%s' (e.g. SIGTERM, SIGINT, SIGHUP, SIGUSR1)", opt, v);
}

/* --shard I/N, or auto: the index (and count) from the job runner. */
static int env_num(const char *name, long *v) {
  const char *s = getenv(name);
  char *e;
  if (!s || !*s) return 0;
  errno = 0;
  *v = strtol(s, &e, 10);
  if (errno || *e || *v < 0) die_usage("--shard auto: %s='%s' is not a number", name, s);
  return 1;
}
static void parse_shard(const char *val, struct options *o) {
  long i = -1, n = -1;
  const char *slash = strchr(val, '/');
  if (!strncmp(val, "auto", 4) && (val[4] == 0 || val[4] == '/')) {
    if (slash) n = (long)num("shard", slash + 1, 1u << 20);
    long ti, tn;
    if (env_num("TEST_SHARD_INDEX", &ti) && env_num("TEST_TOTAL_SHARDS", &tn)) { i = ti; n = tn; o->shard_status = getenv("TEST_SHARD_STATUS_FILE"); }
    else if (env_num("GTEST_SHARD_INDEX", &ti) && env_num("GTEST_TOTAL_SHARDS", &tn)) { i = ti; n = tn; }
    else if (env_num("CI_NODE_INDEX", &ti) && env_num("CI_NODE_TOTAL", &tn)) { i = ti - 1; n = tn; } /* GitLab: 1-based */
    else if (env_num("SLURM_ARRAY_TASK_ID", &ti)) {
      long mn = 0, cnt;
      env_num("SLURM_ARRAY_TASK_MIN", &mn);
      i = ti - mn;
      if (env_num("SLURM_ARRAY_TASK_COUNT", &cnt)) n = cnt;
    } else if (env_num("JOB_COMPLETION_INDEX", &ti)) { i = ti; } /* Kubernetes: count from auto/N */
    else if (env_num("CIRCLE_NODE_INDEX", &ti) && env_num("CIRCLE_NODE_TOTAL", &tn)) { i = ti; n = tn; }
    else die_usage("--shard auto: none of TEST_SHARD_INDEX, GTEST_SHARD_INDEX, CI_NODE_INDEX, "
                   "SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, CIRCLE_NODE_INDEX is set");
    if (n < 0) die_usage("--shard auto: the shard count is not in the environment; use --shard auto/N");
  } else {
    if (!slash) die_usage("--shard: expected I/N or auto, got '%s'", val);
    char idx[32];
    snprintf(idx, sizeof idx, "%.*s", (int)(slash - val), val);
    i = (long)num("shard", idx, 1u << 20);
    n = (long)num("shard", slash + 1, 1u << 20);
  }
  if (n < 1 || i < 0 || i >= n) die_usage("--shard: index %ld is not in 0..%ld", i, n - 1);
  o->shard = (unsigned)i;
  o->nshards = (unsigned)n;
}

static char *kept[5]; /* --sarif, --junit, --json, --html, --perfetto file names */

/* Parse options from argv[i...]; returns the index of the first operand.
 * `gdb` is set only where the subcommand accepts --gdb. */
int parse_options(int argc, char **argv, int i, struct options *o, int *gdb) {
  for (; i < argc; i++) {
    char *a = argv[i];
    if (!strcmp(a, "--")) return i + 1;
    if (a[0] != '-' || !a[1]) return i;
    const char *val = NULL;
    int id = -1, takes = 0;
    const char *name = a;
    if (a[1] == '-') {
      char *eq = strchr(a + 2, '=');
      size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
      for (size_t k = 0; k < sizeof optab / sizeof optab[0]; k++)
        if (strlen(optab[k].lng) == len && !strncmp(optab[k].lng, a + 2, len)) { id = optab[k].id; takes = optab[k].arg; name = optab[k].lng; }
      if (id < 0) die_usage("unknown option '%s' (see interleave --help)", a);
      if (eq) { if (!takes) die_usage("--%s takes no value", name); val = eq + 1; }
    } else {
      for (size_t k = 0; k < sizeof optab / sizeof optab[0]; k++)
        if (optab[k].shrt && optab[k].shrt == a[1]) { id = optab[k].id; takes = optab[k].arg; name = optab[k].lng; }
      if (id < 0) die_usage("unknown option '%s' (see interleave --help)", a);
      if (a[2]) { if (!takes) die_usage("unknown option '%s'", a); val = a + 2; }
    }
    if (takes && !val) {
      if (i + 1 >= argc) die_usage("--%s needs a value", name);
      val = argv[++i];
    }
    switch (id) {
    case O_RUNS: o->runs = num(name, val, UINT64_MAX); break;
    case O_TIME: o->time_limit = real_num(name, val); break;
    case O_SEED: o->seed = num(name, val, UINT64_MAX); o->seed_given = 1; break;
    case O_STRAT:
      o->dfs = 0;
      if (!strcmp(val, "pct")) o->strategy = IL_STRAT_PCT;
      else if (!strcmp(val, "random")) o->strategy = IL_STRAT_RANDOM;
      else if (!strcmp(val, "pos")) o->strategy = IL_STRAT_POS;
      else if (!strcmp(val, "pct+pos")) o->strategy = STRAT_MIX;
      else if (!strcmp(val, "mutate")) o->strategy = STRAT_MUTATE;
      else if (!strcmp(val, "dfs")) o->dfs = 1; /* the runtime follows prefixes (IL_STRAT_GUIDED) */
      else die_usage("--strategy: unknown strategy '%s' (pct, random, pos, pct+pos, mutate, dfs)", val);
      break;
    case O_DEPTH: o->depth = (unsigned)num(name, val, 16); if (!o->depth) die_usage("--depth must be 1..16"); break;
    case O_KEEP: o->keep_going = 1; break;
    case O_MAXSTEPS: o->max_steps = num(name, val, IL_MAX_DECISIONS - 1); if (!o->max_steps) die_usage("--max-steps must be positive"); o->budget_given = 1; break;
    case O_MAXVT: o->max_vtime = real_num(name, val); o->budget_given = 1; break;
    case O_STALL: o->stall_timeout = real_num(name, val); break;
    case O_WATCHDOG: o->watchdog_ms = (unsigned)num(name, val, 3600000); if (o->watchdog_ms < 10) die_usage("--watchdog must be at least 10 ms"); break;
    case O_SPIN: o->spin_ms = (unsigned)num(name, val, 3600000); break;
    case O_OKEXIT: {
      o->nok_exit = 0;
      char *copy = strdup(val), *save, *tok;
      for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (o->nok_exit >= 32) die_usage("--ok-exit: too many codes");
        o->ok_exit[o->nok_exit++] = (int)num(name, tok, 255);
      }
      free(copy);
      break;
    }
    case O_OUT: o->out_dir = val; break;
    case O_FULL: o->full_trace = 1; break;
    case O_WIDTH: o->width = (int)num(name, val, 100000); break;
    case O_JOBS: o->jobs = (int)num(name, val, 1024); if (!o->jobs) die_usage("--jobs must be at least 1"); break;
    case O_QUIET: o->quiet = 1; break;
    case O_GDB: if (!gdb) die_usage("--gdb is an option of interleave replay"); *gdb = 1; break;
    case O_HELP: fputs(usage, stdout); exit(EXIT_OK);
    case O_SHARD: parse_shard(val, o); break;
    case O_NONTERM: o->allow_nonterm = 1; break;
    case O_NOLOCKDEP: o->lockdep = 0; break;
    case O_HOLD: o->hold_threshold = real_num(name, val); if (o->hold_threshold <= 0) die_usage("--hold-threshold must be positive"); break;
    case O_NOHOLD: o->hold_threshold = 0; break;
    case O_SUPP: suppressions_load(o, val); break;
    case O_NORACE: o->race = 0; break;
    case O_MAXDELAY: o->max_delay_ns = duration_ns(name, val); break;
    case O_SIGNAL: o->inject_signal = signal_arg(name, val); break;
    case O_PREEMPT: o->preemptions = (unsigned)num(name, val, 64); break;
    case O_MAXSCHED: o->max_schedules = num(name, val, UINT64_MAX); if (!o->max_schedules) die_usage("--max-schedules must be positive"); break;
    /* copies: a value from INTERLEAVE_OPTIONS is freed after parsing */
    case O_SARIF: free(kept[0]); o->sarif = kept[0] = strdup(val); break;
    case O_JUNIT: free(kept[1]); o->junit = kept[1] = strdup(val); break;
    case O_JSON: free(kept[2]); o->json = kept[2] = strdup(val); break;
    case O_HTML: free(kept[3]); o->html = kept[3] = strdup(val); break;
    case O_PERFETTO: free(kept[4]); o->perfetto = kept[4] = strdup(val); break;
    case O_PROGRAM: if (!gdb) die_usage("--program is an option of interleave replay"); o->program = val; break;
    }
  }
  return i;
}

/* INTERLEAVE_OPTIONS="seed=7:runs=2000:max_delay=5ms" (TSAN_OPTIONS'
 * style): the same options as the command line, which overrides them.
 * Each key is a long option with '_' for '-'; a flag takes no value or
 * 1.  Parsed through parse_options, so an unknown key is refused the same
 * way. */
static void env_options(struct options *o) {
  const char *env = getenv("INTERLEAVE_OPTIONS");
  if (!env || !*env) return;
  char *copy = strdup(env), *save = NULL;
  char *args[130];
  int n = 1;
  args[0] = "interleave";
  for (char *tok = strtok_r(copy, ": ", &save); tok && n < 128; tok = strtok_r(NULL, ": ", &save)) {
    char *eq = strchr(tok, '=');
    size_t klen = eq ? (size_t)(eq - tok) : strlen(tok);
    char *arg = malloc(klen + (eq ? strlen(eq) : 0) + 3);
    memcpy(arg, "--", 2);
    for (size_t k = 0; k < klen; k++) arg[2 + k] = tok[k] == '_' ? '-' : tok[k];
    arg[2 + klen] = 0;
    int takes = -1; /* -1: no such option */
    for (size_t k = 0; k < sizeof optab / sizeof optab[0]; k++)
      if (!strcmp(optab[k].lng, arg + 2)) takes = optab[k].arg;
    if (takes < 0 || !strcmp(arg + 2, "gdb") || !strcmp(arg + 2, "program") || !strcmp(arg + 2, "help"))
      die_usage("INTERLEAVE_OPTIONS: unknown key '%.*s'", (int)klen, tok);
    /* a flag given as key=1 (or true) is the flag itself */
    if (eq && (takes == 1 || (strcmp(eq + 1, "1") && strcmp(eq + 1, "true")))) strcat(arg, eq);
    args[n++] = arg;
  }
  args[n] = NULL;
  if (parse_options(n, args, 1, o, NULL) != n)
    die_usage("INTERLEAVE_OPTIONS: expected key=value pairs separated by ':', got '%s'", env);
  /* args and copy stay allocated: options keep pointers into them (--out). */
}

static void defaults(struct options *o) {
  memset(o, 0, sizeof *o);
  o->runs = 10000;
  o->strategy = STRAT_MIX; /* measured best (docs/performance.md, "Strategies") */
  o->depth = 3;
  o->max_steps = 4000000; /* real test programs finish; reaching it is not judged */
  o->max_vtime = 3600;
  o->stall_timeout = 60;
  o->max_delay_ns = 10000000; /* 10 ms: a few scheduler periods on a loaded CI runner */
  o->watchdog_ms = 2000;
  o->spin_ms = 100; /* spin.c: GLib's thread-pool test waits this way */
  o->ok_exit[0] = 0;
  o->nok_exit = 1;
  o->out_dir = "interleave-out";
  o->context = 24;
  o->width = -1; /* the terminal's, $COLUMNS, or unlimited: report.c */
  o->jobs = 0; /* one per CPU */
  o->nshards = 1;
  o->lockdep = 1;
  o->hold_threshold = 1;
  o->race = 1;
  o->preemptions = 2;
  o->max_schedules = 1000000;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  struct options opt;
  defaults(&opt);
  if (argc < 2) { fputs(usage, stderr); return EXIT_TOOL; }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) { fputs(usage, stdout); return EXIT_OK; }
  if (!strcmp(cmd, "--version")) { printf("interleave 0.1 (wire %d)\n", IL_WIRE_VERSION); return EXIT_OK; }
  if (!strcmp(cmd, "run")) {
    env_options(&opt);
    int first = parse_options(argc, argv, 2, &opt, NULL);
    struct target t;
    memset(&t, 0, sizeof t);
    target_init(&t, argc - first, argv + first);
    return cmd_run(&opt, &t);
  }
  if (!strcmp(cmd, "gtest")) {
    env_options(&opt);
    int first = parse_options(argc, argv, 2, &opt, NULL);
    return cmd_gtest(&opt, argc - first, argv + first);
  }
  if (!strcmp(cmd, "replay")) return cmd_replay(argc, argv, &opt);
  if (!strcmp(cmd, "merge")) return cmd_merge(argc - 2, argv + 2);
  if (!strcmp(cmd, "cc")) return cmd_cc(argc - 2, argv + 2, 0);
  if (!strcmp(cmd, "c++")) return cmd_cc(argc - 2, argv + 2, 1);
  die_usage("unknown command '%s' (run, gtest, replay; see interleave --help)", cmd);
}
