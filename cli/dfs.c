/* dfs.c: --strategy dfs, a bounded proof.  Every schedule with at most K
 * preemptions is run (up to the reduction below), and the run ends with
 * "verified: no bug in any schedule with at most K preemptions (N
 * schedules)", or with the first bug, reported like any other.
 *
 * Stateless depth-first search, as in CHESS (Musuvathi and Qadeer, PLDI
 * 2007).  The runtime records, for each decision step (IL_F_DFS,
 * shm->dfs[]), the candidates it chose from and what the chosen thread was
 * about to do.  The CLI keeps the current path as a stack of nodes, one per
 * step, and runs each new schedule as a prefix of decisions followed by
 * the deterministic non-preemptive continuation of IL_STRAT_GUIDED (past
 * the prefix it keeps the running thread when it can, else the first
 * candidate: the lowest-index runnable thread).  Then it backtracks to the
 * deepest step with an alternative left that the preemption budget allows.
 * The search is iterated with bounds 0, 1, ... K (iterative context
 * bounding, as CHESS does): a bug that needs fewer preemptions is found
 * first.  The N of the verdict is the last pass's count; --max-schedules
 * counts every execution.
 *
 * A preemption: choosing another thread while the thread that ran the
 * previous step could go on (the runtime's IL_EV_PREEMPT).  Choosing when
 * it blocked or exited, or when only timed waiters remain, is free.
 * Branch points: every thread choice, a timeout firing (a timed waiter is
 * a candidate like any other, and choosing it while the running thread
 * could go on is a preemption), and which waiter a signal or futex wake
 * picks (il_choose_among: free).  Steps run by the fair continuation
 * (starvation, stall suspicion) are fixed: the runtime does not ask the
 * strategy there.
 *
 * Reduction: sleep sets (Godefroid 1996).  After the subtree of choosing u
 * at a step is done, u sleeps in its siblings' subtrees until a thread
 * runs an operation dependent on u's pending one; a schedule that would
 * run a sleeping thread is not extended (it is equivalent to one already
 * explored).  Two operations are independent when they act on different
 * objects: a transition is the operation at the decision plus what the
 * thread does before its next one (a condition wait releases its mutex
 * there), so its footprint is both operations' objects.  Anything without
 * an object of its own (create, exit, join's target exit, sleep, clock,
 * signals, a timeout firing, futexes, which may requeue) is dependent on
 * everything.  This assumes, as CHESS does, that what runs between two
 * scheduling points touches shared data only under those objects: a data
 * race in an uninstrumented build is invisible here (interleave cc builds
 * make the accesses points of their own).  Combined with a preemption
 * bound, sleep sets can miss a schedule whose only equivalent needs more
 * preemptions (Coons, Musuvathi, McKinley, OOPSLA 2013); the verdict says
 * "up to" that reduction in the documentation, not on every line.
 *
 * Nondeterminism: each schedule's prefix is checked against the path (the
 * same thread chosen from the same candidates at every step).  A prefix
 * that diverges is reported and counted, the subtree is abandoned, and the
 * run cannot end "verified".
 *
 * Limits: steps past IL_DFS_STEPS are run but not branched, and a step
 * with a candidate of index >= 64 is not branched; either makes the
 * verdict "not verified", as do --max-schedules, --time-limit and
 * executions not judged (a default budget reached).
 */
#include "cli.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct node {
  uint64_t ready, timed;  /* candidates at this step (AMONG: the waiters) */
  uint64_t done;          /* choices explored here, the current one included */
  uint64_t sleep;         /* sleeping threads on entry */
  uint32_t pre;           /* preemptions before this step */
  uint16_t chosen, self, flags;
};

