/* explore.c: the campaign.  Execution i's schedule depends only on the run
 * seed and i (exec_seed), plus PCT's step estimate, which is refreshed only
 * at power-of-two execution indices from the executions before them: so a
 * campaign is a pure function of its options. */
#include "cli.h"
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void fill_request(struct il_request *rq, const struct options *opt, uint64_t idx, uint64_t est, int64_t base_rt) {
  memset(rq, 0, sizeof *rq);
  rq->exec_index = idx;
  rq->seed = exec_seed(opt->seed, idx);
  rq->strategy = (uint32_t)opt->strategy;
  rq->depth = opt->depth;
  rq->est_steps = est ? est : 100;
  rq->max_steps = opt->max_steps;
  rq->max_vtime_ns = (int64_t)(opt->max_vtime * 1e9);
  rq->stall_timeout_ns = (int64_t)(opt->stall_timeout * 1e9);
  rq->base_realtime_ns = base_rt;
  rq->watchdog_ms = opt->watchdog_ms;
  rq->cpu = -1;
}

static void mkdirs(const char *dir) {
  char p[4096];
  snprintf(p, sizeof p, "%s", dir);
  for (char *s = p + 1; *s; s++)
    if (*s == '/') { *s = 0; mkdir(p, 0777); *s = '/'; }
  if (mkdir(p, 0777) && errno != EEXIST) die_tool("cannot create %s: %s", dir, strerror(errno));
}

/* Read what the program printed into a memfd (the report's replay). */
static char *slurp_fd(int fd) {
  off_t n = lseek(fd, 0, SEEK_END);
  if (n <= 0) return NULL;
  if (n > (1 << 20)) n = 1 << 20;
  char *b = malloc((size_t)n + 1);
  ssize_t k = pread(fd, b, (size_t)n, lseek(fd, 0, SEEK_END) - n);
  b[k > 0 ? k : 0] = 0;
  return b;
}

/* Write the schedule first (a found failure is never lost), then re-run it
 * with stacks and the program's output captured, and print the report. */
static void handle_bug(const struct options *opt, const struct target *t, struct worker *w,
                       const struct il_request *rq, const struct outcome *o) {
  struct schedule s;
  memset(&s, 0, sizeof s);
  snprintf(s.program, sizeof s.program, "%s", t->path);
  s.argc = t->argc;
  s.argv = t->argv;
  s.hash = t->hash;
  s.seed = opt->seed;
  s.exec_index = o->exec_index;
  s.req = *rq;
  s.strategy = opt->strategy;
  s.kind = o->kind;
  s.thread = o->res.thread < 0 ? 0 : o->res.thread;
  s.pc = o->res.pc;
  s.n = o->res.ndecisions;
  if (!s.n && w->shm->progress) /* ended without a snapshot (killed) */
    s.n = (uint32_t)(w->shm->progress < IL_MAX_DECISIONS ? w->shm->progress : IL_MAX_DECISIONS);
  s.decisions = malloc((s.n ? s.n : 1) * sizeof *s.decisions);
  memcpy(s.decisions, w->shm->decisions, s.n * sizeof *s.decisions);
  mkdirs(opt->out_dir);
  char path[4400];
  snprintf(path, sizeof path, "%s/%s-%" PRIx64 "-%" PRIu64 ".sched", opt->out_dir, bug_kind_name(o->kind),
           opt->seed, o->exec_index);
  if (sched_write(path, &s)) die_tool("cannot write %s: %s", path, strerror(errno));

  /* The report's replay: stacks at every event, output kept. */
  int out = memfd_create("interleave-out", MFD_CLOEXEC);
  struct worker rw;
  worker_start(&rw, t, -1, out);
  struct il_request rr = *rq;
  rr.strategy = IL_STRAT_REPLAY;
  rr.replay_len = s.n;
  rr.flags |= IL_F_STACKS;
  struct outcome ro;
  const struct il_shm *shm = w->shm;
  const struct outcome *shown = o;
  if (worker_run(&rw, &rr, s.decisions, s.n, &ro, opt) == 0 && ro.kind == o->kind &&
      ro.res.thread == o->res.thread && ro.res.pc == o->res.pc) {
    shm = rw.shm;
    shown = &ro;
  } else {
    fprintf(stderr, "interleave: warning: re-running the schedule for the report did not reproduce it "
                    "(%s); the report shows the original execution\n", bug_kind_name(ro.kind));
  }
  char *text = slurp_fd(out);
  report_print(stdout, shm, shown, opt, path, text);
  fflush(stdout);
  free(text);
  worker_stop(&rw);
  close(out);
  free(s.decisions);
}

