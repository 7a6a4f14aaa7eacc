/* random.c: a uniform random walk: every choice uniform among the
 * candidates, nothing learned. */
#include "strategy.h"

static void random_init(void) {}

/* A priority draw nobody reads: it keeps the random stream, and so every
 * seed's walk, what it was before strategies had a file each. */
static void random_new_thread(struct il_thread *t) { t->prio = il_prio_draw(); }

static int random_pick(struct il_thread **cand, int n) {
  (void)cand;
  return n == 1 ? 0 : (int)(il_rand() % (uint64_t)n);
}

const struct il_strategy_ops il_strategy_random = {
  .init = random_init,
  .new_thread = random_new_thread,
  .pick = random_pick,
};
