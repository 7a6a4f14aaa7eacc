/* mutate.c: the executions --strategy mutate derives from what earlier
 * ones found (cli/explore.c decides which; docs/design.md, "Schedule
 * mutation").  Parameters in shm->mut (common/wire.h):
 *   - a prefix: decisions[0..replay_len) of a kept schedule, followed
 *     where the recorded thread is a candidate;
 *   - a flip: at the first choice at or after flip_at with more than one
 *     candidate, a thread other than the recorded one; past it the prefix
 *     is no longer followed;
 *   - targets (race direction, as RaceFuzzer): a thread about to run the
 *     operation at wait_pc[k] is not chosen while another candidate is,
 *     until some thread has run the operation at until_pc[k] (read from
 *     the event ring), or for at most HOLD_STEPS decisions;
 *   - everything else is the base strategy's (PCT or POS), which sees
 *     every choice (its state stays its own: POS's priorities follow the
 *     events whoever chose).
 * Like every strategy, a function of the seed and the decisions so far.
 */
#include "strategy.h"

#define HOLD_STEPS 10000

static const struct il_strategy_ops *base = &il_strategy_pos;
static struct il_mutation mut;
static int flipped;              /* the flip happened (or there is none) */
static uint32_t released;        /* bit k: target k is over */
static uint64_t held_from[IL_TARGETS]; /* step target k first kept a thread off; 0: not yet */
static uint64_t seen;            /* events looked at for releases */

static void mutate_init(void) {
  mut = il.shm->mut;
  if (mut.ntargets > IL_TARGETS) mut.ntargets = IL_TARGETS;
  base = mut.base == IL_STRAT_PCT ? &il_strategy_pct : &il_strategy_pos;
  flipped = mut.flip_at == UINT64_MAX;
  released = 0;
  seen = 0;
  for (int k = 0; k < IL_TARGETS; k++) held_from[k] = 0;
  base->init();
}

static void mutate_new_thread(struct il_thread *t) { base->new_thread(t); }

static void mutate_yielded(struct il_thread *t) {
  if (base->yielded) base->yielded(t);
  else t->prio = il.low_prio_next--;
}

/* Targets whose until_pc ran since the last look are over. */
static void releases(void) {
  for (const struct il_event *e; (e = il_event_next(&seen));)
    for (uint32_t k = 0; k < mut.ntargets; k++)
      if (e->pc == mut.until_pc[k]) released |= 1u << k;
  for (uint32_t k = 0; k < mut.ntargets; k++)
    if (held_from[k] && il.step - held_from[k] > HOLD_STEPS) released |= 1u << k;
}

static int postponed(const struct il_thread *u) {
  for (uint32_t k = 0; k < mut.ntargets; k++)
    if (!(released >> k & 1) && u->pc && u->pc == mut.wait_pc[k]) {
      if (!held_from[k]) held_from[k] = il.step ? il.step : 1;
      return 1;
    }
  return 0;
}

static int mutate_pick(struct il_thread **cand, int n) {
  struct il_thread *sub[IL_MAX_THREADS];
  int m = 0, want = -1;
  if (il.step < il.req.replay_len && (!flipped || mut.flip_at == UINT64_MAX)) {
    int idx = il.shm->decisions[il.step];
    for (int k = 0; k < n; k++)
      if (cand[k]->idx == idx) want = k;
  }
  if (mut.ntargets) releases();
  if (!flipped && il.step >= mut.flip_at && n > 1) {
    /* The flip: anyone but the recorded thread. */
    flipped = 1;
    for (int k = 0; k < n; k++)
      if (k != want) sub[m++] = cand[k];
  } else if (want >= 0) {
    sub[m++] = cand[want];
  } else {
    for (int k = 0; k < n; k++)
      if (!mut.ntargets || !postponed(cand[k])) sub[m++] = cand[k];
    if (!m) /* everyone waits: the pair cannot be flipped here */
      for (int k = 0; k < n; k++) sub[m++] = cand[k];
  }
  int j = base->pick(sub, m);
  if (j < 0) j = 0;
  for (int k = 0; k < n; k++)
    if (cand[k] == sub[j]) return k;
  return 0;
}

const struct il_strategy_ops il_strategy_mutate = {
  .init = mutate_init,
  .new_thread = mutate_new_thread,
  .pick = mutate_pick,
  .yielded = mutate_yielded,
};
