/* explore.c: the campaign.
 *
 * Execution i's schedule is a pure function of (seed, i) and PCT's step
 * estimate est(i): the largest step count among executions j < min(p, 64),
 * p the largest power of two <= i.  Those first 64 executions are the
 * calibration prefix: a shard runs the ones it does not own silently, so a
 * campaign split into shards, or run with any number of workers, runs
 * exactly the same executions as one run with the same seed.
 *
 * Workers (fork servers, one per CPU by default) take indices in increasing
 * order; results are committed in index order, so the first bug reported is
 * the one with the lowest index whatever -j is, and --keep-going
 * deduplicates in the same order.
 */
#include "cli.h"
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CALIBRATION 64

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void fill_request(struct il_request *rq, const struct options *opt, uint64_t idx, uint64_t est, uint64_t est_sync,
                  int64_t base_rt) {
  memset(rq, 0, sizeof *rq);
  rq->exec_index = idx;
  rq->seed = exec_seed(opt->seed, idx);
  /* pct+pos (the default): even executions PCT, odd ones POS; each finds
   * bugs the other is slow on (docs/performance.md, "Strategies").
   * mutate: the same, with feedback; mut_plan may derive the execution
   * from earlier ones instead. */
  int mix = opt->strategy == STRAT_MIX || opt->strategy == STRAT_MUTATE;
  rq->strategy = mix ? ((idx & 1) ? IL_STRAT_POS : IL_STRAT_PCT) : (uint32_t)opt->strategy;
  if (opt->strategy == STRAT_MUTATE) rq->flags |= IL_F_FEEDBACK;
  rq->depth = opt->depth;
  rq->est_steps = est ? est : 100;
  /* Where memory accesses are at least half the points (an `interleave
   * cc` build), every other PCT execution draws its change points over the
   * synchronization steps only (pct.c): bugs between lock operations are
   * found as fast as in the plain build, those between plain accesses by
   * the other half.  A plain build never has it: its executions stay as
   * they were. */
  int pct_turn = mix ? (idx >> 1 & 1) : (idx & 1);
  if (rq->strategy == IL_STRAT_PCT && pct_turn && est_sync && est_sync * 2 <= est) rq->est_sync = est_sync;
  rq->max_steps = opt->max_steps;
  rq->max_vtime_ns = (int64_t)(opt->max_vtime * 1e9);
  rq->stall_timeout_ns = (int64_t)(opt->stall_timeout * 1e9);
  rq->max_delay_ns = opt->max_delay_ns;
  rq->inject_signal = opt->inject_signal;
  rq->base_realtime_ns = base_rt;
  rq->watchdog_ms = opt->watchdog_ms;
  rq->spin_ms = opt->spin_ms < opt->watchdog_ms ? opt->spin_ms : 0;
  rq->cpu = -1;
  rq->hold_threshold_ns = (int64_t)(opt->hold_threshold * 1e9);
  if (opt->race) rq->flags |= IL_F_RACE;
}

void mkdirs(const char *dir) {
  char p[4096];
  snprintf(p, sizeof p, "%s", dir);
  for (char *s = p + 1; *s; s++)
    if (*s == '/') { *s = 0; mkdir(p, 0777); *s = '/'; }
  if (mkdir(p, 0777) && errno != EEXIST) die_tool("cannot create %s: %s", dir, strerror(errno));
}

/* Where a bug is, for "the same bug": the assert/fault/culprit pc, or the
 * racing access, or the blocking call a lock was held across. */
static uint64_t bug_site(const struct outcome *o) {
  if (o->kind == BUG_RACE) return o->races[o->race].cur.pc;
  if (o->kind == BUG_LOCKHOLD) return o->holds[o->hold].blk_pc;
  return o->res.pc;
}

/* Decision indices at which the last execution in shm preempted a thread
 * that could have gone on (events flagged IL_EV_PREEMPT; the decision came
 * one step before the event). */
static int preemptions(const struct il_shm *shm, uint64_t *steps, int max) {
  int n = 0;
  uint64_t total = shm->nevents, first = total > IL_EVENT_RING ? total - IL_EVENT_RING : 0;
  for (uint64_t i = first; i < total; i++) {
    const struct il_event *e = &shm->events[i % IL_EVENT_RING];
    if ((e->flags & IL_EV_PREEMPT) && e->step > 0) {
      if (n < max) steps[n] = e->step - 1;
      n++;
    }
  }
  return n;
}

/* Fewer preemptions, same bug (CHESS's and Coyote's minimization by
 * preemption removal): take away one preemption at a time, replaying the
 * rest of the schedule where it still fits (IL_STRAT_GUIDED), and keep the
 * result if the same bug happens at the same place.  Bounded: 32 runs.
 * Returns the preemption counts before and after through *from and *to;
 * *dec / *n / *cur are replaced by the minimized schedule and outcome. */
