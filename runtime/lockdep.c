/* lockdep.c: the lock-order edges of one execution, for the CLI's
 * lock-order graph across all executions (the kernel's lockdep, and
 * ThreadSanitizer's lock-order-inversion report, are the models).
 *
 * Called by the baton holder as a thread acquires a lock: for every lock it
 * already holds, an edge held -> acquired, deduplicated within the
 * execution.  Acquisitions in read mode make no edge: a reader-preferring
 * rwlock is granted to readers unless a writer holds it, so a cycle through
 * a read acquisition alone cannot deadlock. */
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
  if (op == IL_OP_RDLOCK || op == IL_OP_TRYRDLOCK) return;
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
