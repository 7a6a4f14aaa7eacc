/* i_annotate.c: the annotation API of include/interleave.h.
 *
 * The program's header declares these weak and calls them only when the
 * dynamic linker found a definition, which is here, in the preloaded
 * runtime; a program run on its own sees null and does nothing.  The pc of
 * each event is the caller's (the header's wrappers are always inlined).
 *
 * interleave_yield is sched_yield's scheduling point without the system
 * call.  interleave_acquire/release model a lock the program built itself
 * (on atomics): a shadow object whose owner the scheduler knows, as for a
 * pthread spin lock.  A thread acquiring it while another holds it waits in
 * the scheduler instead of spinning, so a wait-for cycle is a deadlock with
 * its holders; the lock joins the thread's held locks (deadlock report,
 * lock-order edges, the lock-hold detector) and carries happens-before
 * edges for the race detector.  The shadow is recursive: the model never
 * makes a thread wait for itself (the program's own lock decides that, and
 * a lock that spins on itself is the watchdog's to report).  A shadow of
 * kind K_SPIN, because creating it reads nothing from the program's memory
 * (a K_MUTEX shadow reads glibc's mutex type out of the object, and a
 * hand-made lock may be a single byte).
 */
#include "rt.h"

IL_EXPORT void __interleave_yield(void) {
  if (!il_controlled()) return;
  uint64_t pc = IL_CALLER;
  il_deprioritize(il_me);
  il_point(IL_OP_YIELD, NULL, -1, pc);
  il_record(IL_OP_YIELD, NULL, 0, pc, 0);
}

IL_EXPORT void __interleave_acquire(void *lock) {
  if (!lock || !il_controlled()) return;
  uint64_t pc = IL_CALLER;
  struct il_thread *me = il_me;
  struct il_obj *o = il_obj_get(lock, K_SPIN);
  o->type = PTHREAD_MUTEX_RECURSIVE;
  il_point(IL_OP_LOCK, lock, -1, pc);
  if (o->owner == me->idx) {
    o->count++;
  } else {
    o->owner = me->idx;
    o->count = 1;
    o->acq_pc = pc;
    il_held_add(me, lock, IL_OP_LOCK, pc);
  }
  il_hb_acquire(lock);
  il_record(IL_OP_LOCK, lock, 0, pc, 0);
}

IL_EXPORT void __interleave_release(void *lock) {
  if (!lock || !il_controlled()) return;
  uint64_t pc = IL_CALLER;
  struct il_thread *me = il_me;
  struct il_obj *o = il_obj_get(lock, K_SPIN);
  il_point(IL_OP_UNLOCK, lock, -1, pc);
  il_hb_release(lock);
  if (o->owner == me->idx && --o->count > 0) {
    /* still held (recursive) */
  } else if (o->owner >= 0) {
    /* released by its holder, or handed over by another thread */
    il_held_del(&il.threads[o->owner], lock);
    o->owner = -1;
    o->count = 0;
  }
  il_record(IL_OP_UNLOCK, lock, 0, pc, 0);
}

IL_EXPORT int __interleave_active(void) { return il.shm != NULL; }