static void minimize(struct worker *w, const struct options *opt, const struct il_request *rq, uint16_t **dec,
                     uint32_t *n, struct outcome *cur, int *from, int *to) {
  struct il_request r = *rq;
  r.strategy = IL_STRAT_REPLAY;
  r.replay_len = *n;
  struct outcome o;
  *from = *to = -1;
  if (worker_run(w, &r, *dec, *n, &o, opt) || o.kind != cur->kind || bug_site(&o) != bug_site(cur)) return;
  uint64_t steps[64];
  int np = preemptions(w->shm, steps, 64);
  *from = *to = np;
  int runs = 0;
  for (int again = 1; again && runs < 32 && np > 0;) {
    again = 0;
    for (int k = (np < 64 ? np : 64) - 1; k >= 0 && runs < 32; k--) {
      r = *rq;
      r.strategy = IL_STRAT_GUIDED;
      r.replay_len = *n;
      r.skip_step = steps[k];
      runs++;
      if (worker_run(w, &r, *dec, *n, &o, opt) || o.kind != cur->kind || bug_site(&o) != bug_site(cur)) continue;
      uint64_t s2[64];
      int np2 = preemptions(w->shm, s2, 64);
      if (np2 >= np) continue;
      uint32_t nn = o.res.ndecisions;
      uint16_t *d = malloc((nn ? nn : 1) * sizeof *d);
      memcpy(d, w->shm->decisions, nn * sizeof *d);
      free(*dec);
      *dec = d;
      *n = nn;
      o.exec_index = cur->exec_index;
      *cur = o;
      np = np2;
      memcpy(steps, s2, sizeof steps);
      *to = np;
      again = 1;
      break;
    }
  }
}

/* Write the schedule first (a found failure is never lost), then re-run it
 * with stacks and the program's output captured, and print the report. */
/* Returns 1 if the bug was confirmed by its re-run, 0 if it did not
 * reproduce (then reported as such). */
int handle_bug(const struct options *opt, const struct target *t, const char *dir,
               const struct il_request *rq, const struct outcome *o, const uint16_t *dec) {
  struct schedule s;
  memset(&s, 0, sizeof s);
  snprintf(s.program, sizeof s.program, "%s", t->path);
  s.argc = t->argc;
  s.argv = t->argv;
  s.hash = t->hash;
  s.seed = opt->seed;
  s.exec_index = o->exec_index;
  s.req = *rq;
  s.strategy = (int)rq->strategy; /* the one that ran it (pct+pos: pct or pos) */
  s.kind = o->kind;
  s.thread = o->res.thread < 0 ? 0 : o->res.thread;
  s.pc = o->res.pc;
  s.n = o->res.ndecisions;
  s.decisions = (uint16_t *)dec;
  char path[4400];
  snprintf(path, sizeof path, "%s/%s-%" PRIx64 "-%" PRIu64 ".sched", dir, bug_kind_name(o->kind),
           opt->seed, o->exec_index);
  if (sched_write(path, &s)) die_tool("cannot write %s: %s", path, strerror(errno));

  /* Minimize, then rewrite the schedule if that helped. */
  int out = memfd_create("interleave-out", MFD_CLOEXEC);
  struct worker rw;
  worker_start(&rw, t, -1, out);
  struct outcome cur = *o;
  uint16_t *best = malloc((s.n ? s.n : 1) * sizeof *best);
  memcpy(best, dec, s.n * sizeof *best);
  uint32_t nbest = s.n;
  int pre_from = -1, pre_to = -1;
  /* A watchdog run costs --watchdog of real time: no minimization; the
   * report's re-run below is its confirmation. */
  if (o->kind != BUG_WATCHDOG) minimize(&rw, opt, rq, &best, &nbest, &cur, &pre_from, &pre_to);
  if (pre_to >= 0 && pre_to < pre_from) {
    s.decisions = best;
    s.n = nbest;
    s.thread = cur.res.thread < 0 ? 0 : cur.res.thread;
    s.pc = cur.res.pc;
    if (sched_write(path, &s)) die_tool("cannot write %s: %s", path, strerror(errno));
  }
  /* The report's replay: stacks at every event, output kept. */
  /* Only the last run's output matters.  The fork server's stdout shares
   * this file description, so rewinding here rewinds its writes too. */
  if (ftruncate(out, 0) == 0) lseek(out, 0, SEEK_SET);
  struct il_request rr = *rq;
  rr.strategy = IL_STRAT_REPLAY;
  rr.replay_len = s.n;
  rr.flags |= IL_F_STACKS;
  struct outcome ro;
  memset(&ro, 0, sizeof ro);
  /* The same bug: its kind, thread and place (a watchdog's place is
   * wherever the thread was caught, so its kind and thread). */
  int ran = worker_run(&rw, &rr, s.decisions, s.n, &ro, opt) == 0;
  int same = ran && ro.kind == cur.kind && ro.res.thread == cur.res.thread &&
             (cur.kind == BUG_WATCHDOG || ro.res.pc == cur.res.pc);
  ro.exec_index = o->exec_index;
  ro.preempt_from = pre_from;
  ro.preempt_to = pre_to;
  char *text = read_output(out);
  char summary[600];
  /* The report is kept as text too, for --junit. */
  char *rep = NULL;
  size_t repn = 0;
  FILE *rf = open_memstream(&rep, &repn);
  if (!rf) die_tool("out of memory");
  if (!same) {
    if (!ran) ro.kind = BUG_NONE;
    report_unreproducible(rf, rw.shm->maps, o, &ro, opt, path, summary, sizeof summary);
    fclose(rf);
    output_unreproducible(rw.shm->maps, o, path, rep, summary);
    timeline_text(bug_kind_name(o->kind), path, rep, summary);
  } else {
    report_print(rf, rw.shm, &ro, opt, path, text, summary, sizeof summary);
    fclose(rf);
    output_bug(rw.shm, &ro, path, rep, summary);
    timeline_bug(rw.shm, &ro, path, rep, summary);
  }
  fwrite(rep, 1, repn, stdout);
  fflush(stdout);
  free(rep);
  free(text);
  worker_stop(&rw);
  close(out);
  free(best);
  /* One line per distinct bug, for `interleave merge`. */
  char tsv[4400];
  snprintf(tsv, sizeof tsv, "%s/bugs.tsv", dir);
  FILE *f = fopen(tsv, "a");
  if (f) {
    fprintf(f, "%s\t%" PRIu64 "\t%s\n", summary, o->exec_index, path);
    fclose(f);
  }
  return same;
}

