/* i_rwlock.c: pthread read/write locks.  The shadow keeps the writer
 * (owner) and the number of read holds (count); each reader also lists
 * the lock among its held objects, so a deadlock report can name it.
 * Readers may enter while a writer waits (glibc's default, PREFER_READER). */
#include "rt.h"
#include <errno.h>

static int rw_acquire(pthread_rwlock_t *rw, int write, int64_t deadline, int try, uint64_t pc) {
  struct il_thread *me = il_me;
  struct il_obj *o = il_obj_get(rw, K_RWLOCK);
  int op = write ? (try ? IL_OP_TRYWRLOCK : IL_OP_WRLOCK) : (try ? IL_OP_TRYRDLOCK : IL_OP_RDLOCK);
  if (o->owner == me->idx) { /* glibc: EDEADLK for the writer itself */
    il_point(op, rw, -1, pc);
    il_record(op, rw, EDEADLK, pc, 0);
    return EDEADLK;
  }
  if (try) {
    il_point(op, rw, -1, pc);
    if (o->owner >= 0 || (write && o->count > 0)) {
      il_record(op, rw, EBUSY, pc, 0);
      il_deprioritize(me);
      return EBUSY;
    }
  } else if (il_point(write ? IL_OP_WRLOCK : IL_OP_RDLOCK, rw, deadline, pc)) {
    il_record(op, rw, ETIMEDOUT, pc, 0);
    return ETIMEDOUT;
  }
  if (write) o->owner = me->idx; else o->count++;
  o->acq_pc = pc;
  il_held_add(me, rw, op, pc);
  IL_ENTER();
  if ((write ? il_real.rw_trywrlock(rw) : il_real.rw_tryrdlock(rw)) == EBUSY)
    write ? il_real.rw_wrlock(rw) : il_real.rw_rdlock(rw);
  IL_LEAVE();
  il_hb_acquire(rw);
  il_record(op, rw, 0, pc, 0);
  return 0;
}

#define RW_WRAP(name, write, try)                                           \
  IL_EXPORT int name(pthread_rwlock_t *rw) {                                \
    static int (*real)(pthread_rwlock_t *);                                 \
    if (!il_controlled()) {                                                 \
      if (!real) real = il_sym(#name, "GLIBC_2.34");                        \
      return real(rw);                                                      \
    }                                                                       \
    return rw_acquire(rw, write, -1, try, IL_CALLER);                       \
  }
RW_WRAP(pthread_rwlock_rdlock, 0, 0)
RW_WRAP(pthread_rwlock_wrlock, 1, 0)
RW_WRAP(pthread_rwlock_tryrdlock, 0, 1)
RW_WRAP(pthread_rwlock_trywrlock, 1, 1)

#define RW_TIMED(name, write)                                                          \
  IL_EXPORT int name(pthread_rwlock_t *rw, const struct timespec *abs) {               \
    static int (*real)(pthread_rwlock_t *, const struct timespec *);                   \
    if (!il_controlled()) {                                                            \
      if (!real) real = il_sym(#name, "GLIBC_2.34");                                   \
      return real(rw, abs);                                                            \
    }                                                                                  \
    if (!il_valid_ts(abs)) return EINVAL;                                                 \
    return rw_acquire(rw, write, il_abs_to_vdeadline(CLOCK_REALTIME, abs), 0, IL_CALLER); \
  }
RW_TIMED(pthread_rwlock_timedrdlock, 0)
RW_TIMED(pthread_rwlock_timedwrlock, 1)

#define RW_CLOCK(name, write)                                                            \
  IL_EXPORT int name(pthread_rwlock_t *rw, clockid_t clk, const struct timespec *abs) {  \
    static int (*real)(pthread_rwlock_t *, clockid_t, const struct timespec *);          \
    if (!il_controlled()) {                                                              \
      if (!real) real = il_sym(#name, "GLIBC_2.34");                                     \
      return real(rw, clk, abs);                                                         \
    }                                                                                    \
    if (!il_valid_ts(abs) || (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)) return EINVAL; \
    return rw_acquire(rw, write, il_abs_to_vdeadline(clk, abs), 0, IL_CALLER);           \
  }
RW_CLOCK(pthread_rwlock_clockrdlock, 0)
RW_CLOCK(pthread_rwlock_clockwrlock, 1)

IL_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *rw) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.rw_unlock(rw);
  }
  uint64_t pc = IL_CALLER;
  struct il_thread *me = il_me;
  struct il_obj *o = il_obj_get(rw, K_RWLOCK);
  il_point(IL_OP_RWUNLOCK, rw, -1, pc);
  il_hb_release(rw);
  if (o->owner == me->idx) o->owner = -1;
  else if (o->count > 0) o->count--;
  il_held_del(me, rw);
  IL_ENTER();
  int r = il_real.rw_unlock(rw);
  IL_LEAVE();
  il_record(IL_OP_RWUNLOCK, rw, r, pc, 0);
  return r;
}

IL_EXPORT int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *a) {
  static int (*real)(pthread_rwlock_t *, const pthread_rwlockattr_t *);
  if (!real) real = il_sym("pthread_rwlock_init", "GLIBC_2.34");
  int r = real(rw, a);
  if (il_controlled()) {
    il_obj_forget(rw);
    il_obj_get(rw, K_RWLOCK)->init_pc = IL_CALLER;
  }
  return r;
}

IL_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *rw) {
  static int (*real)(pthread_rwlock_t *);
  if (!real) real = il_sym("pthread_rwlock_destroy", "GLIBC_2.34");
  if (il_controlled()) {
    struct il_obj *o = il_obj_find(rw);
    if (o && (o->owner >= 0 || o->count > 0)) return EBUSY;
    il_obj_forget(rw);
  }
  return real(rw);
}
