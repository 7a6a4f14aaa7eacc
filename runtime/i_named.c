/* i_named.c: the locks of GLib and OpenMP, as the program calls them.
 *
 * GMutex, GRecMutex, GRWLock and GCond block through the futex model
 * (i_futex.c), but their uncontended paths never reach the kernel: a
 * compare-and-swap takes the lock, an exchange releases it.  Without a
 * scheduling point there, no schedule could put another thread between two
 * critical sections (a lost update between two GMutex sections would never
 * be seen).  So each call the program makes is a scheduling point before
 * the real function runs, named in the timeline like a pthread lock.
 *
 * Only the scheduling point is added: who holds a GLib lock is known to the
 * futex model, not to the lock shadows, so lock-order and lock-hold reports
 * do not cover GLib locks yet, and a GLib deadlock is reported as a stall.
 * Calls GLib makes internally (GAsyncQueue's own mutex) do not come through
 * here; they are still controlled by the futex model.
 *
 * OpenMP the same way: the compiler turns `#pragma omp critical` and
 * `atomic` (the locked kind) into calls of libgomp's GOMP_* entry
 * points, and omp_*_lock are the lock API; libgomp's own waits reach the
 * futex model through the seccomp trap (seccomp.c).  Barriers, task
 * creation, taskwait, taskgroups and `single` are points too (before the
 * call), so a task's work can be interleaved with its creator's, and a
 * barrier's arrival order is the strategy's.
 *
 * GLib's one-time initialization (g_once_init_enter/leave, g_once_impl)
 * is a point named `once`; g_thread_new/join/yield are pthread_create,
 * pthread_join and sched_yield underneath, already points.
 */
#include "rt.h"

/* Names for libgomp's unnamed critical section and atomic lock in the
 * timeline (their real objects are libgomp's own). */
static char omp_critical, omp_atomic;