/* What a transition touches: up to three objects, or everything. */
struct footprint { int global; uint64_t obj[3]; };

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Operations whose effect is on their object alone. */
static int local_op(unsigned op) {
  switch (op) {
  case IL_OP_LOCK: case IL_OP_TRYLOCK: case IL_OP_UNLOCK: case IL_OP_RDLOCK: case IL_OP_WRLOCK:
  case IL_OP_TRYRDLOCK: case IL_OP_TRYWRLOCK: case IL_OP_RWUNLOCK: case IL_OP_COND_WAIT:
  case IL_OP_COND_RELOCK: case IL_OP_COND_SIGNAL: case IL_OP_COND_BCAST: case IL_OP_SEM_WAIT:
  case IL_OP_SEM_TRYWAIT: case IL_OP_SEM_POST: case IL_OP_BARRIER: case IL_OP_ONCE: case IL_OP_SPIN_LOCK:
  case IL_OP_SPIN_TRY: case IL_OP_SPIN_UNLOCK: case IL_OP_ATOMIC_LOAD: case IL_OP_ATOMIC_STORE:
  case IL_OP_ATOMIC_RMW: case IL_OP_ATOMIC_CAS: case IL_OP_MEM_LOAD: case IL_OP_MEM_STORE: case IL_OP_JOIN:
    return 1;
  default:
    return 0;
  }
}

static int independent(const struct footprint *a, const struct footprint *b) {
  if (a->global || b->global) return 0;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      if (a->obj[i] && a->obj[i] == b->obj[j]) return 0;
  return 1;
}

struct dfs {
  struct options *opt;
  struct target *t;
  struct worker w;
  struct node *path;
  uint32_t len;           /* nodes on the path */
  uint16_t *dec;          /* the prefix handed to the runtime */
  /* the last execution, copied out of shm */
  const struct il_dfs_step *rec;
  const uint16_t *recdec;
  uint32_t nrec;
  int32_t *next_same;     /* next thread-choice step of the same thread, -1 */
  int32_t *next_choice;   /* next thread-choice step, -1 */
  uint64_t schedules, diverged, not_judged, truncated, wide;
  uint64_t pruned, steps;  /* executions cut by a sleep set; steps run */
  unsigned bound;          /* this pass's preemption bound */
  uint64_t pass_schedules; /* schedules of this pass */
  int warned_div;
};

static int is_choice(const struct il_dfs_step *r) { return !(r->flags & IL_DFS_AMONG); }

/* The transition run at (thread-choice) step j: its operation there, and
 * the one its thread announces next (the caller of the next choice). */
static void footprint_at(const struct dfs *d, int32_t j, struct footprint *f) {
  memset(f, 0, sizeof *f);
  if (j < 0) { f->global = 1; return; }
  const struct il_dfs_step *r = &d->rec[j];
  if ((r->flags & (IL_DFS_TIMEOUT | IL_DFS_GLOBAL | IL_DFS_FAIR)) || !local_op(r->op) || !r->obj) {
    f->global = 1;
    return;
  }
  f->obj[0] = r->obj;
  int32_t k = d->next_choice[j];
  if (k < 0) { f->global = 1; return; }
  const struct il_dfs_step *n = &d->rec[k];
  if (n->caller_op == IL_DFS_NOSELF || !local_op(n->caller_op) || !n->caller_obj) { f->global = 1; return; }
  f->obj[1] = n->caller_obj;
  f->obj[2] = n->caller_obj2;
}

/* Thread u's pending transition at step i: what it does when it next runs
 * in this execution (a parked thread's pending operation does not change
 * until it runs). */
static void footprint_of(const struct dfs *d, const int32_t *nextpos, int u, struct footprint *f) {
  footprint_at(d, nextpos[u], f);
}

static int cost(const struct node *n, unsigned v) {
  return n->self != IL_DFS_NOSELF && v != n->self ? 1 : 0;
}

/* Extend the path past the prefix with the last execution's steps,
 * carrying sleep sets forward.  plen: the prefix length. */
