/* i_glib.c: GLib's locks, as the program calls them.
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
 */
#include "rt.h"

/* Before the real call: a point named op on obj, recorded when it returns. */
#define GLIB_WRAP(ret, name, proto, args, op, obj)                  \
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
#define GLIB_WRAP_VOID(name, proto, args, op, obj)                  \
  IL_EXPORT void name proto {                                       \
    static void (*real) proto;                                      \
    if (!real) real = il_sym(#name, NULL);                          \
    if (!il_controlled()) { real args; return; }                    \
    uint64_t pc = IL_CALLER;                                        \
    il_point(op, (void *)(obj), -1, pc);                            \
    real args;                                                      \
    il_record(op, (void *)(obj), 0, pc, 0);                         \
  }

GLIB_WRAP_VOID(g_mutex_lock, (void *m), (m), IL_OP_LOCK, m)
GLIB_WRAP_VOID(g_mutex_unlock, (void *m), (m), IL_OP_UNLOCK, m)
GLIB_WRAP(int, g_mutex_trylock, (void *m), (m), IL_OP_TRYLOCK, m)
GLIB_WRAP_VOID(g_rec_mutex_lock, (void *m), (m), IL_OP_LOCK, m)
GLIB_WRAP_VOID(g_rec_mutex_unlock, (void *m), (m), IL_OP_UNLOCK, m)
GLIB_WRAP(int, g_rec_mutex_trylock, (void *m), (m), IL_OP_TRYLOCK, m)
GLIB_WRAP_VOID(g_rw_lock_writer_lock, (void *l), (l), IL_OP_WRLOCK, l)
GLIB_WRAP_VOID(g_rw_lock_writer_unlock, (void *l), (l), IL_OP_RWUNLOCK, l)
GLIB_WRAP(int, g_rw_lock_writer_trylock, (void *l), (l), IL_OP_TRYWRLOCK, l)
GLIB_WRAP_VOID(g_rw_lock_reader_lock, (void *l), (l), IL_OP_RDLOCK, l)
GLIB_WRAP_VOID(g_rw_lock_reader_unlock, (void *l), (l), IL_OP_RWUNLOCK, l)
GLIB_WRAP(int, g_rw_lock_reader_trylock, (void *l), (l), IL_OP_TRYRDLOCK, l)
GLIB_WRAP_VOID(g_cond_signal, (void *c), (c), IL_OP_COND_SIGNAL, c)
GLIB_WRAP_VOID(g_cond_broadcast, (void *c), (c), IL_OP_COND_BCAST, c)
