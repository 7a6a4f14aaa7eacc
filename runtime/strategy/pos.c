/* pos.c: partial-order sampling (Yuan, Yang and Gu, "Partial Order Aware
 * Concurrency Sampling", CAV 2018).
 *
 * Every thread's pending event has a random priority; the candidate with
 * the highest one runs.  After an event runs, the thread that ran gets a
 * fresh priority for its next event, and every other thread whose pending
 * event races with the one that ran gets a fresh priority too.  Unlike a
 * random walk, a thread keeps its priority while what it waits to do is
 * unaffected, so long runs of one thread are as likely as short ones;
 * unlike PCT, the order of two racing events is re-decided each time one
 * of them could have changed, so the sampling is close to uniform over
 * the orders of racing events (the partial orders), not over interleavings.
 *
 * "Races" here: two operations on the same object, not both reads.
 *   - Objects: a synchronization object (mutex, rwlock, condition
 *     variable, semaphore, barrier, once, spin lock, futex word), compared
 *     by address; an atomic or (in an `interleave cc` build) a plain load
 *     or store, compared by 8-byte granule, so that a 4-byte store and an
 *     8-byte load of the same word race.  A thread's exit races with a
 *     join that waits for it.
 *   - Reads: atomic and plain loads, rdlock and tryrdlock.  Every other
 *     operation on an object (unlock, signal, post, a CAS or RMW, a store)
 *     changes it.
 *   - Not objects: sleeps, clock reads, yields, I/O, signals, process
 *     calls, thread creation.  Their threads get a fresh priority only when
 *     they run.
 * The events that ran are read from the event ring (shm->events, written
 * by il_record) since the last pick, so that events with no scheduling
 * point of their own (an unlock's record, a cond wait's release) count,
 * and so do steps the fair continuation chose.
 *
 * A thread that yields goes below every drawn priority (as under PCT) and
 * keeps that low priority over its own events until something races with
 * what it waits for: a spinning load is released by the store to its
 * word, a failed trylock by the unlock, as POS would have it; a
 * sched_yield, with no object to wait on, by any other thread's event (a
 * spin on an uninstrumented atomic: let one thing happen, then look
 * again).  A timeout that fires while others could run is not a yield
 * here (pos_yielded).
 */
#include "strategy.h"

static uint64_t seen;                   /* events of this execution looked at */
static uint8_t yielded[IL_MAX_THREADS]; /* yielded since the last pick */
static struct il_thread *picked;        /* the last pick, and its step */
static uint64_t picked_step;

/* Does the event e race with thread u's pending operation? */
static int races(const struct il_event *e, const struct il_thread *u) {
  if (e->op == IL_OP_EXIT) return u->op == IL_OP_JOIN && u->obj == &il.threads[e->thread];
  uint64_t a = e->obj, b = (uint64_t)(uintptr_t)u->obj;
  if (!a || !b || (il_op_read(e->op) && il_op_read(u->op))) return 0;
  if (il_op_memory(e->op) && il_op_memory(u->op)) return a >> 3 == b >> 3;
  return (il_op_object(e->op) || il_op_memory(e->op)) && (il_op_object(u->op) || il_op_memory(u->op)) && a == b;
}

/* Does u wait to do something to an object (that an event can race with)? */
static int on_object(const struct il_thread *u) {
  return u->op == IL_OP_JOIN || (u->obj && (il_op_object(u->op) || il_op_memory(u->op)));
}

/* Re-draw the priorities the events since the last pick invalidated. */
static void absorb_events(void) {
  for (const struct il_event *e; (e = il_event_next(&seen));) {
    if (e->thread >= il.nthreads) continue;
    struct il_thread *ran = &il.threads[e->thread];
    if (!yielded[ran->idx]) ran->prio = il_prio_draw(); /* its next event is a new one */
    for (int i = 0; i < il.nthreads; i++) {
      struct il_thread *u = &il.threads[i];
      if (u == ran || !il_alive(u)) continue;
      /* A yielder with no object (sched_yield) waits for anything: any
       * other thread's event releases it. */
      if (races(e, u) || (u->prio < IL_PRIO_BASE && !on_object(u))) u->prio = il_prio_draw();
    }
  }
  for (int i = 0; i < il.nthreads; i++) yielded[i] = 0;
}

static void pos_init(void) {
  seen = 0;
  picked = NULL;
  for (int i = 0; i < IL_MAX_THREADS; i++) yielded[i] = 0;
}

static void pos_new_thread(struct il_thread *t) { t->prio = il_prio_draw(); }

static int pos_pick(struct il_thread **cand, int n) {
  absorb_events();
  int k = il_prio_best(cand, n);
  picked = cand[k];
  picked_step = il.step;
  return k;
}

static void pos_yielded(struct il_thread *t) {
  if (t == picked && il.step == picked_step) {
    /* Within the step that chose it: sched.c's choose() fired t's
     * deadline while others could run.  The timeout is the event that
     * ran; what t does about it is its next event, with a fresh priority
     * like any other.  Put below everyone, t could not act on the timeout
     * before the others caught up, which is the race a timeout is there
     * to explore. */
    t->prio = il_prio_draw();
    return;
  }
  t->prio = il.low_prio_next--;
  yielded[t->idx] = 1;
}

const struct il_strategy_ops il_strategy_pos = {
  .init = pos_init,
  .new_thread = pos_new_thread,
  .pick = pos_pick,
  .yielded = pos_yielded,
};