static void extend(struct dfs *d, uint32_t plen) {
  uint32_t n = d->nrec;
  /* next_same / next_choice, backwards */
  int32_t last[64], nc = -1;
  for (int u = 0; u < 64; u++) last[u] = -1;
  for (int64_t j = (int64_t)n - 1; j >= 0; j--) {
    d->next_choice[j] = nc;
    if (!is_choice(&d->rec[j])) { d->next_same[j] = -1; continue; }
    unsigned u = d->recdec[j];
    d->next_same[j] = u < 64 ? last[u] : -1;
    if (u < 64) last[u] = (int32_t)j;
    nc = (int32_t)j;
  }
  /* nextpos[u]: the first thread-choice step >= i where u runs. */
  int32_t nextpos[64];
  for (int u = 0; u < 64; u++) nextpos[u] = -1;
  uint32_t from = plen ? plen - 1 : 0;
  for (int64_t j = (int64_t)n - 1; j >= (int64_t)from; j--)
    if (is_choice(&d->rec[j]) && d->recdec[j] < 64) nextpos[d->recdec[j]] = (int32_t)j;
  for (uint32_t i = from; i < n; i++) {
    /* advance nextpos past step i-1 */
    if (i > from && is_choice(&d->rec[i - 1]) && d->recdec[i - 1] < 64)
      nextpos[d->recdec[i - 1]] = d->next_same[i - 1];
    if (i < plen) continue; /* the prefix's last node: already on the path */
    struct node *p = i ? &d->path[i - 1] : NULL, *c = &d->path[i];
    const struct il_dfs_step *r = &d->rec[i];
    c->ready = r->ready;
    c->timed = r->timed;
    c->flags = r->flags;
    c->self = r->self;
    c->chosen = d->recdec[i];
    c->done = c->chosen < 64 ? 1ULL << c->chosen : 0;
    c->pre = p ? p->pre + (uint32_t)cost(p, p->chosen) : 0;
    c->sleep = 0;
    if (r->flags & IL_DFS_WIDE) d->wide++;
    d->len = i + 1;
    if (p && is_choice(&d->rec[i - 1]) && !(p->flags & (IL_DFS_FAIR | IL_DFS_WIDE))) {
      /* Threads asleep before step i-1, and siblings explored there, stay
       * asleep if independent of what ran at i-1.  nextpos is still that
       * of step i-1 for every thread but the one that ran. */
      uint64_t cand = (p->sleep | p->done) & ~(1ULL << p->chosen);
      if (cand) {
        struct footprint ran, fu;
        footprint_at(d, (int32_t)(i - 1), &ran);
        for (int u = 0; u < 64; u++) {
          if (!(cand >> u & 1)) continue;
          footprint_of(d, nextpos, u, &fu);
          if (independent(&ran, &fu)) c->sleep |= 1ULL << u;
        }
      }
    }
    if (is_choice(r) && c->chosen < 64 && (c->sleep >> c->chosen & 1)) {
      /* Running a sleeping thread: equivalent to a schedule already
       * explored.  The rest of this execution is not extended; the
       * siblings here are still open. */
      d->pruned++;
      return;
    }
  }
}

/* The deepest step with an alternative left; sets it on the path and
 * returns the new prefix length, or 0 when the search is complete. */
static uint32_t backtrack(struct dfs *d) {
  unsigned k = d->bound;
  while (d->len > 0) {
    struct node *n = &d->path[d->len - 1];
    if (!(n->flags & (IL_DFS_FAIR | IL_DFS_WIDE))) {
      uint64_t alts = (n->ready | n->timed) & ~n->done;
      if (!(n->flags & IL_DFS_AMONG)) alts &= ~n->sleep;
      for (unsigned v = 0; v < 64 && alts; v++) {
        if (!(alts >> v & 1)) continue;
        if (!(n->flags & IL_DFS_AMONG) && n->pre + (uint32_t)cost(n, v) > k) continue;
        n->done |= 1ULL << v;
        n->chosen = (uint16_t)v;
        return d->len;
      }
    }
    d->len--;
  }
  return 0;
}

