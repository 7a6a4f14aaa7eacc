/* pct.c: PCT (Burckhardt et al., ASPLOS 2010).  Every thread gets a random
 * distinct priority at creation; depth-1 change points are drawn uniformly
 * over the expected number of steps (est_steps, learned by the CLI from
 * earlier executions); when step k is the i-th change point, the thread
 * that ran it drops to priority PRIO_CHANGE + (d-1-i), below every drawn
 * and yielded priority.  The highest-priority candidate always runs.  A
 * thread that yields drops below every other drawn priority (the
 * dispatcher), so that spin and poll loops cannot starve the rest (as
 * Coyote and Shuttle do).
 *
 * With est_sync (the CLI sets it for every other PCT execution of a
 * program built with `interleave cc`, where memory accesses are most of
 * the points), the change points are drawn over the synchronization steps
 * instead, and a step counts only if its point is not a memory access.
 * Drawn over all steps, both change points of a depth-3 execution land on
 * memory accesses nearly always, and a bug between two lock operations is
 * found hundreds of times later than in the plain build (SCTBench's
 * qsort_mt: 43 synchronization steps among 1,248; docs/performance.md).
 */
#include "strategy.h"

static uint64_t change_points[16];
static int nchange;

static void pct_init(void) {
  nchange = 0;
  uint32_t d = il.req.depth ? il.req.depth : 1;
  if (d > 16) d = 16;
  uint64_t k = il.req.est_sync ? il.req.est_sync : il.req.est_steps ? il.req.est_steps : 1;
  for (uint32_t i = 0; i + 1 < d; i++) change_points[nchange++] = 1 + il_rand() % k;
}

static void pct_new_thread(struct il_thread *t) { t->prio = il_prio_draw(); }

static int pct_pick(struct il_thread **cand, int n) {
  uint64_t step = il.step;
  if (il.req.est_sync) {
    if (!il.sync_now) return il_prio_best(cand, n);
    step = il.sync_step;
  }
  for (int i = 0; i < nchange; i++)
    if (change_points[i] == step && il.cur) il.cur->prio = IL_PRIO_CHANGE + (uint64_t)(nchange - i);
  return il_prio_best(cand, n);
}

const struct il_strategy_ops il_strategy_pct = {
  .init = pct_init,
  .new_thread = pct_new_thread,
  .pick = pct_pick,
};