/* ---- the campaign ---- */

struct done_exec {        /* a finished execution not yet committed */
  struct outcome o;
  struct il_request rq;
  uint16_t *dec;          /* bugs only: its decisions */
  struct il_lock_edge *edges; /* its lock-order edges */
  uint32_t nedges;
  /* --strategy mutate: its coverage bits, its conflict pairs, and its
   * decisions when it may enter the corpus (mut_collect) */
  uint16_t *cov, *mdec;
  uint32_t ncov, nmdec, npairs;
  struct il_pair *pairs;
};

/* ---- --strategy mutate: the corpus and the conflict pairs ----
 *
 * Every execution of a mutate campaign reports its coverage (a bit per
 * conflict pair, runtime/strategy/feedback.c, and per lock-order edge)
 * and its conflict pairs with their pcs.  At commit, in index order, an
 * execution that set a bit no earlier one had enters the corpus (its
 * decisions, up to ENTRY_MAX), and its new pairs the pair list.  Half the
 * executions are then derived (mut_plan): by index mod 4, 0 PCT, 1 POS
 * (pct+pos), 2 race-directed (flip the least tried pair, data races first,
 * sometimes two pairs with one first pc), 3 a mutant (a kept schedule's
 * prefix and one flipped decision), or race-directed too while a data
 * race has not been flipped yet; 2 and 3 stand in for each other, and are
 * PCT/POS while nothing is known.
 *
 * Determinism: execution i uses only what executions j <= i - window
 * found (window: 4, or -j when larger), and the tries counts of the
 * executions planned before it, in index order; it is submitted only once
 * every such j is committed.  So a seed gives the same executions with
 * any -j up to 4 (above, per -j); with --shard, per shard (a shard learns
 * from its own executions; the calibration runs it does not own stay
 * fresh). */
#define MUT_WINDOW 4
#define CORPUS_MAX 1024
#define ENTRY_MAX 16384
#define KPAIRS_MAX 4096

struct centry { uint64_t src; uint16_t *dec; uint32_t n; };
struct kpair { uint64_t first, second, src; uint32_t race, tries; };
struct mutation {
  uint64_t seen[IL_COV_WORDS];   /* coverage of the committed executions */
  struct centry corpus[CORPUS_MAX];
  size_t ncorpus;
  struct kpair pairs[KPAIRS_MAX];
  size_t npairs;
  uint32_t pindex[2 * KPAIRS_MAX]; /* open addressing: 1 + index into pairs, 0 free */
  uint64_t window, mutants, directed;
  uint64_t digest;               /* of every derived execution's plan, in index order (stats) */
};

static uint64_t mut_hash(uint64_t a, uint64_t b) { return exec_seed(a * 0x9e3779b97f4a7c15ULL ^ b, 0x4d55544154ULL); }

/* After execution d ran on shm: what it found, kept until its commit. */
static void mut_collect(const struct mutation *m, struct done_exec *d, const struct il_shm *shm) {
  uint32_t cap = 256, n = 0;
  uint16_t *bits = malloc(cap * sizeof *bits);
  int maybe_new = 0;
  /* The runtime's bits, then a bit per lock-order edge (from, to). */
  uint32_t nb = IL_COV_WORDS * 64 + d->nedges;
  for (uint32_t k = 0; k < nb; k++) {
    uint32_t b = k;
    if (k < IL_COV_WORDS * 64) {
      uint64_t x = shm->cov[k >> 6] >> (k & 63);
      if (!x) { k |= 63; continue; } /* the rest of this word is clear */
      if (!(x & 1)) { k += (uint32_t)__builtin_ctzll(x) - 1; continue; }
    } else {
      const struct il_lock_edge *e = &d->edges[k - IL_COV_WORDS * 64];
      b = (uint32_t)(mut_hash(e->from_pc, e->to_pc ^ 0x4c4f434bULL) & (IL_COV_WORDS * 64 - 1));
    }
    if (n == cap) bits = realloc(bits, (cap *= 2) * sizeof *bits);
    bits[n++] = (uint16_t)b;
    if (!(m->seen[b >> 6] >> (b & 63) & 1)) maybe_new = 1;
  }
  d->cov = bits;
  d->ncov = n;
  d->pairs = malloc(IL_PAIRS * sizeof *d->pairs);
  d->npairs = 0;
  for (int k = 0; k < IL_PAIRS; k++)
    if (shm->pairs[k].flags & IL_PAIR_USED) d->pairs[d->npairs++] = shm->pairs[k];
  uint32_t nd = d->o.res.ndecisions < ENTRY_MAX ? d->o.res.ndecisions : ENTRY_MAX;
  if (maybe_new && nd) { /* the seen set only grows: no new bit now, none at commit */
    d->mdec = malloc(nd * sizeof *d->mdec);
    memcpy(d->mdec, shm->decisions, nd * sizeof *d->mdec);
    d->nmdec = nd;
  }
}

