/* feedback.c: what an execution tells --strategy mutate (IL_F_FEEDBACK;
 * cli/explore.c reads it between executions, docs/design.md "Schedule
 * mutation").
 *
 * Conflict pairs: two operations of different threads on one object, one
 * right after the other in the object's history, not both reads.
 * Objects and reads as POS has them (pos.c): synchronization objects by
 * address, atomics and (in `interleave cc` builds) plain loads and stores
 * by 8-byte granule; reads are loads, rdlocks and tryrdlocks.  Per object
 * the last writing thread's run of operations (its first and last pc) and
 * the first read by another thread since then are kept; an operation by
 * another thread then makes
 *   - a coverage bit H(last pc, its pc): a store and the load that read
 *     it (reads-from), an unlock and the next thread's lock (release,
 *     acquire), a load and the store that overwrote what it read;
 *   - a pair (first pc, its pc) in shm->pairs: what a directed execution
 *     flips (a thread about to run `first` waits until `second` ran).
 * The data races the detector sees (tsan.c, il_feedback_race) are pairs
 * too, flagged IL_PAIR_RACE.
 *
 * Cheap and fixed-size: no allocation; the events are read from the
 * event ring at each choice (il_strategy_pick), a table of 1024 objects
 * (direct-mapped: a collision forgets the older object, so a pair may be
 * missed, never invented), a 64 Kibit bitmap and 256 pair slots in the
 * shared memory, cleared at the start of the execution.  Events after the
 * last choice of an execution are not looked at.
 */
#include "strategy.h"
#include <string.h>

struct fb_obj {
  uint64_t key;            /* object address; memory: granule | 1; 0: free */
  uint64_t wfirst, wlast;  /* the last writer's run on it: first and last pc */
  uint64_t rpc;            /* the first read by another thread since */
  int32_t wthread, rthread; /* -1: none */
};
#define FB_OBJS 1024
static struct fb_obj objs[FB_OBJS];
static uint64_t seen;

static uint64_t pair_hash(uint64_t a, uint64_t b) { return il_mix64(a * 0x9e3779b97f4a7c15ULL ^ b); }

static void cover(uint64_t a, uint64_t b) {
  uint64_t h = pair_hash(a, b) & (IL_COV_WORDS * 64 - 1);
  il.shm->cov[h >> 6] |= 1ULL << (h & 63);
}

static void add_pair(uint64_t first, uint64_t second, uint32_t flags) {
  if (!first || !second) return;
  struct il_pair *p = &il.shm->pairs[pair_hash(second, first) % IL_PAIRS];
  if (!(p->flags & IL_PAIR_USED)) {
    p->first = first;
    p->second = second;
    p->flags = IL_PAIR_USED | flags;
  } else if (p->first == first && p->second == second) {
    p->flags |= flags;
  }
}

void il_feedback_init(void) {
  seen = 0;
  if (!(il.req.flags & IL_F_FEEDBACK)) return;
  memset(il.shm->cov, 0, sizeof il.shm->cov);
  memset(il.shm->pairs, 0, sizeof il.shm->pairs);
}

/* tsan.c: the access at `second` races with the earlier one at `first`. */
void il_feedback_race(uint64_t first, uint64_t second) {
  if (!(il.req.flags & IL_F_FEEDBACK)) return;
  cover(first, second ^ 0x5241434521ULL /* "RACE!" */);
  add_pair(first, second, IL_PAIR_RACE);
}

static void absorb(const struct il_event *e) {
  int op = e->op;
  if (!e->obj || e->thread >= IL_MAX_THREADS) return;
  uint64_t key;
  if (il_op_memory(op)) key = (e->obj & ~7ULL) | 1;
  else if (il_op_object(op)) key = e->obj;
  else return;
  struct fb_obj *o = &objs[il_mix64(key) % FB_OBJS];
  if (o->key != key) *o = (struct fb_obj){.key = key, .wthread = -1, .rthread = -1};
  int t = e->thread;
  uint64_t pc = e->pc;
  if (o->wthread >= 0 && o->wthread != t) {
    cover(o->wlast, pc);
    add_pair(o->wfirst, pc, 0);
  }
  if (il_op_read(op)) {
    if (o->rthread < 0 && o->wthread != t) {
      o->rthread = t;
      o->rpc = pc;
    }
    return;
  }
  if (o->rthread >= 0 && o->rthread != t) {
    cover(o->rpc, pc);
    add_pair(o->rpc, pc, 0);
  }
  if (o->wthread == t && o->rthread < 0) {
    o->wlast = pc;
  } else {
    o->wthread = t;
    o->wfirst = o->wlast = pc;
  }
  o->rthread = -1;
}

/* The events recorded since the last call. */
void il_feedback_absorb(void) {
  for (const struct il_event *e; (e = il_event_next(&seen));) absorb(e);
}