/* Before the real call: a point named op on obj, recorded when it returns. */
#define NAMED_WRAP(ret, name, proto, args, op, obj)                  \
  IL_EXPORT ret name proto {                                        \
    static ret (*real) proto;                                       \
    if (!real) real = il_sym(#name, NULL);                          \
    if (!il_controlled()) return real args;                         \
    uint64_t pc = IL_CALLER;                                        \
    il_point(op, (void *)(obj), -1, pc);                            \
    ret r = real args;                                              \
    il_record(op, (void *)(obj), 0, pc, 0);                         \
    return r;                                                       \
  }
#define NAMED_WRAP_VOID(name, proto, args, op, obj)                  \
  IL_EXPORT void name proto {                                       \
    static void (*real) proto;                                      \
    if (!real) real = il_sym(#name, NULL);                          \
    if (!il_controlled()) { real args; return; }                    \
    uint64_t pc = IL_CALLER;                                        \
    il_point(op, (void *)(obj), -1, pc);                            \
    real args;                                                      \
    il_record(op, (void *)(obj), 0, pc, 0);                         \
  }

/* ---- GMutex and GRecMutex: lock shadows, like pthread mutexes ----
 * The shadow (kind K_SPIN: nothing is read from GLib's object) knows the
 * owner, so a thread that wants a held GMutex waits in the scheduler, a
 * wait-for cycle is a deadlock with its holders, and the lock is among the
 * thread's held locks for lock-order and lock-hold reports.  Ownership is
 * taken after the real lock returns and given up before the real unlock;
 * g_cond_wait gives it up for the wait (GLib unlocks and relocks inside,
 * where no wrapper sees it). */
static struct il_obj *gshadow(void *m, int recursive) {
  struct il_obj *o = il_obj_get(m, K_SPIN);
  o->type = recursive ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_NORMAL;
  return o;
}
static void gtake(struct il_obj *o, void *m, uint64_t pc) {
  struct il_thread *me = il_me;
  if (o->owner == me->idx) { o->count++; return; }
  o->owner = me->idx;
  o->count = 1;
  o->acq_pc = pc;
  il_held_add(me, m, IL_OP_LOCK, pc);
  il_hb_acquire(m);
}
static void gdrop(struct il_obj *o, void *m, int all) {
  struct il_thread *me = il_me;
  if (o->owner != me->idx) return;
  if (!all && --o->count > 0) return;
  il_hb_release(m);
  o->owner = -1;
  o->count = 0;
  il_held_del(me, m);
}

/* A lock function `name` whose lock is `obj`: the point, the real call,
 * then the shadow taken (or, for unlock, given up before the call). */
#define SHADOW_LOCK(name, proto, args, obj, rec)                              \
  IL_EXPORT void name proto {                                                 \
    static void (*real) proto;                                                \
    if (!real) real = il_sym(#name, NULL);                                    \
    if (!il_controlled()) { real args; return; }                              \
    uint64_t pc = IL_CALLER;                                                  \
    void *m = (void *)(obj);                                                  \
    struct il_obj *o = gshadow(m, rec);                                       \
    il_point(IL_OP_LOCK, m, -1, pc);                                          \
    real args;                                                                \
    gtake(o, m, pc);                                                          \
    il_record(IL_OP_LOCK, m, 0, pc, 0);                                       \
  }
#define SHADOW_TRY(name, proto, args, obj, rec)                               \
  IL_EXPORT int name proto {                                                  \
    static int (*real) proto;                                                 \
    if (!real) real = il_sym(#name, NULL);                                    \
    if (!il_controlled()) return real args;                                   \
    uint64_t pc = IL_CALLER;                                                  \
    void *m = (void *)(obj);                                                  \
    struct il_obj *o = gshadow(m, rec);                                       \
    il_point(IL_OP_TRYLOCK, m, -1, pc);                                       \
    int busy = o->owner >= 0 && !(rec && o->owner == il_me->idx);             \
    int r = busy ? 0 : real args;                                             \
    if (r) gtake(o, m, pc);                                                   \
    else il_deprioritize(il_me);                                              \
    il_record(IL_OP_TRYLOCK, m, r ? 0 : EBUSY, pc, 0);               \
    return r;                                                                 \
  }
#define SHADOW_UNLOCK(name, proto, args, obj, rec)                            \
  IL_EXPORT void name proto {                                                 \
    static void (*real) proto;                                                \
    if (!real) real = il_sym(#name, NULL);                                    \
    if (!il_controlled()) { real args; return; }                              \
    uint64_t pc = IL_CALLER;                                                  \
    void *m = (void *)(obj);                                                  \
    struct il_obj *o = gshadow(m, rec);                                       \
    il_point(IL_OP_UNLOCK, m, -1, pc);                                        \
    gdrop(o, m, 0);                                                           \
    real args;                                                                \
    il_record(IL_OP_UNLOCK, m, 0, pc, 0);                                     \
  }
SHADOW_LOCK(g_mutex_lock, (void *l), (l), l, 0)
SHADOW_TRY(g_mutex_trylock, (void *l), (l), l, 0)
SHADOW_UNLOCK(g_mutex_unlock, (void *l), (l), l, 0)
SHADOW_LOCK(g_rec_mutex_lock, (void *l), (l), l, 1)
SHADOW_TRY(g_rec_mutex_trylock, (void *l), (l), l, 1)
SHADOW_UNLOCK(g_rec_mutex_unlock, (void *l), (l), l, 1)

IL_EXPORT void g_cond_wait(void *c, void *m) {
  static void (*real)(void *, void *);
  if (!real) real = il_sym("g_cond_wait", NULL);
  if (!il_controlled()) { real(c, m); return; }
  uint64_t pc = IL_CALLER;
  struct il_obj *o = gshadow(m, 0);
  gdrop(o, m, 1);
  il_record(IL_OP_COND_WAIT, c, 0, pc, 0);
  real(c, m); /* its waits are the futex model's */
  if (o->owner != il_me->idx) gtake(o, m, pc);
  il_record(IL_OP_COND_RELOCK, m, 0, pc, 0);
}

IL_EXPORT int g_cond_wait_until(void *c, void *m, int64_t end_time) {
  static int (*real)(void *, void *, int64_t);
  if (!real) real = il_sym("g_cond_wait_until", NULL);
  if (!il_controlled()) return real(c, m, end_time);
  uint64_t pc = IL_CALLER;
  struct il_obj *o = gshadow(m, 0);
  gdrop(o, m, 1);
  il_record(IL_OP_COND_WAIT, c, 0, pc, 0);
  int r = real(c, m, end_time);
  if (o->owner != il_me->idx) gtake(o, m, pc);
  il_record(IL_OP_COND_RELOCK, m, r ? 0 : ETIMEDOUT, pc, r ? 0 : IL_EV_TIMEOUT);
  return r;
}
NAMED_WRAP_VOID(g_rw_lock_writer_lock, (void *l), (l), IL_OP_WRLOCK, l)
NAMED_WRAP_VOID(g_rw_lock_writer_unlock, (void *l), (l), IL_OP_RWUNLOCK, l)
NAMED_WRAP(int, g_rw_lock_writer_trylock, (void *l), (l), IL_OP_TRYWRLOCK, l)
NAMED_WRAP_VOID(g_rw_lock_reader_lock, (void *l), (l), IL_OP_RDLOCK, l)
NAMED_WRAP_VOID(g_rw_lock_reader_unlock, (void *l), (l), IL_OP_RWUNLOCK, l)
NAMED_WRAP(int, g_rw_lock_reader_trylock, (void *l), (l), IL_OP_TRYRDLOCK, l)
NAMED_WRAP_VOID(g_cond_signal, (void *c), (c), IL_OP_COND_SIGNAL, c)
NAMED_WRAP_VOID(g_cond_broadcast, (void *c), (c), IL_OP_COND_BCAST, c)

/* OpenMP: the unnamed critical section and the atomic lock are one lock
 * each, a named critical section's lock is its name's slot; all are lock
 * shadows (no condition waits inside them).  omp_test_nest_lock returns
 * the nesting count, omp_test_lock true/false: both "nonzero: taken". */
SHADOW_LOCK(GOMP_critical_start, (void), (), &omp_critical, 0)
SHADOW_UNLOCK(GOMP_critical_end, (void), (), &omp_critical, 0)
SHADOW_LOCK(GOMP_critical_name_start, (void **p), (p), p, 0)
SHADOW_UNLOCK(GOMP_critical_name_end, (void **p), (p), p, 0)
SHADOW_LOCK(GOMP_atomic_start, (void), (), &omp_atomic, 0)
SHADOW_UNLOCK(GOMP_atomic_end, (void), (), &omp_atomic, 0)
SHADOW_LOCK(omp_set_lock, (void *l), (l), l, 0)
SHADOW_UNLOCK(omp_unset_lock, (void *l), (l), l, 0)
SHADOW_TRY(omp_test_lock, (void *l), (l), l, 0)
SHADOW_LOCK(omp_set_nest_lock, (void *l), (l), l, 1)
SHADOW_UNLOCK(omp_unset_nest_lock, (void *l), (l), l, 1)
SHADOW_TRY(omp_test_nest_lock, (void *l), (l), l, 1)

/* ---- OpenMP's structure: points before the call ---- */
static char omp_barrier, omp_taskwait, omp_single;
NAMED_WRAP_VOID(GOMP_barrier, (void), (), IL_OP_OMP_BARRIER, &omp_barrier)
NAMED_WRAP(_Bool, GOMP_barrier_cancel, (void), (), IL_OP_OMP_BARRIER, &omp_barrier)
NAMED_WRAP_VOID(GOMP_taskwait, (void), (), IL_OP_OMP_TASKWAIT, &omp_taskwait)
NAMED_WRAP_VOID(GOMP_taskgroup_start, (void), (), IL_OP_OMP_TASKWAIT, &omp_taskwait)
NAMED_WRAP_VOID(GOMP_taskgroup_end, (void), (), IL_OP_OMP_TASKWAIT, &omp_taskwait)
NAMED_WRAP(_Bool, GOMP_single_start, (void), (), IL_OP_ONCE, &omp_single)
/* GCC 12's GOMP_task (GOMP_2.0; later versions appended arguments: all
 * ten are passed on whatever the caller gave). */
NAMED_WRAP_VOID(GOMP_task,
                (void (*fn)(void *), void *data, void (*cpy)(void *, void *), long size, long align, _Bool ifc,
                 unsigned flags, void **depend, int prio, void *detach),
                (fn, data, cpy, size, align, ifc, flags, depend, prio, detach), IL_OP_OMP_TASK, fn)

/* ---- GLib's one-time initialization ---- */
NAMED_WRAP(int, g_once_init_enter, (volatile void *loc), (loc), IL_OP_ONCE, loc)
NAMED_WRAP_VOID(g_once_init_leave, (volatile void *loc, unsigned long v), (loc, v), IL_OP_ONCE, loc)
NAMED_WRAP(void *, g_once_impl, (void *once, void *(*fn)(void *), void *arg), (once, fn, arg), IL_OP_ONCE, once)
