/* dfs.c: --strategy dfs, a bounded proof.  Every schedule with at most K
 * preemptions is run (up to the reduction below), and the run ends with
 * "verified: no bug in any schedule with at most K preemptions (N
 * schedules)", or with the first bug, reported like any other.
 *
 * Stateless depth-first search, as in CHESS (Musuvathi and Qadeer, PLDI
 * 2007).  The runtime records, for each decision step (IL_F_DFS,
 * shm->dfs[]), the candidates it chose from and what the chosen thread was
 * about to do.  Each schedule is a prefix of decisions followed by the
 * deterministic non-preemptive continuation of IL_STRAT_GUIDED (past the
 * prefix it keeps the running thread when it can, else the first
 * candidate).  The search is iterated with bounds 0, 1, ... K (iterative
 * context bounding): a bug that needs fewer preemptions is found first.
 *
 * A preemption: choosing another thread while the thread that ran the
 * previous step could go on (the runtime's IL_EV_PREEMPT).  Choosing when
 * it blocked or exited, or when only timed waiters remain, is free; so is
 * which waiter a signal or futex wake picks (il_choose_among: always
 * fully branched).  Steps run by the fair continuation are fixed.
 *
 * Reduction (docs/design.md, "Bounded search", has the argument and the
 * limits):
 *  - dynamic partial-order reduction (Flanagan and Godefroid, POPL 2005):
 *    after each execution, every transition of a new step, and every
 *    thread's pending one at the end, is checked against the earlier steps
 *    that are dependent on it, may be co-enabled with it and do not happen
 *    before its thread (vector clocks); a backtrack point is added at each
 *    such race.  A step branches only to the choices in its backtrack set;
 *  - BPOR (Coons, Musuvathi and McKinley, OOPSLA 2013): each backtrack
 *    point is also added, conservatively (explored even if asleep), at the
 *    start of the context block it falls in, where it costs no more
 *    preemptions, so the bound does not make the reduction unsound;
 *  - sleep sets (Godefroid 1996): a choice taken at a step sleeps in the
 *    subtrees of the choices taken there after it, until a dependent
 *    transition runs; a schedule that would run a sleeping thread is cut,
 *    and the first candidate not asleep is added there instead (FG).
 * Footprints: a transition is the operation at its decision plus what the
 * thread does up to its next point; it touches the operation's object
 * (loads only read it) and, when it arrives at a condition wait, the
 * condition and the released mutex.  Creation, time (a timeout, any
 * transition that moved the virtual clock), I/O, signals, futexes, child
 * processes, the fair continuation and the lateness bound's cuts are
 * global: dependent on everything.
 *
 * Workers: -j N fork servers (default one per CPU), each exploring its own
 * subtree depth first; an idle one takes the shallowest alternative left
 * in a busy one's running prefix.  The paths share their common prefix's
 * nodes, so backtrack points one worker adds there are seen by all.
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
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct node {
  uint64_t ready, timed;  /* candidates at this step (AMONG: the waiters) */
  uint64_t done;          /* choices explored or being explored here */
  uint64_t todo;          /* DPOR backtrack set: choices that must be explored */
  uint64_t ctodo;         /* BPOR's conservative ones: explored even if asleep */
  uint64_t ctaken;        /* choices made from ctodo: they put no sibling to sleep */
  uint64_t sleep;         /* sleeping threads on entry */
  uint32_t pre;           /* preemptions before this step */
  uint32_t refs;          /* paths holding it (workers share their common prefix) */
  uint16_t self, flags;
};

/* A step of one worker's path: the node, the choice taken there, and the
 * siblings taken there before it (they sleep in its subtree). */
struct pent {
  struct node *n;
  uint64_t sib;
  uint16_t chosen;
};

/* A fork server and the path of the schedule it runs (or ran last). */
struct wk {
  struct worker w;
  struct pent *path;
  uint32_t len;           /* entries on the path */
  uint32_t plen;          /* the running schedule's prefix */
  int busy;
  struct il_request rq;
};

/* What a transition touches: up to four objects, each read or written, or
 * everything (global). */
struct footprint {
  uint8_t global, n;
  uint8_t w[4];
  uint64_t obj[4];
};

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

/* Loads only read their object: two of them commute. */
static int reads_only(unsigned op) { return op == IL_OP_MEM_LOAD || op == IL_OP_ATOMIC_LOAD; }

static void fp_add(struct footprint *f, uint64_t o, int w) {
  if (!o) return;
  for (int i = 0; i < f->n; i++)
    if (f->obj[i] == o) { f->w[i] |= (uint8_t)w; return; }
  f->obj[f->n] = o;
  f->w[f->n++] = (uint8_t)w;
}

static int dependent(const struct footprint *a, const struct footprint *b) {
  if (a->global || b->global) return 1;
  for (int i = 0; i < a->n; i++)
    for (int j = 0; j < b->n; j++)
      if (a->obj[i] == b->obj[j] && (a->w[i] | b->w[j])) return 1;
  return 0;
}

#define NOBJ 8192 /* objects tracked per execution; past that, a transition counts as global */