/* At its commit, in index order: keep what is new. */
static void mut_feed(struct mutation *m, struct done_exec *d) {
  int fresh = 0;
  for (uint32_t k = 0; k < d->ncov; k++) {
    uint32_t b = d->cov[k];
    if (!(m->seen[b >> 6] >> (b & 63) & 1)) {
      m->seen[b >> 6] |= 1ULL << (b & 63);
      fresh = 1;
    }
  }
  if (fresh && d->mdec && m->ncorpus < CORPUS_MAX) {
    m->corpus[m->ncorpus++] = (struct centry){d->o.exec_index, d->mdec, d->nmdec};
    d->mdec = NULL;
  }
  for (uint32_t k = 0; k < d->npairs; k++) {
    const struct il_pair *p = &d->pairs[k];
    uint32_t h = (uint32_t)(mut_hash(p->first, p->second) % (2 * KPAIRS_MAX));
    while (m->pindex[h] && (m->pairs[m->pindex[h] - 1].first != p->first || m->pairs[m->pindex[h] - 1].second != p->second))
      h = (h + 1) % (2 * KPAIRS_MAX);
    if (m->pindex[h]) {
      if (p->flags & IL_PAIR_RACE) m->pairs[m->pindex[h] - 1].race = 1;
    } else if (m->npairs < KPAIRS_MAX) {
      m->pairs[m->npairs] = (struct kpair){p->first, p->second, d->o.exec_index, !!(p->flags & IL_PAIR_RACE), 0};
      m->pindex[h] = (uint32_t)++m->npairs;
    }
  }
}

static void mut_free_done(struct done_exec *d) {
  free(d->cov);
  free(d->mdec);
  free(d->pairs);
  d->cov = d->mdec = NULL;
  d->pairs = NULL;
}

/* Execution i of a mutate campaign: fresh (NULL, rq untouched), or
 * derived: rq->strategy IL_STRAT_MUTATE, *mu its parameters, and the
 * prefix to follow returned (*ndec decisions). */
static const uint16_t *mut_plan(struct mutation *m, const struct options *opt, uint64_t i, int own,
                                struct il_request *rq, struct il_mutation *mu, uint32_t *ndec) {
  memset(mu, 0, sizeof *mu);
  mu->flip_at = UINT64_MAX;
  *ndec = 0;
  int kind = (int)(i % 4);
  if (!own || i < m->window || kind < 2) return NULL;
  uint64_t lim = i - m->window; /* what executions 0..lim found */
  size_t ne = 0, np = 0;
  while (ne < m->ncorpus && m->corpus[ne].src <= lim) ne++;
  while (np < m->npairs && m->pairs[np].src <= lim) np++;
  int untried_race = 0;
  for (size_t k = 0; k < np && !untried_race; k++) untried_race = m->pairs[k].race && !m->pairs[k].tries;
  if (kind == 3 && untried_race) kind = 2; /* a data race not flipped yet comes first */
  if (kind == 2 && !np) kind = 3;
  if (kind == 3 && !ne) kind = np ? 2 : -1;
  if (kind < 0) return NULL;
  uint64_t r = mut_hash(opt->seed, i);
  rq->strategy = IL_STRAT_MUTATE;
  mu->base = (r & 1) ? IL_STRAT_POS : IL_STRAT_PCT;
  if (kind == 2) {
    /* The pair tried least, data races first, then in the order found. */
    size_t best = 0;
    for (size_t k = 1; k < np; k++) {
      const struct kpair *a = &m->pairs[k], *b = &m->pairs[best];
      if (a->tries < b->tries || (a->tries == b->tries && a->race > b->race)) best = k;
    }
    mu->wait_pc[0] = m->pairs[best].first;
    mu->until_pc[0] = m->pairs[best].second;
    mu->ntargets = 1;
    m->pairs[best].tries++;
    /* Every other execution: also the least tried other pair with the
     * same first pc (a thread kept off until two others acted). */
    if (r >> 1 & 1) {
      size_t two = SIZE_MAX;
      for (size_t k = 0; k < np; k++)
        if (k != best && m->pairs[k].first == m->pairs[best].first &&
            (two == SIZE_MAX || m->pairs[k].tries < m->pairs[two].tries))
          two = k;
      if (two != SIZE_MAX) {
        mu->wait_pc[1] = m->pairs[two].first;
        mu->until_pc[1] = m->pairs[two].second;
        mu->ntargets = 2;
        m->pairs[two].tries++;
      }
    }
    m->directed++;
    m->digest = mut_hash(m->digest ^ i, mu->wait_pc[0] ^ mu->until_pc[0] * 3 ^ mu->wait_pc[1] * 5 ^ mu->until_pc[1] * 7);
    return NULL;
  }
  /* A mutant: the newest entries half the time, any entry otherwise; one
   * decision flipped, uniform over its length. */
  size_t e = (r >> 2 & 1) ? ne - 1 - (size_t)((r >> 8) % (ne < 8 ? ne : 8)) : (size_t)((r >> 8) % ne);
  const struct centry *c = &m->corpus[e];
  mu->flip_at = mut_hash(r, c->n) % c->n;
  rq->replay_len = c->n;
  *ndec = c->n;
  m->mutants++;
  m->digest = mut_hash(m->digest ^ i, c->src ^ mu->flip_at << 20 ^ (uint64_t)c->n << 40 ^ mu->base);
  return c->dec;
}

