/* strategy.h: what every strategy provides to the dispatcher
 * (runtime/strategy.c), and the priority scale they share.
 *
 * A strategy is a table of operations, selected by il.req.strategy at the
 * start of each execution:
 *   init        once per execution, after the seed is set (il.rng);
 *   new_thread  a thread is created: give it what the strategy needs (a
 *               priority);
 *   pick        choose one of cand[0..n-1] (the runnable threads first,
 *               then timed waiters whose deadline would fire); -1 only for
 *               a replay divergence.  Also called for choices that are not
 *               who runs next (which waiter a signal wakes, il_choose_among);
 *   yielded     optional: t said it has nothing to do (sched_yield, a failed
 *               trylock, a spin), or its deadline fired while others could
 *               run; without it, the dispatcher puts t below every other
 *               thread (il.low_prio_next).
 * Whatever a strategy does must depend on the execution seed and the
 * decisions so far only: same seed, same execution.
 */
#ifndef IL_STRATEGY_H
#define IL_STRATEGY_H
#include "../rt.h"

struct il_strategy_ops {
  void (*init)(void);
  void (*new_thread)(struct il_thread *t);
  int (*pick)(struct il_thread **cand, int n);
  void (*yielded)(struct il_thread *t);
};

/* Priority bands, high to low: drawn priorities (PRIO_BASE and up),
 * threads that yielded (newest yield lowest, from il.low_prio_next down),
 * then PCT's change-point priorities (PRIO_CHANGE + 1..d-1).  A change
 * point must be able to push a thread below one that merely yielded or
 * slept: that is how PCT preempts a thread right after, say, a wipe and
 * lets a sleeping handler in (seed 000's gap).  A yielding thread that
 * starves a change-pointed one is caught by the starvation check in
 * sched.c. */
#define IL_PRIO_BASE (1ULL << 40)
#define IL_PRIO_CHANGE (1ULL << 32)

/* A fresh random priority in the top band (40 random bits). */
static inline uint64_t il_prio_draw(void) { return IL_PRIO_BASE + (il_rand() >> 24); }

/* The candidate with the highest priority (the first of equals). */
static inline int il_prio_best(struct il_thread **cand, int n) {
  int best = 0;
  for (int k = 1; k < n; k++)
    if (cand[k]->prio > cand[best]->prio) best = k;
  return best;
}

/* What an event's operation does to its object, as POS and the mutate
 * feedback see it: a synchronization object (by address), a memory word
 * (atomics, and plain accesses in `interleave cc` builds; by 8-byte
 * granule), and whether it only reads it. */
static inline int il_op_object(int op) {
  switch (op) {
  case IL_OP_LOCK: case IL_OP_TRYLOCK: case IL_OP_UNLOCK:
  case IL_OP_RDLOCK: case IL_OP_WRLOCK: case IL_OP_TRYRDLOCK: case IL_OP_TRYWRLOCK: case IL_OP_RWUNLOCK:
  case IL_OP_COND_WAIT: case IL_OP_COND_RELOCK: case IL_OP_COND_SIGNAL: case IL_OP_COND_BCAST:
  case IL_OP_SEM_WAIT: case IL_OP_SEM_TRYWAIT: case IL_OP_SEM_POST: case IL_OP_BARRIER: case IL_OP_ONCE:
  case IL_OP_SPIN_LOCK: case IL_OP_SPIN_TRY: case IL_OP_SPIN_UNLOCK:
  case IL_OP_FUTEX_WAIT: case IL_OP_FUTEX_WAKE:
    return 1;
  default:
    return 0;
  }
}
static inline int il_op_memory(int op) {
  return op == IL_OP_ATOMIC_LOAD || op == IL_OP_ATOMIC_STORE || op == IL_OP_ATOMIC_RMW ||
         op == IL_OP_ATOMIC_CAS || op == IL_OP_MEM_LOAD || op == IL_OP_MEM_STORE;
}
static inline int il_op_read(int op) {
  return op == IL_OP_ATOMIC_LOAD || op == IL_OP_MEM_LOAD || op == IL_OP_RDLOCK || op == IL_OP_TRYRDLOCK;
}

/* The next event recorded after the *cursor events a reader has looked
 * at, or NULL: each reader (POS's priorities, the mutate feedback, its
 * race targets) keeps its own cursor.  Events the ring no longer holds
 * are skipped (only the fair continuation runs that long between two
 * picks). */
static inline const struct il_event *il_event_next(uint64_t *cursor) {
  uint64_t end = il.shm->nevents;
  if (end - *cursor > IL_EVENT_RING) *cursor = end - IL_EVENT_RING;
  return *cursor < end ? &il.shm->events[(*cursor)++ % IL_EVENT_RING] : NULL;
}

IL_HIDDEN extern const struct il_strategy_ops il_strategy_pct, il_strategy_random, il_strategy_pos,
    il_strategy_replay, il_strategy_guided, il_strategy_mutate;

/* feedback.c (IL_F_FEEDBACK): clear the execution's coverage and pairs;
 * read the events recorded since the last call into them. */
IL_HIDDEN void il_feedback_init(void);
IL_HIDDEN void il_feedback_absorb(void);

#endif