struct dfs {
  struct options *opt;
  struct target *t;
  struct pent *path;      /* the path of the execution being analysed (its worker's) */
  uint32_t len;           /* entries on it */
  uint16_t *dec;          /* the prefix handed to the runtime */
  /* the last execution, copied out of shm */
  const struct il_dfs_step *rec;
  const uint16_t *recdec;
  uint32_t nrec;
  int32_t *next_same;     /* next thread-choice step of the same thread, -1 */
  int32_t *prev_same;     /* previous thread-choice step of the same thread, -1 */
  int32_t *next_choice;   /* next thread-choice step, -1 */
  int32_t *prev_choice;   /* previous thread-choice step, -1 */
  struct footprint *fp;   /* of the transition run at each thread-choice step */
  /* DPOR's analysis of the steps on the path (0..E-1) */
  uint32_t *vc;           /* per step, 64 entries: step+1 of the last step of each thread that happens before it */
  int32_t *chain;         /* per step and footprint slot: the previous step touching that object, as step*4+slot */
  int32_t *gprev;         /* per step: the last global step before it */
  int32_t *bstart;        /* per step: the thread-choice step its context block started at */
  uint8_t *owned;         /* per step: an unlock by a thread that holds the lock (see never_coenabled) */
  uint64_t *objkey;       /* open-addressed object table */
  int32_t *objid;
  uint32_t *objgen, gen;
  uint32_t nobj;
  uint32_t (*objall)[64], (*objw)[64]; /* per object: join of every access, of every write */
  int32_t *objlast;       /* per object: the last step touching it, as step*4+slot */
  int32_t birth[64];      /* the last global step before a thread first appeared (-1: at the start) */
  int32_t lastglob;       /* the last global step before E */
  uint64_t schedules, diverged, not_judged, truncated, wide, overflow;
  uint64_t pruned, steps;  /* executions cut by a sleep set; steps run */
  uint64_t races;          /* races found (backtrack points added) */
  uint64_t allcand;        /* backtrack points that had to take every candidate */
  unsigned bound;          /* this pass's preemption bound */
  uint64_t pass_schedules; /* schedules of this pass */
  int warned_div;
};

static int is_choice(const struct il_dfs_step *r) { return !(r->flags & IL_DFS_AMONG); }

/* The transition run at (thread-choice) step j: its operation there, and
 * what its thread does up to and at its next point (the operation it
 * announces at the next thread-choice step; a condition wait releases its
 * mutex and joins the waiters there, a barrier counts its arrival). */
static void footprint_at(const struct dfs *d, int32_t j, struct footprint *f) {
  memset(f, 0, sizeof *f);
  if (j < 0 || (uint32_t)j >= d->nrec) { f->global = 1; return; }
  const struct il_dfs_step *r = &d->rec[j];
  if ((r->flags & (IL_DFS_TIMEOUT | IL_DFS_GLOBAL | IL_DFS_FAIR | IL_DFS_WIDE | IL_DFS_LATE)) ||
      d->recdec[j] >= 64) {
    f->global = 1;
    return;
  }
  /* A thread's first transition (start) has no object of its own: its
   * creation is global, so it is ordered after everything before it.  A
   * thread's exit makes it done, which only a join of it sees: the join's
   * object is the thread's key (common/wire.h), and so is the exit's. */
  if (r->op == IL_OP_EXIT) {
    fp_add(f, IL_DFS_THREAD_KEY(d->recdec[j]), 1);
  } else if (r->op != IL_OP_START) {
    if (!local_op(r->op) || !r->obj) { f->global = 1; return; }
    fp_add(f, r->obj, !reads_only(r->op));
  }
  int32_t k = d->next_choice[j];
  if (k < 0) { f->global = 1; return; } /* it ended the execution, or ran past the record */
  const struct il_dfs_step *n = &d->rec[k];
  if (n->flags & IL_DFS_CLOCK) { f->global = 1; return; }
  if (r->op == IL_OP_EXIT && n->caller_op == IL_DFS_NOSELF) return; /* it is gone */
  if (n->caller_op == IL_OP_EXIT) return; /* arriving at its exit point does nothing */
  if (n->caller_op == IL_DFS_NOSELF || !local_op(n->caller_op) || !n->caller_obj) {
    f->global = 1;
    return;
  }
  /* Arriving at a point does nothing to its object (the operation happens
   * when the thread is chosen there), except a condition wait: it has
   * released the mutex and joined the condition's waiters. */
  if (n->caller_op == IL_OP_COND_WAIT) {
    fp_add(f, n->caller_obj, 1);
    fp_add(f, n->caller_obj2, 1);
  }
}

/* Never enabled in the same state: an unlock (of a lock its thread
 * holds) and another thread's blocking acquisition of the same lock.
 * FG's race needs "may be co-enabled"; without this every unlock would
 * race with the next lock of every waiter. */
static int never_coenabled(const struct dfs *d, int32_t i, int32_t e) {
  if (!d->owned[i] || d->fp[i].global || d->fp[e].global) return 0;
  const struct il_dfs_step *a = &d->rec[i], *b = &d->rec[e];
  if (a->obj != b->obj) return 0;
  switch (a->op) {
  case IL_OP_UNLOCK: return b->op == IL_OP_LOCK || b->op == IL_OP_COND_RELOCK;
  case IL_OP_SPIN_UNLOCK: return b->op == IL_OP_SPIN_LOCK;
  case IL_OP_RWUNLOCK: return b->op == IL_OP_WRLOCK;
  default: return 0;
  }
}

static int cost(const struct node *n, unsigned v) {
  return n->self != IL_DFS_NOSELF && v != n->self ? 1 : 0;
}

/* ---- the analysis of one execution ---- */

