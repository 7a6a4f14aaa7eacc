/* replay.c: following recorded decisions (shm->decisions[step]).
 *
 * Replay returns the recorded thread and -1 (the execution diverged) if it
 * is not a candidate.  Guided is the minimizer's tool: follow the record
 * where it can, but at step skip_step keep the running thread (no
 * preemption), and wherever the recorded thread cannot run, keep the
 * running thread too. */
#include "strategy.h"

static void replay_init(void) {}

/* Priorities are not read here; the draw only keeps the random stream as
 * it always was. */
static void replay_new_thread(struct il_thread *t) { t->prio = il_prio_draw(); }

static int replay_pick(struct il_thread **cand, int n) {
  if (il.step >= il.req.replay_len) return -1;
  int want = il.shm->decisions[il.step];
  for (int k = 0; k < n; k++)
    if (cand[k]->idx == want) return k;
  return -1;
}

static int guided_pick(struct il_thread **cand, int n) {
  int want = il.step < il.req.replay_len ? il.shm->decisions[il.step] : -1;
  if (il.step == il.req.skip_step && il.cur) want = il.cur->idx;
  for (int k = 0; k < n; k++)
    if (cand[k]->idx == want) return k;
  for (int k = 0; k < n; k++)
    if (cand[k] == il.cur) return k;
  return 0;
}

const struct il_strategy_ops il_strategy_replay = {
  .init = replay_init,
  .new_thread = replay_new_thread,
  .pick = replay_pick,
};

const struct il_strategy_ops il_strategy_guided = {
  .init = replay_init,
  .new_thread = replay_new_thread,
  .pick = guided_pick,
};