struct campaign {
  struct options *opt;
  struct target *t;
  char dir[4096];
  struct worker *w;
  int nw;
  int64_t base_rt;
  double t0, last_ui, last_stats;
  uint64_t cal[CALIBRATION];   /* steps of the calibration prefix */
  uint64_t cal_sync[CALIBRATION]; /* and their synchronization steps */
  int cal_known[CALIBRATION];
  uint64_t next;               /* next index to consider assigning */
  uint64_t commit;             /* next owned index to commit */
  int stop;                    /* 1: assign no more; 2: also commit no more */
  struct done_exec *done;
  size_t ndone, capdone;
  uint64_t executed, bugs;
  uint64_t unreproducible;     /* failures whose re-run did not fail the same way */
  uint64_t seen_sig[256];
  int nseen, warned_limit;
  uint64_t incomplete;         /* executions cut short by a full table */
  double first_bug_time;
  uint64_t first_bug_exec, first_bug_count;
  struct mutation *mut;        /* --strategy mutate, else NULL */
};

static int owned(const struct campaign *c, uint64_t i) {
  return i < c->opt->runs && i % c->opt->nshards == c->opt->shard;
}

/* Next index this process must run at or after i: owned, or calibration. */
static uint64_t next_needed(const struct campaign *c, uint64_t i) {
  for (;; i++) {
    if (i >= c->opt->runs) return UINT64_MAX;
    if (owned(c, i) || i < CALIBRATION) return i;
  }
}

static uint64_t next_owned(const struct campaign *c, uint64_t i) {
  for (;; i++) {
    if (i >= c->opt->runs) return UINT64_MAX;
    if (owned(c, i)) return i;
  }
}

/* est(i), or 0 with *ready = 0 while the executions it depends on run;
 * *sync: the same over their synchronization steps (est_sync). */
static uint64_t estimate(const struct campaign *c, uint64_t i, int *ready, uint64_t *sync) {
  uint64_t p = 1;
  while (p * 2 <= i) p *= 2;
  uint64_t lim = i == 0 ? 0 : (p < CALIBRATION ? p : CALIBRATION), est = 0;
  *ready = 1;
  *sync = 0;
  for (uint64_t j = 0; j < lim; j++) {
    if (!c->cal_known[j]) { *ready = 0; return 0; }
    if (c->cal[j] > est) est = c->cal[j];
    if (c->cal_sync[j] > *sync) *sync = c->cal_sync[j];
  }
  return est;
}

/* AFL++-style key : value file, rewritten every second. */
static void write_stats(struct campaign *c, int final) {
  char path[4200], tmp[4300];
  snprintf(path, sizeof path, "%s/stats", c->dir);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) return;
  double el = now_s() - c->t0;
  fprintf(f,
          "program          : %s\nseed             : 0x%" PRIx64 "\nstrategy         : %s\n"
          "shard            : %u/%u\njobs             : %d\nexecs_done       : %" PRIu64 "\n"
          "run_time         : %.3f\nexecs_per_sec    : %.1f\nbugs             : %" PRIu64 "\n"
          "state            : %s\n",
          c->t->path, c->opt->seed, strategy_name(c->opt->strategy), c->opt->shard,
          c->opt->nshards, c->nw, c->executed, el, el > 0 ? c->executed / el : 0.0, c->bugs,
          final ? "done" : "running");
  if (c->bugs)
    fprintf(f, "first_bug_exec   : %" PRIu64 "\nfirst_bug_time   : %.3f\nfirst_bug_execs  : %" PRIu64 "\n",
            c->first_bug_exec, c->first_bug_time, c->first_bug_count);
  if (c->mut)
    fprintf(f, "corpus           : %zu\npairs            : %zu\nmutants          : %" PRIu64 "\n"
               "directed         : %" PRIu64 "\nplan_digest      : 0x%016" PRIx64 "\n",
            c->mut->ncorpus, c->mut->npairs, c->mut->mutants, c->mut->directed, c->mut->digest);
  fclose(f);
  rename(tmp, path);
}