static int32_t obj_lookup(struct dfs *d, uint64_t key, int create) {
  uint32_t h = (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 50) & (2 * NOBJ - 1);
  for (;;) {
    if (d->objgen[h] != d->gen) {
      if (!create || d->nobj >= NOBJ) return -1;
      d->objgen[h] = d->gen;
      d->objkey[h] = key;
      int32_t id = (int32_t)d->nobj++;
      d->objid[h] = id;
      memset(d->objall[id], 0, sizeof d->objall[id]);
      memset(d->objw[id], 0, sizeof d->objw[id]);
      d->objlast[id] = -1;
      return id;
    }
    if (d->objkey[h] == key) return d->objid[h];
    h = (h + 1) & (2 * NOBJ - 1);
  }
}

static void vc_join(uint32_t *a, const uint32_t *b) {
  for (int i = 0; i < 64; i++)
    if (b[i] > a[i]) a[i] = b[i];
}

/* Locks held, per thread, from the blocking acquisitions seen (trylocks,
 * whose outcome the record does not say, are not counted: an unlock after
 * one is then not "owned", the conservative side). */
#define NHELD 16
struct held { uint64_t obj[NHELD]; uint8_t n; };
static void held_add(struct held *h, uint64_t o) {
  if (h->n < NHELD) h->obj[h->n++] = o;
}
static int held_del(struct held *h, uint64_t o, int all) {
  int found = 0;
  for (int i = 0; i < h->n;) {
    if (h->obj[i] == o) {
      found = 1;
      h->obj[i] = h->obj[--h->n];
      if (!all) return 1;
    } else {
      i++;
    }
  }
  return found;
}

/* Happens-before over steps 0..E-1 (vector clocks: dependent steps are
 * ordered, and so are a thread's own), the object chains and the
 * ownership of unlocks. */
static void analyse(struct dfs *d, uint32_t E) {
  static uint32_t allvc[64], globvc[64];
  static struct held held[64];
  memset(allvc, 0, sizeof allvc);
  memset(globvc, 0, sizeof globvc);
  memset(held, 0, sizeof held);
  d->gen++;
  if (!d->gen) { memset(d->objgen, 0, 2 * NOBJ * sizeof *d->objgen); d->gen = 1; }
  d->nobj = 0;
  int32_t lastglob = -1, lastchoice = -1;
  uint64_t seen = 0;
  for (int u = 0; u < 64; u++) d->birth[u] = -1;
  for (uint32_t j = 0; j < E; j++) {
    const struct il_dfs_step *r = &d->rec[j];
    if (!is_choice(r)) continue;
    uint64_t appear = (r->ready | r->timed) & ~seen;
    seen |= appear;
    for (int u = 0; u < 64; u++)
      if (appear >> u & 1) d->birth[u] = lastglob;
    unsigned u = d->recdec[j];
    uint32_t *vc = &d->vc[(size_t)j * 64];
    struct footprint *f = &d->fp[j];
    d->bstart[j] = lastchoice >= 0 && d->recdec[lastchoice] == u ? d->bstart[lastchoice] : (int32_t)j;
    lastchoice = (int32_t)j;
    d->owned[j] = 0;
    if (u >= 64) { /* not tracked: global, and nobody's clock */
      memcpy(vc, allvc, sizeof allvc);
      memcpy(globvc, allvc, sizeof allvc);
      d->gprev[j] = lastglob;
      lastglob = (int32_t)j;
      continue;
    }
    if (d->prev_same[j] >= 0) memcpy(vc, &d->vc[(size_t)d->prev_same[j] * 64], 64 * sizeof *vc);
    else if (d->birth[u] >= 0) memcpy(vc, &d->vc[(size_t)d->birth[u] * 64], 64 * sizeof *vc);
    else memset(vc, 0, 64 * sizeof *vc);
    vc_join(vc, globvc);
    int32_t ids[4];
    int global = f->global;
    for (int s = 0; s < f->n && !global; s++)
      if ((ids[s] = obj_lookup(d, f->obj[s], 1)) < 0) global = 1; /* table full */
    if (global) {
      vc_join(vc, allvc);
    } else {
      for (int s = 0; s < f->n; s++) vc_join(vc, f->w[s] ? d->objall[ids[s]] : d->objw[ids[s]]);
    }
    vc[u] = j + 1;
    vc_join(allvc, vc);
    d->gprev[j] = lastglob;
    if (global) {
      memcpy(globvc, vc, sizeof globvc);
      lastglob = (int32_t)j;
      for (int s = 0; s < 4; s++) d->chain[(size_t)j * 4 + s] = -1;
      if (!f->global) { /* the table overflowed: global from here on, and the sleep sets were wrong */
        f->global = 1;
        d->overflow++;
      }
    } else {
      for (int s = 0; s < f->n; s++) {
        vc_join(d->objall[ids[s]], vc);
        if (f->w[s]) vc_join(d->objw[ids[s]], vc);
        d->chain[(size_t)j * 4 + s] = d->objlast[ids[s]];
        d->objlast[ids[s]] = (int32_t)(j * 4 + s);
      }
    }
    /* ownership */
    if (!(r->flags & (IL_DFS_TIMEOUT | IL_DFS_GLOBAL))) {
      switch (r->op) {
      case IL_OP_LOCK: case IL_OP_COND_RELOCK: case IL_OP_SPIN_LOCK: case IL_OP_RDLOCK: case IL_OP_WRLOCK:
        held_add(&held[u], r->obj);
        break;
      case IL_OP_UNLOCK: case IL_OP_SPIN_UNLOCK: case IL_OP_RWUNLOCK:
        d->owned[j] = (uint8_t)held_del(&held[u], r->obj, 0);
        if (!d->owned[j]) /* after a trylock, or an unlock of a lock it does not hold: forget the lock */
          for (int v = 0; v < 64; v++) held_del(&held[v], r->obj, 1);
        break;
      default: break;
      }
    } else if (r->op == IL_OP_UNLOCK || r->op == IL_OP_SPIN_UNLOCK || r->op == IL_OP_RWUNLOCK) {
      held_del(&held[u], r->obj, 1);
    }
    int32_t k = d->next_choice[j];
    if (k >= 0 && d->rec[k].caller_op == IL_OP_COND_WAIT) held_del(&held[u], d->rec[k].caller_obj2, 1);
  }
  if (E < d->nrec) {
    uint64_t appear = (d->rec[E].ready | d->rec[E].timed) & ~seen;
    for (int u = 0; u < 64; u++)
      if (appear >> u & 1) d->birth[u] = lastglob;
  }
  d->lastglob = lastglob;
}

