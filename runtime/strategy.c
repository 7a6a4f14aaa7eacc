/* strategy.c: who runs next.  PCT, random walk, and replay of recorded
 * decisions behind one entry point, il_strategy_pick().
 *
 * PCT (Burckhardt et al., ASPLOS 2010): every thread gets a random
 * distinct priority >= depth at creation; depth-1 change points are drawn
 * uniformly over the expected number of steps (est_steps, learned by the
 * CLI from earlier executions); when step k is the i-th change point, the
 * thread that ran it drops to priority depth-1-i.  The highest-priority
 * candidate always runs.  A thread that yields (sched_yield, a failed
 * trylock, a timeout fired early) drops below every other thread, so that
 * spin and poll loops cannot starve the rest (as Coyote and Shuttle do).
 *
 * Every choice is a function of the execution seed and the decisions so
 * far, nothing else: same seed, same execution.
 */
#include "rt.h"

/* Priority bands, high to low: initial priorities (PRIO_BASE and up),
 * threads that yielded (newest yield lowest), then change-point
 * priorities (PRIO_CHANGE + 1..d-1).  A change point must be able to
 * push a thread below one that merely yielded or slept: that is how PCT
 * preempts a thread right after, say, a wipe and lets a sleeping handler in
 * (seed 000's gap).  A yielding thread that starves a change-pointed one
 * is caught by the starvation check in sched.c. */
#define PRIO_BASE (1ULL << 40)
#define PRIO_CHANGE (1ULL << 32)

void il_strategy_init(void) {
  il.nchange = 0;
  il.low_prio_next = PRIO_BASE - 1;
  if (il.req.strategy != IL_STRAT_PCT) return;
  uint32_t d = il.req.depth ? il.req.depth : 1;
  if (d > 16) d = 16;
  uint64_t k = il.req.est_steps ? il.req.est_steps : 1;
  for (uint32_t i = 0; i + 1 < d; i++) il.change_points[il.nchange++] = 1 + il_rand() % k;
}

void il_strategy_new_thread(struct il_thread *t) {
  t->prio = PRIO_BASE + (il_rand() >> 24);
}

void il_deprioritize(struct il_thread *t) {
  t->prio = il.low_prio_next--;
  t->waive = 1; /* and waives the lateness bound until chosen (sched.c) */
}

int il_strategy_pick(struct il_thread **cand, int n) {
  switch (il.req.strategy) {
  case IL_STRAT_RANDOM:
    return n == 1 ? 0 : (int)(il_rand() % (uint64_t)n);
  case IL_STRAT_GUIDED: {
    int want = il.step < il.req.replay_len ? il.shm->decisions[il.step] : -1;
    if (il.step == il.req.skip_step && il.cur) want = il.cur->idx;
    for (int k = 0; k < n; k++)
      if (cand[k]->idx == want) return k;
    for (int k = 0; k < n; k++)
      if (cand[k] == il.cur) return k;
    return 0;
  }
  case IL_STRAT_REPLAY: {
    if (il.step >= il.req.replay_len) return -1;
    int want = il.shm->decisions[il.step];
    for (int k = 0; k < n; k++)
      if (cand[k]->idx == want) return k;
    return -1;
  }
  default: { /* PCT */
    for (int i = 0; i < il.nchange; i++)
      if (il.change_points[i] == il.step && il.cur) il.cur->prio = PRIO_CHANGE + (uint64_t)(il.nchange - i);
    int best = 0;
    for (int k = 1; k < n; k++)
      if (cand[k]->prio > cand[best]->prio) best = k;
    return best;
  }
  }
}