/* The status line on a terminal; nothing off one.  Stats on disk always. */
static void progress(struct campaign *c, int final) {
  double now = now_s(), el = now - c->t0;
  if (!final && now - c->last_ui < 0.25) return;
  c->last_ui = now;
  if (now - c->last_stats >= 1 || final) {
    write_stats(c, final);
    c->last_stats = now;
  }
  if (c->opt->quiet || !isatty(2)) return;
  char left[48] = "";
  if (c->opt->time_limit > 0)
    snprintf(left, sizeof left, ", %.0f s left", c->opt->time_limit - el > 0 ? c->opt->time_limit - el : 0);
  fprintf(stderr, "\r\033[Kinterleave: %" PRIu64 " executions, %.0f/s, %" PRIu64 " bug%s, %.1f s%s%s", c->executed,
          el > 0 ? c->executed / el : 0.0, c->bugs, c->bugs == 1 ? "" : "s", el, left, final ? "\n" : "");
}

static void stop_all(struct campaign *c) {
  for (int i = 0; i < c->nw; i++) worker_stop(&c->w[i]);
}

/* Feed one execution's lock-order edges to the run's graph; a new cycle
 * is reported at once and counts as a bug, but does not stop the run: an
 * actual deadlock, if one is reachable, is still worth finding. */
static void lockorder(struct campaign *c, struct done_exec *d) {
  struct il_lock_edge cyc[9];
  uint64_t ex[9];
  int n;
  if (!lockgraph_add(d->edges, d->nedges, d->o.exec_index, cyc, ex, &n)) return;
  if (c->opt->nsupp) {
    /* Suppressed if a pattern matches a lock or an acquiring function. */
    char names[36][128];
    const char *np[36];
    char loc[256];
    int k = 0;
    sym_use(c->w[0].shm->maps);
    for (int i = 0; i < n && k + 4 <= 36; i++) {
      sym_obj(cyc[i].from_obj, names[k], sizeof names[k]);
      np[k] = names[k], k++;
      sym_obj(cyc[i].to_obj, names[k], sizeof names[k]);
      np[k] = names[k], k++;
      sym_pc(cyc[i].from_pc, 1, names[k], sizeof names[k], loc, sizeof loc);
      np[k] = names[k], k++;
      sym_pc(cyc[i].to_pc, 1, names[k], sizeof names[k], loc, sizeof loc);
      np[k] = names[k], k++;
    }
    if (suppressed(c->opt, BUG_LOCKORDER, np, k)) return;
  }
  char summary[600];
  progress(c, 1);
  char *rep = NULL;
  size_t repn = 0;
  FILE *rf = open_memstream(&rep, &repn);
  if (!rf) die_tool("out of memory");
  report_lockorder(rf, c->w[0].shm->maps, cyc, ex, n, c->opt, summary, sizeof summary);
  fclose(rf);
  output_lockorder(c->w[0].shm->maps, cyc, ex, n, d->o.exec_index, rep, summary);
  timeline_text(bug_kind_name(BUG_LOCKORDER), NULL, rep, summary);
  fwrite(rep, 1, repn, stdout);
  fflush(stdout);
  free(rep);
  if (!c->bugs++) {
    c->first_bug_time = now_s() - c->t0;
    c->first_bug_exec = d->o.exec_index;
    c->first_bug_count = c->executed;
  }
  char tsv[4400];
  snprintf(tsv, sizeof tsv, "%s/bugs.tsv", c->dir);
  FILE *f = fopen(tsv, "a");
  if (f) {
    fprintf(f, "%s\t%" PRIu64 "\t-\n", summary, d->o.exec_index);
    fclose(f);
  }
}

/* Commit finished executions in index order. */
static void commit_ready(struct campaign *c) {
  for (;;) {
    c->commit = next_owned(c, c->commit);
    if (c->commit == UINT64_MAX) return;
    size_t k;
    for (k = 0; k < c->ndone; k++)
      if (c->done[k].o.exec_index == c->commit) break;
    if (k == c->ndone) return;
    struct done_exec d = c->done[k];
    c->done[k] = c->done[--c->ndone];
    c->commit++;
    struct outcome *o = &d.o;
    if (c->mut) {
      if (c->stop != 2) mut_feed(c->mut, &d);
      mut_free_done(&d);
    }
    if (c->stop != 2 && d.nedges && c->opt->lockdep) lockorder(c, &d);
    free(d.edges);
    if (c->stop == 2 || !o->bug || o->kind == BUG_LIMIT) {
      if (o->kind == BUG_LIMIT) c->incomplete++;
      if (o->kind == BUG_LIMIT && c->stop != 2 && !c->warned_limit++) {
        if (o->res.verdict == IL_V_HANG)
          fprintf(stderr, "interleave: warning: execution %" PRIu64 " not judged: it reached the default --%s "
                          "(set --max-steps / --max-virtual-time to judge such executions as hangs)\n",
                  o->exec_index, o->res.msg);
        else
          fprintf(stderr, "interleave: warning: execution %" PRIu64 " incomplete: %s\n", o->exec_index, o->res.msg);
      }
      free(d.dec);
      continue;
    }
    if (o->kind == BUG_UNSUPPORTED) {
      stop_all(c);
      if (isatty(2) && !c->opt->quiet) fputc('\n', stderr);
      fprintf(stderr, "interleave: %s: %s\n", c->t->argv[0], o->res.msg);
      exit(EXIT_TOOL);
    }
    uint64_t sig = (uint64_t)o->kind * 0x9e3779b97f4a7c15ULL ^ o->res.pc;
    int dup = 0;
    for (int i = 0; i < c->nseen; i++) dup |= c->seen_sig[i] == sig;
    if (!dup) {
      if (c->nseen < 256) c->seen_sig[c->nseen++] = sig;
      if (!c->bugs++) {
        c->first_bug_time = now_s() - c->t0;
        c->first_bug_exec = o->exec_index;
        c->first_bug_count = c->executed;
      }
      progress(c, 1);
      if (!handle_bug(c->opt, c->t, c->dir, &d.rq, o, d.dec)) {
        c->unreproducible++;
        if (!--c->bugs) c->first_bug_time = 0;
      }
      if (!c->opt->keep_going) c->stop = 2;
    }
    free(d.dec);
  }
}