/* Add u, which must run before step i (FG's backtracking): u itself if it
 * is a candidate there; else a candidate that runs a step after i that
 * happens before u's transition (ve: that transition's clock); else every
 * candidate. */
static void backtrack_at(struct dfs *d, int32_t i, unsigned u, int conservative, const uint32_t *ve) {
  struct node *n = d->path[i].n;
  if (n->flags & (IL_DFS_FAIR | IL_DFS_WIDE | IL_DFS_AMONG)) return;
  uint64_t cand = n->ready | n->timed, add = 0;
  if (cand >> u & 1) {
    add = 1ULL << u;
  } else if (ve) {
    for (unsigned v = 0; v < 64 && !add; v++)
      if ((cand >> v & 1) && ve[v] > (uint32_t)i + 1) add = 1ULL << v;
  }
  if (!add) {
    add = cand;
    d->allcand++;
  }
  if (conservative) n->ctodo |= add;
  else n->todo |= add;
}

/* Step i must be tried with u first: there (DPOR), and at the start of
 * the context block i belongs to (BPOR: running u there costs no more
 * preemptions than the block's own thread did), and at the block before
 * when i starts one. */
static void add_race(struct dfs *d, int32_t i, unsigned u, const uint32_t *ve) {
  d->races++;
  backtrack_at(d, i, u, 0, ve);
  int32_t b = d->bstart[i];
  backtrack_at(d, b, u, 1, ve);
  int32_t p = d->prev_choice[b];
  if (b == i && p >= 0) backtrack_at(d, d->bstart[p], u, 1, ve);
}

/* Does step i not happen before the state after step l (u's clock)? */
static int not_hb(const struct dfs *d, const uint32_t *vl, int32_t i) {
  unsigned v = d->recdec[i];
  return !vl || v >= 64 || vl[v] <= (uint32_t)i;
}

/* A transition of thread u with footprint f, pending in every state from
 * l+1 to m (l: u's previous step, or the last global step before it
 * appeared; e: the step that runs it, if before E, whose object chains
 * are used; ce: the step that runs it anywhere in the record, for the
 * co-enabledness test, or -1).  As FG's algorithm does in every state,
 * find the last step before the state that is dependent with it, may be
 * co-enabled with it and does not happen before u, and backtrack there:
 * together, every such step between l and m, and the last one at or
 * before l that does not happen before u. */
static void races_of(struct dfs *d, unsigned u, const struct footprint *f, int32_t e, int32_t ce, int32_t m,
                     int32_t l, int32_t glast) {
  const uint32_t *vl = l >= 0 ? &d->vc[(size_t)l * 64] : NULL;
  const uint32_t *ve = e >= 0 ? &d->vc[(size_t)e * 64] : vl; /* what happens before the transition */
  /* States in (l, m] where u could instead fire its timeout: that
   * transition is global, dependent on the last step before the state. */
  int timed = 0;
  for (int32_t k = l + 1; k <= m && (uint32_t)k < d->nrec; k++) {
    if (!is_choice(&d->rec[k]) || !(d->rec[k].timed >> u & 1)) continue;
    timed = 1;
    int32_t i = d->prev_choice[k];
    if (i > l && d->recdec[i] != u) add_race(d, i, u, NULL);
  }
  if (f->global || timed) {
    const uint32_t *vg = f->global ? ve : NULL;
    int32_t i = m - 1;
    if (f->global)
      for (; i > l; i--)
        if (is_choice(&d->rec[i]) && d->recdec[i] != u) add_race(d, i, u, vg);
    for (i = l; i >= 0; i--)
      if (is_choice(&d->rec[i]) && d->recdec[i] != u && not_hb(d, vl, i)) { add_race(d, i, u, vg); break; }
    if (f->global) return;
  }
  int32_t best = -1; /* the last one at or before l */
  for (int s = 0; s < f->n; s++) {
    int32_t c;
    if (e >= 0) {
      c = d->chain[(size_t)e * 4 + s];
    } else {
      int32_t id = obj_lookup(d, f->obj[s], 0);
      c = id < 0 ? -1 : d->objlast[id];
    }
    for (; c >= 0; c = d->chain[c]) {
      int32_t i = c / 4, sl = c % 4;
      if (i <= best) break;
      if (!(d->fp[i].w[sl] | f->w[s])) continue; /* two reads commute */
      if (d->recdec[i] == u) {
        if (i <= l && d->fp[i].w[sl]) break; /* all before it on this object happens before u */
        continue;
      }
      int co = ce < 0 || !never_coenabled(d, i, ce);
      if (i > l) {
        if (co) add_race(d, i, u, ve);
        continue;
      }
      if (!not_hb(d, vl, i)) {
        if (d->fp[i].w[sl]) break;
        continue;
      }
      if (co) { best = i; break; }
    }
  }
  /* Global steps are dependent on everything. */
  for (int32_t g = glast; g >= 0 && g > best; g = d->gprev[g]) {
    if (g > l) {
      if (d->recdec[g] != u) add_race(d, g, u, ve);
      continue;
    }
    if (d->recdec[g] != u && not_hb(d, vl, g)) best = g;
    break; /* a global step at or before l that happens before u: so does all before it */
  }
  if (best >= 0) add_race(d, best, u, ve);
}

