/* i_mutex.c: pthread mutexes (normal, recursive, errorcheck; lock, trylock,
 * timedlock, clocklock), spin locks, and C11 mtx_*.
 *
 * The shadow object (objects.c) decides who owns a mutex; a thread waiting
 * for a held one is simply never chosen.  The real operation is still done,
 * as a trylock that cannot fail, so the mutex's memory stays what glibc
 * expects (destroy, uncontrolled callers, a debugger all see the truth).
 */
#include "rt.h"
#include <errno.h>
#include <threads.h>

static void real_acquire(pthread_mutex_t *m) {
  IL_ENTER();
  if (il_real.mutex_trylock(m) == EBUSY) {
    /* Locked by someone we do not control (before main, or a foreign
     * thread): wait for real; the watchdog reports it if it never ends. */
    il_real.mutex_lock(m);
  }
  IL_LEAVE();
}

/* deadline -1: none; try: return EBUSY instead of waiting. */
static int mutex_acquire(pthread_mutex_t *m, int64_t deadline, int try, uint64_t pc) {
  struct il_thread *me = il_me;
  struct il_obj *o = il_obj_get(m, K_MUTEX);
  if (o->owner == me->idx && o->type == PTHREAD_MUTEX_ERRORCHECK) {
    il_point(IL_OP_TRYLOCK, m, -1, pc);
    il_record(IL_OP_LOCK, m, EDEADLK, pc, 0);
    return EDEADLK;
  }
  if (try) {
    il_point(IL_OP_TRYLOCK, m, -1, pc);
    if (o->owner >= 0 && !(o->owner == me->idx && o->type == PTHREAD_MUTEX_RECURSIVE)) {
      il_record(IL_OP_TRYLOCK, m, EBUSY, pc, 0);
      il_deprioritize(me); /* a trylock loop must not starve the owner */
      return EBUSY;
    }
  } else if (il_point(IL_OP_LOCK, m, deadline, pc)) {
    il_record(IL_OP_LOCK, m, ETIMEDOUT, pc, 0);
    return ETIMEDOUT;
  }
  if (o->owner == me->idx) {
    o->count++;
  } else {
    o->owner = me->idx;
    o->count = 1;
    o->acq_pc = pc;
    il_held_add(me, m, try ? IL_OP_TRYLOCK : IL_OP_LOCK, pc);
  }
  real_acquire(m);
  il_hb_acquire(m);
  il_record(try ? IL_OP_TRYLOCK : IL_OP_LOCK, m, 0, pc, 0);
  return 0;
}

static int mutex_release(pthread_mutex_t *m, uint64_t pc) {
  struct il_thread *me = il_me;
  struct il_obj *o = il_obj_get(m, K_MUTEX);
  if (o->owner != me->idx) {
    if (o->type != PTHREAD_MUTEX_NORMAL) return EPERM;
    /* Unlocking a normal mutex one does not hold: undefined behaviour
     * that glibc tolerates; we do the same, visibly. */
  }
  il_point(IL_OP_UNLOCK, m, -1, pc);
  il_hb_release(m);
  if (o->owner == me->idx && --o->count > 0) {
    /* recursive: still held */
  } else {
    if (o->owner >= 0) il_held_del(&il.threads[o->owner], m);
    o->owner = -1;
    o->count = 0;
  }
  IL_ENTER();
  int r = il_real.mutex_unlock(m);
  IL_LEAVE();
  il_record(IL_OP_UNLOCK, m, r, pc, 0);
  return r;
}

IL_EXPORT int pthread_mutex_lock(pthread_mutex_t *m) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.mutex_lock(m);
  }
  return mutex_acquire(m, -1, 0, IL_CALLER);
}

IL_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.mutex_trylock(m);
  }
  return mutex_acquire(m, -1, 1, IL_CALLER);
}

IL_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abs) {
  static int (*real)(pthread_mutex_t *, const struct timespec *);
  if (!il_controlled()) {
    if (!real) real = il_sym("pthread_mutex_timedlock", "GLIBC_2.34");
    return real(m, abs);
  }
  if (!il_valid_ts(abs)) return EINVAL;
  return mutex_acquire(m, il_abs_to_vdeadline(CLOCK_REALTIME, abs), 0, IL_CALLER);
}

IL_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clk, const struct timespec *abs) {
  static int (*real)(pthread_mutex_t *, clockid_t, const struct timespec *);
  if (!il_controlled()) {
    if (!real) real = il_sym("pthread_mutex_clocklock", "GLIBC_2.34");
    return real(m, clk, abs);
  }
  if (!il_valid_ts(abs) || (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)) return EINVAL;
  return mutex_acquire(m, il_abs_to_vdeadline(clk, abs), 0, IL_CALLER);
}

IL_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.mutex_unlock(m);
  }
  return mutex_release(m, IL_CALLER);
}

IL_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a) {
  static int (*real)(pthread_mutex_t *, const pthread_mutexattr_t *);
  if (!real) real = il_sym("pthread_mutex_init", NULL);
  int r = real(m, a);
  if (il_controlled()) {
    il_obj_forget(m);
    il_obj_get(m, K_MUTEX)->init_pc = IL_CALLER;
  }
  return r;
}