static void collect(struct campaign *c, struct worker *w) {
  struct done_exec d;
  memset(&d, 0, sizeof d);
  d.rq = w->started;
  if (worker_collect(w, &d.o, c->opt, -1)) {
    uint64_t i = w->started.exec_index;
    stop_all(c);
    die_tool("the fork server for %s died during execution %" PRIu64 "; rerun with --seed 0x%" PRIx64,
             c->t->argv[0], i, c->opt->seed);
  }
  uint64_t i = d.o.exec_index;
  if (i < CALIBRATION) {
    c->cal[i] = d.o.res.steps;
    c->cal_sync[i] = d.o.res.sync_steps;
    c->cal_known[i] = 1;
  }
  if (!owned(c, i)) return; /* a calibration run of another shard's */
  c->executed++;
  uint32_t ne = w->shm->nedges < IL_MAX_EDGES ? w->shm->nedges : IL_MAX_EDGES;
  if (ne) {
    d.edges = malloc(ne * sizeof *d.edges);
    memcpy(d.edges, w->shm->edges, ne * sizeof *d.edges);
    d.nedges = ne;
  }
  if (c->mut) mut_collect(c->mut, &d, w->shm);
  if (d.o.bug && d.o.kind != BUG_LIMIT) { /* an incomplete execution is no finding */
    d.dec = malloc((d.o.res.ndecisions ? d.o.res.ndecisions : 1) * sizeof *d.dec);
    memcpy(d.dec, w->shm->decisions, d.o.res.ndecisions * sizeof *d.dec);
    /* Lower indices may still be running and may fail too: finish them,
     * start nothing new.  (Higher ones in flight are discarded.) */
    if (!c->opt->keep_going && !c->stop) c->stop = 1;
  }
  if (c->ndone == c->capdone) {
    c->capdone = c->capdone ? c->capdone * 2 : 64;
    c->done = realloc(c->done, c->capdone * sizeof *c->done);
  }
  c->done[c->ndone++] = d;
}

static int cpus(void) {
  cpu_set_t cs;
  if (sched_getaffinity(0, sizeof cs, &cs)) return 1;
  int n = CPU_COUNT(&cs);
  return n > 0 ? n : 1;
}

static struct campaign *active;
static void on_interrupt(int sig) {
  /* Ctrl-C: take the fork servers (and their executions) down with us. */
  if (active)
    for (int i = 0; i < active->nw; i++)
      if (active->w[i].pid > 0) kill(-active->w[i].pid, SIGKILL);
  signal(sig, SIG_DFL);
  raise(sig);
}

/* The campaign, without the output files: `interleave run`'s, and each
 * test's of `interleave gtest`.  Returns the exit status; *st its stats. */
