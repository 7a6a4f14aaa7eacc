/* strategy.c: who runs next.  One entry point per scheduler hook
 * (il_strategy_init, il_strategy_new_thread, il_strategy_pick,
 * il_deprioritize), dispatched to the strategy the request names through
 * its operations table (runtime/strategy/strategy.h):
 *   pct.c     PCT, the default;
 *   random.c  a uniform random walk;
 *   pos.c     partial-order sampling;
 *   replay.c  replay of recorded decisions, and the minimizer's guided
 *             replay;
 *   mutate.c  --strategy mutate's derived executions: a kept schedule's
 *             prefix and a flip, or race direction, over PCT or POS.
 * With IL_F_FEEDBACK in the request, feedback.c reads the events into
 * the coverage the CLI's corpus is built from, at every choice.
 *
 * Every choice is a function of the execution seed and the decisions so
 * far, nothing else: same seed, same execution.
 */
#include "strategy/strategy.h"

static const struct il_strategy_ops *ops = &il_strategy_pct;

void il_strategy_init(void) {
  switch (il.req.strategy) {
  case IL_STRAT_RANDOM: ops = &il_strategy_random; break;
  case IL_STRAT_REPLAY: ops = &il_strategy_replay; break;
  case IL_STRAT_GUIDED: ops = &il_strategy_guided; break;
  case IL_STRAT_POS: ops = &il_strategy_pos; break;
  case IL_STRAT_MUTATE: ops = &il_strategy_mutate; break;
  default: ops = &il_strategy_pct; break;
  }
  il.low_prio_next = IL_PRIO_BASE - 1;
  il_feedback_init();
  ops->init();
}

void il_strategy_new_thread(struct il_thread *t) { ops->new_thread(t); }

/* A thread that yields (sched_yield, a failed trylock, a timeout fired
 * early, a spin) drops below every other thread, newest yield lowest, so
 * that spin and poll loops cannot starve the rest; a strategy with its own
 * idea (POS) says so in its yielded operation. */
void il_deprioritize(struct il_thread *t) {
  if (ops->yielded) ops->yielded(t);
  else t->prio = il.low_prio_next--;
  t->waive = 1; /* and waives the lateness bound until chosen (sched.c) */
}

int il_strategy_pick(struct il_thread **cand, int n) {
  if (il.req.flags & IL_F_FEEDBACK) il_feedback_absorb();
  return ops->pick(cand, n);
}
