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
 * futex model through the seccomp trap (seccomp.c).
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

NAMED_WRAP_VOID(g_mutex_lock, (void *m), (m), IL_OP_LOCK, m)
NAMED_WRAP_VOID(g_mutex_unlock, (void *m), (m), IL_OP_UNLOCK, m)
NAMED_WRAP(int, g_mutex_trylock, (void *m), (m), IL_OP_TRYLOCK, m)
NAMED_WRAP_VOID(g_rec_mutex_lock, (void *m), (m), IL_OP_LOCK, m)
NAMED_WRAP_VOID(g_rec_mutex_unlock, (void *m), (m), IL_OP_UNLOCK, m)
NAMED_WRAP(int, g_rec_mutex_trylock, (void *m), (m), IL_OP_TRYLOCK, m)
NAMED_WRAP_VOID(g_rw_lock_writer_lock, (void *l), (l), IL_OP_WRLOCK, l)
NAMED_WRAP_VOID(g_rw_lock_writer_unlock, (void *l), (l), IL_OP_RWUNLOCK, l)
NAMED_WRAP(int, g_rw_lock_writer_trylock, (void *l), (l), IL_OP_TRYWRLOCK, l)
NAMED_WRAP_VOID(g_rw_lock_reader_lock, (void *l), (l), IL_OP_RDLOCK, l)
NAMED_WRAP_VOID(g_rw_lock_reader_unlock, (void *l), (l), IL_OP_RWUNLOCK, l)
NAMED_WRAP(int, g_rw_lock_reader_trylock, (void *l), (l), IL_OP_TRYRDLOCK, l)
NAMED_WRAP_VOID(g_cond_signal, (void *c), (c), IL_OP_COND_SIGNAL, c)
NAMED_WRAP_VOID(g_cond_broadcast, (void *c), (c), IL_OP_COND_BCAST, c)

NAMED_WRAP_VOID(GOMP_critical_start, (void), (), IL_OP_LOCK, &omp_critical)
NAMED_WRAP_VOID(GOMP_critical_end, (void), (), IL_OP_UNLOCK, &omp_critical)
NAMED_WRAP_VOID(GOMP_critical_name_start, (void **p), (p), IL_OP_LOCK, p)
NAMED_WRAP_VOID(GOMP_critical_name_end, (void **p), (p), IL_OP_UNLOCK, p)
NAMED_WRAP_VOID(GOMP_atomic_start, (void), (), IL_OP_LOCK, &omp_atomic)
NAMED_WRAP_VOID(GOMP_atomic_end, (void), (), IL_OP_UNLOCK, &omp_atomic)
NAMED_WRAP_VOID(omp_set_lock, (void *l), (l), IL_OP_LOCK, l)
NAMED_WRAP_VOID(omp_unset_lock, (void *l), (l), IL_OP_UNLOCK, l)
NAMED_WRAP(int, omp_test_lock, (void *l), (l), IL_OP_TRYLOCK, l)
NAMED_WRAP_VOID(omp_set_nest_lock, (void *l), (l), IL_OP_LOCK, l)
NAMED_WRAP_VOID(omp_unset_nest_lock, (void *l), (l), IL_OP_UNLOCK, l)
NAMED_WRAP(int, omp_test_nest_lock, (void *l), (l), IL_OP_TRYLOCK, l)