static void node_put(struct node *n) {
  if (n && !--n->refs) free(n);
}

static void path_cut(struct wk *w, uint32_t len) {
  while (w->len > len) node_put(w->path[--w->len].n);
}

/* Extend the path past the prefix with the last execution's steps,
 * carrying sleep sets forward; returns the number of steps now on the
 * path whose transitions are analysed (E).  plen: the prefix length. */
static uint32_t extend(struct dfs *d, uint32_t plen) {
  uint32_t n = d->nrec;
  int32_t last[64], nc = -1, pc = -1;
  for (int u = 0; u < 64; u++) last[u] = -1;
  for (int64_t j = (int64_t)n - 1; j >= 0; j--) {
    d->next_choice[j] = nc;
    if (!is_choice(&d->rec[j])) { d->next_same[j] = -1; continue; }
    unsigned u = d->recdec[j];
    d->next_same[j] = u < 64 ? last[u] : -1;
    if (u < 64) last[u] = (int32_t)j;
    nc = (int32_t)j;
  }
  for (int u = 0; u < 64; u++) last[u] = -1;
  for (uint32_t j = 0; j < n; j++) {
    d->prev_choice[j] = pc;
    if (!is_choice(&d->rec[j])) { d->prev_same[j] = -1; continue; }
    unsigned u = d->recdec[j];
    d->prev_same[j] = u < 64 ? last[u] : -1;
    if (u < 64) last[u] = (int32_t)j;
    pc = (int32_t)j;
  }
  for (uint32_t j = 0; j < n; j++)
    if (is_choice(&d->rec[j])) footprint_at(d, (int32_t)j, &d->fp[j]);
  /* nextpos[u]: the first thread-choice step >= i where u runs. */
  int32_t nextpos[64];
  for (int u = 0; u < 64; u++) nextpos[u] = -1;
  uint32_t from = plen ? plen - 1 : 0;
  for (int64_t j = (int64_t)n - 1; j >= (int64_t)from; j--)
    if (is_choice(&d->rec[j]) && d->recdec[j] < 64) nextpos[d->recdec[j]] = (int32_t)j;
  for (uint32_t i = plen; i < d->len; i++) node_put(d->path[i].n);
  d->len = plen;
  for (uint32_t i = from; i < n; i++) {
    if (i > from && is_choice(&d->rec[i - 1]) && d->recdec[i - 1] < 64)
      nextpos[d->recdec[i - 1]] = d->next_same[i - 1];
    if (i < plen) continue; /* the prefix's last node: already on the path */
    struct pent *pe = i ? &d->path[i - 1] : NULL;
    struct node *p = pe ? pe->n : NULL, *c = calloc(1, sizeof *c);
    if (!c) die_tool("out of memory");
    const struct il_dfs_step *r = &d->rec[i];
    c->refs = 1;
    c->ready = r->ready;
    c->timed = r->timed;
    c->flags = r->flags;
    c->self = r->self;
    d->path[i] = (struct pent){c, 0, d->recdec[i]};
    c->done = d->recdec[i] < 64 ? 1ULL << d->recdec[i] : 0;
    c->pre = p ? p->pre + (uint32_t)((p->flags & IL_DFS_AMONG) ? 0 : cost(p, pe->chosen)) : 0;
    if (r->flags & IL_DFS_WIDE) d->wide++;
    d->len = i + 1;
    if (p && is_choice(&d->rec[i - 1]) && !(p->flags & (IL_DFS_FAIR | IL_DFS_WIDE))) {
      /* Threads asleep before step i-1, and siblings taken there before
       * this one (not the conservative ones), stay asleep if independent
       * of what ran at i-1.  nextpos is still that of step i-1 for every
       * thread but the one that ran. */
      uint64_t cand = (p->sleep | pe->sib) & ~(1ULL << pe->chosen);
      if (cand) {
        const struct footprint *ran = &d->fp[i - 1];
        struct footprint glob = {.global = 1};
        for (int u = 0; u < 64; u++) {
          if (!(cand >> u & 1)) continue;
          const struct footprint *fu = nextpos[u] >= 0 && !(r->timed >> u & 1) ? &d->fp[nextpos[u]] : &glob;
          if (!dependent(ran, fu)) c->sleep |= 1ULL << u;
        }
      }
    }
    unsigned ch = d->recdec[i];
    if (is_choice(r) && ch < 64 && (c->sleep >> ch & 1)) {
      /* Running a sleeping thread: equivalent to a schedule already
       * explored.  The rest of this execution is not extended.  As FG's
       * algorithm does, one thread that is not asleep is explored here
       * instead (the first one the bound allows). */
      d->pruned++;
      uint64_t alt = (c->ready | c->timed) & ~c->sleep;
      for (unsigned v = 0; v < 64 && alt; v++)
        if ((alt >> v & 1) && c->pre + (uint32_t)cost(c, v) <= d->bound) { c->todo |= 1ULL << v; break; }
      return i;
    }
  }
  return n;
}