IL_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m) {
  static int (*real)(pthread_mutex_t *);
  if (!real) real = il_sym("pthread_mutex_destroy", NULL);
  if (il_controlled()) {
    struct il_obj *o = il_obj_find(m);
    if (o && o->owner >= 0) return EBUSY;
    il_obj_forget(m);
  }
  return real(m);
}

/* ---- spin locks: a mutex that cannot be recursive or timed ---- */

IL_EXPORT int pthread_spin_lock(pthread_spinlock_t *s) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.spin_lock(s);
  }
  uint64_t pc = IL_CALLER;
  struct il_obj *o = il_obj_get((void *)s, K_SPIN);
  il_point(IL_OP_SPIN_LOCK, (void *)s, -1, pc);
  o->owner = il_me->idx;
  il_held_add(il_me, (void *)s, IL_OP_SPIN_TRY, pc);
  IL_ENTER();
  il_real.spin_trylock(s);
  IL_LEAVE();
  il_hb_acquire((void *)s);
  il_record(IL_OP_SPIN_LOCK, (void *)s, 0, pc, 0);
  return 0;
}

IL_EXPORT int pthread_spin_trylock(pthread_spinlock_t *s) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.spin_trylock(s);
  }
  uint64_t pc = IL_CALLER;
  struct il_obj *o = il_obj_get((void *)s, K_SPIN);
  il_point(IL_OP_SPIN_TRY, (void *)s, -1, pc);
  if (o->owner >= 0) {
    il_record(IL_OP_SPIN_TRY, (void *)s, EBUSY, pc, 0);
    il_deprioritize(il_me);
    return EBUSY;
  }
  o->owner = il_me->idx;
  il_held_add(il_me, (void *)s, IL_OP_SPIN_TRY, pc);
  IL_ENTER();
  il_real.spin_trylock(s);
  IL_LEAVE();
  il_hb_acquire((void *)s);
  il_record(IL_OP_SPIN_TRY, (void *)s, 0, pc, 0);
  return 0;
}

IL_EXPORT int pthread_spin_unlock(pthread_spinlock_t *s) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.spin_unlock(s);
  }
  uint64_t pc = IL_CALLER;
  struct il_obj *o = il_obj_get((void *)s, K_SPIN);
  il_point(IL_OP_SPIN_UNLOCK, (void *)s, -1, pc);
  il_hb_release((void *)s);
  if (o->owner >= 0) il_held_del(&il.threads[o->owner], (void *)s);
  o->owner = -1;
  IL_ENTER();
  il_real.spin_unlock(s);
  IL_LEAVE();
  il_record(IL_OP_SPIN_UNLOCK, (void *)s, 0, pc, 0);
  return 0;
}

IL_EXPORT int pthread_spin_init(pthread_spinlock_t *s, int pshared) {
  static int (*real)(pthread_spinlock_t *, int);
  if (!real) real = il_sym("pthread_spin_init", "GLIBC_2.34");
  if (il_controlled()) il_obj_forget((void *)s);
  return real(s, pshared);
}

/* ---- C11 mutexes: glibc's mtx_t is a pthread_mutex_t ---- */

static int c11_ret(int r) {
  return r == 0 ? thrd_success : r == EBUSY ? thrd_busy : r == ETIMEDOUT ? thrd_timedout : thrd_error;
}

IL_EXPORT int mtx_init(mtx_t *m, int type) {
  static int (*real)(mtx_t *, int);
  if (!real) real = il_sym("mtx_init", NULL);
  int r = real(m, type);
  if (il_controlled()) {
    il_obj_forget(m);
    il_obj_get(m, K_MUTEX)->init_pc = IL_CALLER;
  }
  return r;
}

IL_EXPORT int mtx_lock(mtx_t *m) {
  static int (*real)(mtx_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("mtx_lock", NULL);
    return real(m);
  }
  return c11_ret(mutex_acquire((pthread_mutex_t *)m, -1, 0, IL_CALLER));
}

IL_EXPORT int mtx_trylock(mtx_t *m) {
  static int (*real)(mtx_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("mtx_trylock", NULL);
    return real(m);
  }
  return c11_ret(mutex_acquire((pthread_mutex_t *)m, -1, 1, IL_CALLER));
}

IL_EXPORT int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict ts) {
  static int (*real)(mtx_t *, const struct timespec *);
  if (!il_controlled()) {
    if (!real) real = il_sym("mtx_timedlock", NULL);
    return real(m, ts);
  }
  if (!il_valid_ts(ts)) return thrd_error;
  return c11_ret(mutex_acquire((pthread_mutex_t *)m, il_abs_to_vdeadline(CLOCK_REALTIME, ts), 0, IL_CALLER));
}

IL_EXPORT int mtx_unlock(mtx_t *m) {
  static int (*real)(mtx_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("mtx_unlock", NULL);
    return real(m);
  }
  return c11_ret(mutex_release((pthread_mutex_t *)m, IL_CALLER));
}

IL_EXPORT void mtx_destroy(mtx_t *m) {
  static void (*real)(mtx_t *);
  if (!real) real = il_sym("mtx_destroy", NULL);
  if (il_controlled()) il_obj_forget(m);
  real(m);
}