int cmd_run(struct options *opt, struct target *t) {
  if (!opt->seed_given) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &opt->seed, sizeof opt->seed) != (ssize_t)sizeof opt->seed) opt->seed = (uint64_t)time(NULL);
    if (fd >= 0) close(fd);
    opt->seed &= 0xffffffffffULL; /* short enough to type */
  }
  struct timespec rt;
  clock_gettime(CLOCK_REALTIME, &rt);
  int64_t base_rt = (int64_t)rt.tv_sec * 1000000000LL; /* whole seconds: tidy timestamps */
  const char *sname = opt->strategy == IL_STRAT_RANDOM ? "random" : "pct";
  if (!opt->quiet) {
    if (opt->strategy == IL_STRAT_PCT)
      fprintf(stderr, "interleave: seed 0x%" PRIx64 ", strategy pct (depth %u), up to %" PRIu64 " executions\n",
              opt->seed, opt->depth, opt->runs);
    else
      fprintf(stderr, "interleave: seed 0x%" PRIx64 ", strategy %s, up to %" PRIu64 " executions\n", opt->seed,
              sname, opt->runs);
  }
  /* One worker: it, its fork server and the CLI share CPU 0, so that the
   * handoffs between them are same-CPU wake-ups. */
  cpu_set_t cs;
  CPU_ZERO(&cs);
  CPU_SET(0, &cs);
  sched_setaffinity(0, sizeof cs, &cs);
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  struct worker w;
  worker_start(&w, t, 0, devnull);
  double t0 = now_s();
  uint64_t est = 0, maxsteps = 0, done = 0, bugs = 0;
  uint64_t seen_sig[64];
  int nseen = 0, warned_limit = 0;
  for (uint64_t i = 0; i < opt->runs; i++) {
    if (opt->time_limit > 0 && now_s() - t0 >= opt->time_limit) break;
    if (i && (i & (i - 1)) == 0) est = maxsteps;
    struct il_request rq;
    fill_request(&rq, opt, i, est, base_rt);
    struct outcome o;
    if (worker_run(&w, &rq, NULL, 0, &o, opt)) {
      worker_stop(&w);
      die_tool("the fork server for %s died during execution %" PRIu64 "; rerun with --seed 0x%" PRIx64,
               t->argv[0], i, opt->seed);
    }
    done++;
    if (o.res.steps > maxsteps) maxsteps = o.res.steps;
    if (o.kind == BUG_UNSUPPORTED) {
      worker_stop(&w);
      fprintf(stderr, "interleave: %s: %s\n", t->argv[0], o.res.msg);
      exit(EXIT_TOOL);
    }
    if (o.kind == BUG_LIMIT) {
      if (!warned_limit++)
        fprintf(stderr, "interleave: warning: execution %" PRIu64 " incomplete: %s\n", i, o.res.msg);
      continue;
    }
    if (!o.bug) continue;
    uint64_t sig = (uint64_t)o.kind * 0x9e3779b97f4a7c15ULL ^ o.res.pc;
    int dup = 0;
    for (int k = 0; k < nseen; k++) dup |= seen_sig[k] == sig;
    if (dup) continue;
    if (nseen < 64) seen_sig[nseen++] = sig;
    bugs++;
    double el = now_s() - t0;
    if (!opt->quiet)
      fprintf(stderr, "interleave: bug found in execution %" PRIu64 " after %.2f s (%" PRIu64 " executions, %.0f/s)\n",
              i, el, done, el > 0 ? done / el : 0.0);
    handle_bug(opt, t, &w, &rq, &o);
    if (!opt->keep_going) break;
  }
  double el = now_s() - t0;
  worker_stop(&w);
  close(devnull);
  if (!opt->quiet)
    fprintf(stderr, "interleave: %" PRIu64 " executions in %.2f s (%.0f/s), %" PRIu64 " bug%s found\n", done, el,
            el > 0 ? done / el : 0.0, bugs, bugs == 1 ? "" : "s");
  if (!bugs) printf("interleave: no bug found in %" PRIu64 " executions (seed 0x%" PRIx64 ", strategy %s)\n", done,
                    opt->seed, sname);
  return bugs ? EXIT_BUG : EXIT_OK;
}