/* DPOR over the last execution: the races of the transitions run at the
 * new steps (plen-1 .. E-1), and of those pending in the state at E. */
static void find_races(struct dfs *d, uint32_t plen, uint32_t E) {
  analyse(d, E);
  uint32_t from = plen ? plen - 1 : 0;
  for (uint32_t m = from; m < E; m++) {
    if (!is_choice(&d->rec[m])) continue;
    unsigned u = d->recdec[m];
    if (u >= 64) continue;
    int32_t l = d->prev_same[m] >= 0 ? d->prev_same[m] : d->birth[u];
    races_of(d, u, &d->fp[m], (int32_t)m, (int32_t)m, (int32_t)m, l, d->gprev[m]);
  }
  /* Threads alive in the state at E, with their pending transitions. */
  uint64_t seen = 0;
  int32_t lastev[64];
  for (int u = 0; u < 64; u++) lastev[u] = -1;
  for (uint32_t j = 0; j < E; j++) {
    const struct il_dfs_step *r = &d->rec[j];
    if (!is_choice(r)) continue;
    seen |= r->ready | r->timed;
    if (d->recdec[j] < 64) lastev[d->recdec[j]] = (int32_t)j;
  }
  if (E < d->nrec) seen |= d->rec[E].ready | d->rec[E].timed;
  for (unsigned u = 0; u < 64; u++) {
    if (!(seen >> u & 1)) continue;
    int32_t l = lastev[u], next = -1;
    if (l >= 0) {
      int32_t k = d->next_choice[l];
      if (k < 0) continue;                                  /* the execution ended in its transition */
      if (d->rec[k].caller_op == IL_DFS_NOSELF) continue;   /* it exited */
      next = d->next_same[l];
    } else {
      for (uint32_t j = E; j < d->nrec; j++)
        if (is_choice(&d->rec[j]) && d->recdec[j] == u) { next = (int32_t)j; break; }
      l = d->birth[u];
    }
    struct footprint glob = {.global = 1};
    const struct footprint *f = next >= 0 ? &d->fp[next] : &glob;
    races_of(d, u, f, -1, next, (int32_t)E, l, d->lastglob);
  }
}

/* The alternative to take at n next (the lowest index the bound allows),
 * or -1. */
static int next_alt(const struct dfs *d, const struct node *n) {
  if (n->flags & (IL_DFS_FAIR | IL_DFS_WIDE)) return -1;
  uint64_t alts;
  if (n->flags & IL_DFS_AMONG) alts = (n->ready | n->timed) & ~n->done;
  else alts = ((n->todo & ~n->sleep) | n->ctodo) & ~n->done;
  for (unsigned v = 0; v < 64 && alts; v++) {
    if (!(alts >> v & 1)) continue;
    if (!(n->flags & IL_DFS_AMONG) && n->pre + (uint32_t)cost(n, v) > d->bound) continue;
    return (int)v;
  }
  return -1;
}

static void take(struct pent *pe, unsigned v) {
  struct node *n = pe->n;
  pe->sib = n->done & ~n->ctaken;
  n->done |= 1ULL << v;
  if (n->ctodo >> v & 1) n->ctaken |= 1ULL << v;
  pe->chosen = (uint16_t)v;
}

/* The deepest step of w's path with an alternative left; takes it and
 * returns the new prefix length, or 0 when w's subtree is complete. */
static uint32_t backtrack(const struct dfs *d, struct wk *w) {
  while (w->len > 0) {
    struct pent *pe = &w->path[w->len - 1];
    int v = next_alt(d, pe->n);
    if (v >= 0) {
      take(pe, (unsigned)v);
      return w->len;
    }
    node_put(pe->n);
    w->len--;
  }
  return 0;
}

/* Work for an idle worker w from a busy one o: the shallowest alternative
 * in o's running prefix (a whole subtree, disjoint from o's). */
static uint32_t steal(const struct dfs *d, struct wk *w, const struct wk *o) {
  for (uint32_t i = 0; i < o->plen; i++) {
    int v = next_alt(d, o->path[i].n);
    if (v < 0) continue;
    path_cut(w, 0);
    for (uint32_t j = 0; j <= i; j++) {
      w->path[j] = o->path[j];
      w->path[j].n->refs++;
    }
    w->len = i + 1;
    take(&w->path[i], (unsigned)v);
    return w->len;
  }
  return 0;
}

/* Did the execution follow the prefix?  Returns the first step where it
 * did not, or -1. */
static int64_t check_prefix(const struct dfs *d, uint32_t plen) {
  for (uint32_t i = 0; i < plen; i++) {
    if (i >= d->nrec) return i;
    const struct node *n = d->path[i].n;
    const struct il_dfs_step *r = &d->rec[i];
    if (d->recdec[i] != d->path[i].chosen || r->ready != n->ready || r->timed != n->timed ||
        (r->flags & IL_DFS_AMONG) != (n->flags & IL_DFS_AMONG))
      return i;
  }
  return -1;
}

static int ncpus(void) {
  cpu_set_t cs;
  if (sched_getaffinity(0, sizeof cs, &cs)) return 1;
  int n = CPU_COUNT(&cs);
  return n > 0 ? n : 1;
}