/* Did the execution follow the prefix?  Returns the first step where it
 * did not, or -1. */
static int64_t check_prefix(const struct dfs *d, uint32_t plen) {
  for (uint32_t i = 0; i < plen; i++) {
    if (i >= d->nrec) return i;
    const struct node *n = &d->path[i];
    const struct il_dfs_step *r = &d->rec[i];
    if (d->recdec[i] != n->chosen || r->ready != n->ready || r->timed != n->timed ||
        (r->flags & IL_DFS_AMONG) != (n->flags & IL_DFS_AMONG))
      return i;
  }
  return -1;
}

int dfs_explore(struct options *opt, struct target *t, struct run_stats *st) {
  struct dfs d;
  memset(&d, 0, sizeof d);
  d.opt = opt;
  d.t = t;
  if (!opt->seed_given) opt->seed = 0; /* the program's own randomness: the same in every schedule */
  mkdirs(opt->out_dir);
  d.path = calloc(IL_DFS_STEPS, sizeof *d.path);
  d.dec = calloc(IL_DFS_STEPS, sizeof *d.dec);
  d.next_same = calloc(IL_DFS_STEPS, sizeof *d.next_same);
  d.next_choice = calloc(IL_DFS_STEPS, sizeof *d.next_choice);
  if (!d.path || !d.dec || !d.next_same || !d.next_choice) die_tool("out of memory");
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  /* One worker, as explore.c does with one: it, its fork server and the
   * CLI share a CPU, so that the handoffs are same-CPU wake-ups. */
  cpu_set_t cs;
  CPU_ZERO(&cs);
  CPU_SET(0, &cs);
  sched_setaffinity(0, sizeof cs, &cs);
  worker_start(&d.w, t, 0, devnull);
  struct timespec rt;
  clock_gettime(CLOCK_REALTIME, &rt);
  int64_t base_rt = (int64_t)rt.tv_sec * 1000000000LL;
  if (!opt->quiet && isatty(2))
    fprintf(stderr, "interleave: depth-first search, every schedule with at most %u preemption%s\n",
            opt->preemptions, opt->preemptions == 1 ? "" : "s");
  double t0 = now_s(), last_ui = 0;
  uint32_t plen = 0;
  int status = EXIT_OK, stopped = 0, bug = 0;
  /* Iterative preemption bounding (CHESS): a full search with bound 0,
   * then 1, ... up to K.  Each pass reruns the smaller ones' schedules
   * (stateless), a small fraction of the last; in exchange a bug that
   * needs one preemption is found before any schedule with two is tried. */
  d.bound = 0;
  for (;;) {
    if (d.schedules >= opt->max_schedules || (opt->time_limit > 0 && now_s() - t0 >= opt->time_limit)) {
      stopped = 1;
      break;
    }
    struct il_request rq;
    fill_request(&rq, opt, d.schedules, 0, base_rt);
    rq.seed = opt->seed;
    rq.strategy = IL_STRAT_GUIDED;
    rq.replay_len = plen;
    rq.skip_step = UINT64_MAX;
    rq.flags |= IL_F_DFS;
    for (uint32_t i = 0; i < plen; i++) d.dec[i] = d.path[i].chosen;
    struct outcome o;
    if (worker_run(&d.w, &rq, d.dec, plen, &o, opt))
      die_tool("the fork server for %s died during schedule %" PRIu64, t->argv[0], d.schedules);
    d.schedules++;
    d.pass_schedules++;
    if (o.kind == BUG_UNSUPPORTED) {
      worker_stop(&d.w);
      fprintf(stderr, "interleave: %s: %s\n", t->argv[0], o.res.msg);
      exit(EXIT_TOOL);
    }
    if (o.bug && o.kind != BUG_LIMIT) {
      uint32_t nd = o.res.ndecisions;
      uint16_t *dec = malloc((nd ? nd : 1) * sizeof *dec);
      memcpy(dec, d.w.shm->decisions, nd * sizeof *dec);
      if (!opt->quiet && isatty(2)) fputs("\r\033[K", stderr);
      int same = handle_bug(opt, t, opt->out_dir, &rq, &o, dec);
      free(dec);
      bug = same ? 1 : 2;
      break;
    }
    if (o.kind == BUG_LIMIT) d.not_judged++;
    d.steps += o.res.ndecisions;
    d.rec = d.w.shm->dfs;
    d.recdec = d.w.shm->decisions;
    d.nrec = o.res.ndecisions < IL_DFS_STEPS ? o.res.ndecisions : IL_DFS_STEPS;
    if (o.res.ndecisions > IL_DFS_STEPS) d.truncated++;
    int64_t div = check_prefix(&d, plen);
    if (div >= 0) {
      d.diverged++;
      if (!d.warned_div++)
        fprintf(stderr, "interleave: warning: schedule %" PRIu64 " did not follow its prefix at step %" PRId64
                        " (the program is nondeterministic beyond its thread schedule); that subtree is skipped\n",
                d.schedules, div);
    } else {
      extend(&d, plen);
    }
    plen = backtrack(&d);
    if (!plen) {
      if (d.bound >= opt->preemptions) break;
      d.bound++; /* the next pass, from the empty prefix */
      d.pass_schedules = 0;
      d.len = 0;
    }
    double now = now_s();
    if (!opt->quiet && isatty(2) && now - last_ui >= 0.25) {
      last_ui = now;
      fprintf(stderr, "\r\033[Kinterleave: %" PRIu64 " schedules, %.0f/s, bound %u, depth %u", d.schedules,
              d.schedules / (now - t0), d.bound, plen);
    }
  }
  double elapsed = now_s() - t0;
  if (!opt->quiet)
    fprintf(stderr, "interleave: dfs: %" PRIu64 " schedules run in all passes (bounds 0..%u), %" PRIu64
                    " cut short by sleep sets, %.0f steps each on average\n",
            d.schedules, d.bound, d.pruned, d.schedules ? (double)d.steps / d.schedules : 0.0);
  if (!opt->quiet && isatty(2) && !bug) fputs("\r\033[K", stderr);
  worker_stop(&d.w);
  close(devnull);
  if (bug == 1) status = EXIT_BUG;
  else if (bug == 2) {
    status = EXIT_UNREPRODUCIBLE;
  } else if (stopped || d.diverged || d.not_judged || d.truncated || d.wide) {
    printf("interleave: not verified: ");
    if (stopped)
      printf("stopped after %" PRIu64 " schedules (%s), in the pass with at most %u preemption%s", d.schedules,
             d.schedules >= opt->max_schedules ? "--max-schedules" : "--time-limit", d.bound, d.bound == 1 ? "" : "s");
    else
      printf("%" PRIu64 " schedules explored", d.schedules);
    if (d.diverged) printf("; %" PRIu64 " did not follow their prefix", d.diverged);
    if (d.not_judged) printf("; %" PRIu64 " not judged (a default budget reached)", d.not_judged);
    if (d.truncated) printf("; %" PRIu64 " ran past %u steps (not branched there)", d.truncated, IL_DFS_STEPS);
    if (d.wide) printf("; %" PRIu64 " steps with more than 64 threads (not branched)", d.wide);
    printf("; no bug found with at most %u preemption%s (%.1f s)\n", opt->preemptions,
           opt->preemptions == 1 ? "" : "s", elapsed);
  } else {
    printf("interleave: verified: no bug in any schedule with at most %u preemption%s (%" PRIu64
           " schedules) in %.1f s\n", opt->preemptions, opt->preemptions == 1 ? "" : "s", d.pass_schedules, elapsed);
  }
  fflush(stdout);
  free(d.path);
  free(d.dec);
  free(d.next_same);
  free(d.next_choice);
  *st = (struct run_stats){d.schedules, bug == 1, bug == 2, d.not_judged, elapsed, status};
  return status;
}