int explore(struct options *opt, struct target *t, struct run_stats *st) {
  if (opt->dfs) return dfs_explore(opt, t, st); /* --strategy dfs: cli/dfs.c */
  if (!opt->seed_given) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &opt->seed, sizeof opt->seed) != (ssize_t)sizeof opt->seed) opt->seed = (uint64_t)time(NULL);
    if (fd >= 0) close(fd);
    opt->seed &= 0xffffffffffULL; /* short enough to type */
  }
  struct campaign c;
  memset(&c, 0, sizeof c);
  c.opt = opt;
  c.t = t;
  if (opt->nshards > 1) snprintf(c.dir, sizeof c.dir, "%s/shard-%u-of-%u", opt->out_dir, opt->shard, opt->nshards);
  else snprintf(c.dir, sizeof c.dir, "%s", opt->out_dir);
  mkdirs(c.dir);
  struct timespec rt;
  clock_gettime(CLOCK_REALTIME, &rt);
  c.base_rt = (int64_t)rt.tv_sec * 1000000000LL; /* whole seconds: tidy timestamps */
  int ncpu = cpus();
  c.nw = opt->jobs > 0 ? opt->jobs : ncpu;
  if (opt->strategy == STRAT_MUTATE) {
    c.mut = calloc(1, sizeof *c.mut);
    if (!c.mut) die_tool("out of memory");
    c.mut->window = (uint64_t)c.nw > MUT_WINDOW ? (uint64_t)c.nw : MUT_WINDOW;
  }
  const char *sname = strategy_name(opt->strategy);
  if (!opt->quiet && isatty(2)) {
    fprintf(stderr, "interleave: seed 0x%" PRIx64 ", strategy %s", opt->seed, sname);
    if (opt->strategy == IL_STRAT_PCT || opt->strategy == STRAT_MIX || opt->strategy == STRAT_MUTATE)
      fprintf(stderr, " (depth %u)", opt->depth);
    fprintf(stderr, ", %d worker%s, up to %" PRIu64 " executions", c.nw, c.nw == 1 ? "" : "s", opt->runs);
    if (opt->nshards > 1) fprintf(stderr, " over %u shards (this is shard %u)", opt->nshards, opt->shard);
    fputc('\n', stderr);
  }
  if (c.nw == 1) {
    /* One worker: it, its fork server and the CLI share a CPU, so that the
     * handoffs between them are same-CPU wake-ups. */
    cpu_set_t cs;
    CPU_ZERO(&cs);
    CPU_SET(0, &cs);
    sched_setaffinity(0, sizeof cs, &cs);
  }
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  c.w = calloc((size_t)c.nw, sizeof *c.w);
  active = &c;
  signal(SIGINT, on_interrupt);
  signal(SIGTERM, on_interrupt);
  for (int i = 0; i < c.nw; i++) worker_start(&c.w[i], t, c.nw == 1 ? 0 : i % ncpu, devnull);
  c.t0 = now_s();
  c.next = next_needed(&c, 0);
  for (;;) {
    if (opt->time_limit > 0 && now_s() - c.t0 >= opt->time_limit && !c.stop) c.stop = 1;
    int busy = 0;
    for (int k = 0; k < c.nw; k++) {
      struct worker *w = &c.w[k];
      if (!w->busy && !c.stop && c.next != UINT64_MAX && c.next < c.commit + 4096) {
        int ready;
        uint64_t est_sync, est = estimate(&c, c.next, &ready, &est_sync);
        /* mutate: what executions up to next - window found must be in */
        if (c.mut && c.next >= c.mut->window && c.commit != UINT64_MAX && c.commit + c.mut->window <= c.next)
          ready = 0;
        if (ready) {
          struct il_request rq;
          fill_request(&rq, opt, c.next, est, est_sync, c.base_rt);
          const uint16_t *dec = NULL;
          uint32_t ndec = 0;
          if (c.mut) {
            struct il_mutation mu;
            dec = mut_plan(c.mut, opt, c.next, owned(&c, c.next), &rq, &mu, &ndec);
            w->shm->mut = mu;
          }
          if (worker_submit(w, &rq, dec, ndec)) {
            stop_all(&c);
            die_tool("the fork server for %s died", t->argv[0]);
          }
          c.next = next_needed(&c, c.next + 1);
        }
      }
      busy += w->busy;
    }
    if (!busy) break;
    struct pollfd pf[1024];
    int map[1024], n = 0;
    for (int k = 0; k < c.nw && n < 1024; k++)
      if (c.w[k].busy) {
        pf[n].fd = c.w[k].status;
        pf[n].events = POLLIN;
        map[n++] = k;
      }
    int r = poll(pf, (nfds_t)n, 250);
    if (r < 0 && errno != EINTR) die_tool("poll: %s", strerror(errno));
    for (int i = 0; i < n && r > 0; i++)
      if (pf[i].revents) collect(&c, &c.w[map[i]]);
    commit_ready(&c);
    progress(&c, 0);
  }
  commit_ready(&c);
  progress(&c, 1);
  double elapsed = now_s() - c.t0;
  stop_all(&c);
  active = NULL;
  close(devnull);
  free(c.w);
  for (size_t k = 0; k < c.ndone; k++) {
    free(c.done[k].dec);
    free(c.done[k].edges);
    mut_free_done(&c.done[k]);
  }
  free(c.done);
  if (c.mut) {
    for (size_t k = 0; k < c.mut->ncorpus; k++) free(c.mut->corpus[k].dec);
    free(c.mut);
  }
  int status = c.bugs ? EXIT_BUG : c.unreproducible ? EXIT_UNREPRODUCIBLE : EXIT_OK;
  *st = (struct run_stats){c.executed, c.bugs, c.unreproducible, c.incomplete, elapsed, status};
  return status;
}

int cmd_run(struct options *opt, struct target *t) {
  output_open(opt);
  timeline_open(opt);
  struct run_stats st;
  int status = explore(opt, t, &st);
  const char *sname = strategy_name(opt->strategy);
  if (!st.bugs && st.unreproducible)
    printf("interleave: no reproducible bug in %" PRIu64 " executions (seed 0x%" PRIx64 ", strategy %s); "
           "%" PRIu64 " failure%s did not reproduce\n", st.executions, opt->seed, sname, st.unreproducible,
           st.unreproducible == 1 ? "" : "s");
  else if (!st.bugs && !opt->dfs) /* dfs.c printed its verdict */
  {
    printf("interleave: no bug found in %" PRIu64 " executions (seed 0x%" PRIx64 ", strategy %s)", st.executions,
           opt->seed, sname);
    if (st.not_judged)
      printf("; %" PRIu64 " not judged (incomplete, or a default budget reached; see the warning above)", st.not_judged);
    putchar('\n');
  }
  fflush(stdout);
  if (output_write(opt, t, &st)) status = EXIT_TOOL;
  if (timeline_write(opt, t, &st)) status = EXIT_TOOL;
  if (opt->shard_status) {
    FILE *f = fopen(opt->shard_status, "a"); /* Bazel: "this test supports sharding" */
    if (f) fclose(f);
  }
  return status;
}