int dfs_explore(struct options *opt, struct target *t, struct run_stats *st) {
  struct dfs d;
  memset(&d, 0, sizeof d);
  d.opt = opt;
  d.t = t;
  if (!opt->seed_given) opt->seed = 0; /* the program's own randomness: the same in every schedule */
  mkdirs(opt->out_dir);
  int ncpu = ncpus(), nw = opt->jobs > 0 ? opt->jobs : ncpu;
  if (nw > 16) nw = 16;
  struct wk *wk = calloc((size_t)nw, sizeof *wk);
  d.dec = calloc(IL_DFS_STEPS, sizeof *d.dec);
  d.next_same = calloc(IL_DFS_STEPS, sizeof *d.next_same);
  d.prev_same = calloc(IL_DFS_STEPS, sizeof *d.prev_same);
  d.next_choice = calloc(IL_DFS_STEPS, sizeof *d.next_choice);
  d.prev_choice = calloc(IL_DFS_STEPS, sizeof *d.prev_choice);
  d.fp = calloc(IL_DFS_STEPS, sizeof *d.fp);
  d.vc = calloc((size_t)IL_DFS_STEPS * 64, sizeof *d.vc);
  d.chain = calloc((size_t)IL_DFS_STEPS * 4, sizeof *d.chain);
  d.gprev = calloc(IL_DFS_STEPS, sizeof *d.gprev);
  d.bstart = calloc(IL_DFS_STEPS, sizeof *d.bstart);
  d.owned = calloc(IL_DFS_STEPS, sizeof *d.owned);
  d.objkey = calloc(2 * NOBJ, sizeof *d.objkey);
  d.objid = calloc(2 * NOBJ, sizeof *d.objid);
  d.objgen = calloc(2 * NOBJ, sizeof *d.objgen);
  d.objall = calloc(NOBJ, sizeof *d.objall);
  d.objw = calloc(NOBJ, sizeof *d.objw);
  d.objlast = calloc(NOBJ, sizeof *d.objlast);
  if (!wk || !d.dec || !d.next_same || !d.prev_same || !d.next_choice || !d.prev_choice || !d.fp || !d.vc ||
      !d.chain || !d.gprev || !d.bstart || !d.owned || !d.objkey || !d.objid || !d.objgen || !d.objall ||
      !d.objw || !d.objlast)
    die_tool("out of memory");
  for (int i = 0; i < nw; i++)
    if (!(wk[i].path = calloc(IL_DFS_STEPS, sizeof *wk[i].path))) die_tool("out of memory");
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (nw == 1) {
    /* One worker, as explore.c does with one: it, its fork server and the
     * CLI share a CPU, so that the handoffs are same-CPU wake-ups. */
    cpu_set_t cs;
    CPU_ZERO(&cs);
    CPU_SET(0, &cs);
    sched_setaffinity(0, sizeof cs, &cs);
  }
  for (int i = 0; i < nw; i++) worker_start(&wk[i].w, t, i % ncpu, devnull);
  struct timespec rt;
  clock_gettime(CLOCK_REALTIME, &rt);
  int64_t base_rt = (int64_t)rt.tv_sec * 1000000000LL;
  if (!opt->quiet && isatty(2))
    fprintf(stderr, "interleave: depth-first search, every schedule with at most %u preemption%s\n",
            opt->preemptions, opt->preemptions == 1 ? "" : "s");
  double t0 = now_s(), last_ui = 0;
  int status = EXIT_OK, stopped = 0, bug = 0, fresh = 1;
  /* Iterative preemption bounding (CHESS): a full search with bound 0,
   * then 1, ... up to K.  Each pass reruns the smaller ones' schedules
   * (stateless), a small fraction of the last; in exchange a bug that
   * needs one preemption is found before any schedule with two is tried.
   * With several workers, each explores its own subtree depth first; an
   * idle one takes the shallowest alternative left in a busy one's
   * prefix.  The nodes they share are the same objects, so a race one of
   * them finds there is seen by both. */
  d.bound = 0;
  for (;;) {
    if (!stopped && (d.schedules >= opt->max_schedules || (opt->time_limit > 0 && now_s() - t0 >= opt->time_limit)))
      stopped = 1;
    int busy = 0;
    for (int i = 0; i < nw; i++) {
      struct wk *w = &wk[i];
      if (!w->busy && !stopped && !bug) {
        uint32_t plen = 0;
        int got = 0;
        if (fresh) {
          fresh = 0;
          got = 1;
          path_cut(w, 0);
        } else if ((plen = backtrack(&d, w))) {
          got = 1;
        } else {
          for (int j = 0; j < nw && !got; j++)
            if (j != i && wk[j].busy && (plen = steal(&d, w, &wk[j]))) got = 1;
        }
        if (got) {
          struct il_request *rq = &w->rq;
          fill_request(rq, opt, d.schedules, 0, 0, base_rt);
          rq->seed = opt->seed;
          rq->strategy = IL_STRAT_GUIDED;
          rq->replay_len = plen;
          rq->skip_step = UINT64_MAX;
          rq->flags |= IL_F_DFS;
          for (uint32_t k = 0; k < plen; k++) d.dec[k] = w->path[k].chosen;
          if (worker_submit(&w->w, rq, d.dec, plen))
            die_tool("the fork server for %s died during schedule %" PRIu64, t->argv[0], d.schedules);
          w->busy = 1;
          w->plen = plen;
          d.schedules++;
          d.pass_schedules++;
        }
      }
      busy += w->busy;
    }
    if (!busy) {
      if (stopped || bug || d.bound >= opt->preemptions) break;
      d.bound++; /* the next pass, from the empty prefix */
      d.pass_schedules = 0;
      fresh = 1;
      continue;
    }
    /* Wait for one execution to end. */
    struct pollfd pf[16];
    int np = 0, who[16];
    for (int i = 0; i < nw; i++)
      if (wk[i].busy) { pf[np] = (struct pollfd){.fd = wk[i].w.status, .events = POLLIN}; who[np++] = i; }
    if (poll(pf, (nfds_t)np, 1000) <= 0) continue;
    for (int q = 0; q < np; q++) {
      if (!pf[q].revents) continue;
      struct wk *w = &wk[who[q]];
      struct outcome o;
      int r = worker_collect(&w->w, &o, opt, -1);
      if (r) die_tool("the fork server for %s died during a schedule", t->argv[0]);
      w->busy = 0;
      if (bug) continue; /* another worker's bug is being reported */
      if (o.kind == BUG_UNSUPPORTED) {
        for (int i = 0; i < nw; i++) worker_stop(&wk[i].w);
        fprintf(stderr, "interleave: %s: %s\n", t->argv[0], o.res.msg);
        exit(EXIT_TOOL);
      }
      if (o.bug && o.kind != BUG_LIMIT) {
        uint32_t nd = o.res.ndecisions;
        uint16_t *dec = malloc((nd ? nd : 1) * sizeof *dec);
        memcpy(dec, w->w.shm->decisions, nd * sizeof *dec);
        for (int i = 0; i < nw; i++)
          if (&wk[i] != w) worker_stop(&wk[i].w); /* the others' executions end here */
        if (!opt->quiet && isatty(2)) fputs("\r\033[K", stderr);
        int same = handle_bug(opt, t, opt->out_dir, &w->rq, &o, dec);
        free(dec);
        bug = same ? 1 : 2;
        for (int i = 0; i < nw; i++) wk[i].busy = 0;
        break;
      }
      if (o.kind == BUG_LIMIT) d.not_judged++;
      d.steps += o.res.ndecisions;
      d.rec = w->w.shm->dfs;
      d.recdec = w->w.shm->decisions;
      d.nrec = o.res.ndecisions < IL_DFS_STEPS ? o.res.ndecisions : IL_DFS_STEPS;
      if (o.res.ndecisions > IL_DFS_STEPS) d.truncated++;
      d.path = w->path;
      d.len = w->len;
      int64_t div = check_prefix(&d, w->plen);
      if (div >= 0) {
        d.diverged++;
        if (!d.warned_div++)
          fprintf(stderr, "interleave: warning: a schedule did not follow its prefix at step %" PRId64
                          " (the program is nondeterministic beyond its thread schedule); that subtree is skipped\n",
                  div);
        path_cut(w, w->plen);
      } else {
        uint32_t E = extend(&d, w->plen);
        w->len = d.len;
        find_races(&d, w->plen, E);
      }
    }
    double now = now_s();
    if (!opt->quiet && isatty(2) && now - last_ui >= 0.25) {
      last_ui = now;
      fprintf(stderr, "\r\033[Kinterleave: %" PRIu64 " schedules, %.0f/s, bound %u", d.schedules,
              d.schedules / (now - t0), d.bound);
    }
  }
  double elapsed = now_s() - t0;
  if (!opt->quiet)
    fprintf(stderr, "interleave: dfs: %" PRIu64 " schedules run in all passes (bounds 0..%u, %d worker%s), %" PRIu64
                    " cut short by sleep sets, %" PRIu64 " races (%" PRIu64 " backtracked to every candidate), %.0f steps each"
                    " on average\n",
            d.schedules, d.bound, nw, nw == 1 ? "" : "s", d.pruned, d.races, d.allcand,
            d.schedules ? (double)d.steps / d.schedules : 0.0);
  if (!opt->quiet && isatty(2) && !bug) fputs("\r\033[K", stderr);
  for (int i = 0; i < nw; i++) {
    worker_stop(&wk[i].w);
    path_cut(&wk[i], 0);
    free(wk[i].path);
  }
  close(devnull);
  if (bug == 1) status = EXIT_BUG;
  else if (bug == 2) {
    status = EXIT_UNREPRODUCIBLE;
  } else if (stopped || d.diverged || d.not_judged || d.truncated || d.wide || d.overflow) {
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
    if (d.overflow) printf("; %" PRIu64 " steps past %u objects in one schedule", d.overflow, NOBJ);
    /* "No bug found" covers only the schedules run; the passes before the
     * one cut short are complete, and say so only when nothing else made
     * the search inexact (they would have been reported above). */
    printf("; no bug found in them (bound %u)", opt->preemptions);
    if (stopped && d.bound > 0 && !d.diverged && !d.not_judged && !d.truncated && !d.wide && !d.overflow)
      printf("; every schedule with at most %u preemption%s was explored", d.bound - 1, d.bound == 2 ? "" : "s");
    printf(" (%.1f s)\n", elapsed);
  } else {
    printf("interleave: verified: no bug in any schedule with at most %u preemption%s (%" PRIu64
           " schedules) in %.1f s\n", opt->preemptions, opt->preemptions == 1 ? "" : "s", d.pass_schedules, elapsed);
  }
  fflush(stdout);
  free(wk);
  free(d.dec);
  free(d.next_same);
  free(d.prev_same);
  free(d.next_choice);
  free(d.prev_choice);
  free(d.fp);
  free(d.vc);
  free(d.chain);
  free(d.gprev);
  free(d.bstart);
  free(d.owned);
  free(d.objkey);
  free(d.objid);
  free(d.objgen);
  free(d.objall);
  free(d.objw);
  free(d.objlast);
  *st = (struct run_stats){d.schedules, bug == 1, bug == 2, d.not_judged, elapsed, status};
  return status;
}
