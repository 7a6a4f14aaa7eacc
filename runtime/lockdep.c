/* lockdep.c: the lock-order edges of one execution, for the CLI's
 * lock-order graph across all executions (the kernel's lockdep, and
 * ThreadSanitizer's lock-order-inversion report, are the models).
 *
 * Called by the baton holder as a thread acquires a lock: for every lock it
 * already holds, an edge held -> acquired, deduplicated within the
 * execution.  Acquisitions in read mode make no edge: a reader-preferring
 * rwlock is granted to readers unless a writer holds it, so a cycle through
 * a read acquisition alone cannot deadlock.  Nor do successful trylocks
 * (as in the kernel's lockdep): a trylock never waits, so it can never
 * close a cycle (memcached's trylock-and-back-off item locks); the lock it
 * took still counts as held for the edges of later blocking acquisitions. */
#include "rt.h"
#include <string.h>

static void class_of(void *obj, uint64_t *key, uint8_t *site) {
  struct il_obj *o = il_obj_find(obj);
  if (o && o->init_pc) {
    *key = o->init_pc;
    *site = 1;
  } else {
    *key = (uint64_t)(uintptr_t)obj;
    *site = 0;
  }
}

void il_lockdep_acquire(struct il_thread *t, void *obj, int op, uint64_t pc) {
  if (op == IL_OP_RDLOCK || op == IL_OP_TRYRDLOCK || op == IL_OP_TRYLOCK || op == IL_OP_TRYWRLOCK ||
      op == IL_OP_SPIN_TRY)
    return;
  if (t->nheld == 0) return;
  struct il_shm *s = il.shm;
  uint64_t to_key, gate = 0;
  uint8_t to_site;
  class_of(obj, &to_key, &to_site);
  for (int i = 0; i < t->nheld; i++) {
    void *held = (void *)(uintptr_t)t->held[i].obj;
    if (held == obj) continue; /* recursive */
    uint64_t from_key;
    uint8_t from_site;
    class_of(held, &from_key, &from_site);
    if (i > 0 && !gate) {
      uint8_t gs;
      class_of((void *)(uintptr_t)t->held[0].obj, &gate, &gs);
    }
    int dup = 0;
    for (uint32_t k = 0; k < s->nedges && !dup; k++) {
      struct il_lock_edge *e = &s->edges[k];
      dup = e->from_key == from_key && e->to_key == to_key &&
            (from_key != to_key || (e->from_obj == t->held[i].obj && e->to_obj == (uint64_t)(uintptr_t)obj));
    }
    if (dup || s->nedges >= IL_MAX_EDGES) continue;
    struct il_lock_edge *e = &s->edges[s->nedges++];
    memset(e, 0, sizeof *e);
    e->from_key = from_key;
    e->to_key = to_key;
    e->from_site = from_site;
    e->to_site = to_site;
    e->from_obj = t->held[i].obj;
    e->to_obj = (uint64_t)(uintptr_t)obj;
    e->from_pc = t->held[i].pc;
    e->to_pc = pc;
    e->gate_key = i > 0 ? gate : 0;
    e->thread = t->idx;
    int n;
    uint64_t st[IL_STACK_DEPTH];
    il_capture_stack(st, &n, 3);
    for (int j = 0; j < 4 && j < n; j++) e->stack[j] = st[j];
  }
}

static int waits_for(struct il_thread *w, void *obj);

/* ---- the lock-hold detector ----
 * A lock's shadow remembers the first blocking call its holder made while
 * holding it.  When the hold ends, every thread still waiting for the lock
 * longer than the threshold is a finding: the lock, where it was taken,
 * across which call, who waited and how long.  Findings do not end the
 * execution; the CLI applies suppressions and reports the first. */

void il_lockhold_begin(void *obj) {
  struct il_obj *o = il_obj_find(obj);
  if (!o) return;
  o->acq_time = il.vclock;
  o->hb_op = 0;
  o->hb_ns = 0;
}

void il_lockhold_blocking(struct il_thread *t, int op, void *obj, uint64_t pc) {
  if (il.req.hold_threshold_ns <= 0) return;
  for (int i = 0; i < t->nheld; i++) {
    if (t->held[i].obj == (uint64_t)(uintptr_t)obj) continue;
    struct il_obj *o = il_obj_find((void *)(uintptr_t)t->held[i].obj);
    if (!o || o->hb_op) continue;
    o->hb_op = op;
    o->hb_pc = pc;
  }
  t->blk_entry = il.vclock;
}

/* The blocking call returned (the thread was chosen again): count only
 * the time it was blocked, not time it then spent runnable but not
 * scheduled, which is the scheduler's doing, not the program's. */
void il_lockhold_resumed(struct il_thread *t, void *obj) {
  if (il.req.hold_threshold_ns <= 0) return;
  int64_t d = il.vclock - t->blk_entry;
  if (waits_for(t, obj)) {
    /* Waiting for another lock counts only as long as that lock's holder
     * was itself blocked: a holder that was runnable but not scheduled
     * made nobody wait in a real run (the nested case that matters, a
     * pool lock held while waiting for a connection held across a prompt,
     * is blocked all the way down). */
    struct il_obj *inner = il_obj_find(obj);
    int64_t ib = inner ? inner->hb_ns : 0;
    if (d > ib) d = ib;
  }
  for (int i = 0; i < t->nheld; i++) {
    if (t->held[i].obj == (uint64_t)(uintptr_t)obj) continue;
    struct il_obj *o = il_obj_find((void *)(uintptr_t)t->held[i].obj);
    if (o) o->hb_ns += d;
  }
}

static int waits_for(struct il_thread *w, void *obj) {
  if (w->obj != obj) return 0;
  switch (w->op) {
  case IL_OP_LOCK: case IL_OP_COND_RELOCK: case IL_OP_RDLOCK: case IL_OP_WRLOCK: case IL_OP_SPIN_LOCK:
    return 1;
  }
  return 0;
}

void il_lockhold_end(struct il_thread *t, void *obj) {
  if (il.req.hold_threshold_ns <= 0) return;
  struct il_obj *o = il_obj_find(obj);
  if (!o || !o->hb_op || o->hb_ns <= il.req.hold_threshold_ns) {
    if (o) o->hb_op = 0;
    return;
  }
  struct il_shm *s = il.shm;
  for (int i = 0; i < il.nthreads && s->nholds < IL_MAX_HOLDS; i++) {
    struct il_thread *w = &il.threads[i];
    if (w == t || w->state == IL_T_DONE || w->exiting || !waits_for(w, obj)) continue;
    int64_t waited = il.vclock - w->blocked_since;
    if (waited <= il.req.hold_threshold_ns) continue;
    struct il_hold *h = &s->holds[s->nholds++];
    h->lock = (uint64_t)(uintptr_t)obj;
    h->acq_pc = 0;
    for (int k = 0; k < t->nheld; k++)
      if (t->held[k].obj == h->lock) { h->acq_pc = t->held[k].pc; h->lock_op = t->held[k].op; }
    h->blk_pc = o->hb_pc;
    h->blk_op = o->hb_op;
    h->wait_pc = w->pc;
    h->event = s->nevents;
    h->held_ns = il.vclock - o->acq_time;
    h->blk_ns = o->hb_ns;
    h->wait_ns = waited;
    h->holder = t->idx;
    h->waiter = w->idx;
  }
  o->hb_op = 0;
}
