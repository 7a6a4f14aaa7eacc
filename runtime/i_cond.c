/* i_cond.c: condition variables (pthread_cond_* with clock attributes, and
 * C11 cnd_*), modelled entirely: the real pthread_cond_wait is never
 * called, so no thread ever blocks in the kernel on one.
 *
 * A wait releases the mutex, parks until signalled (or its deadline fires),
 * then waits to re-acquire the mutex: two scheduling points, so another
 * thread can take the mutex in between, as in real life.  Which waiter a
 * signal wakes is a recorded scheduling choice. */
#include "rt.h"
#include <errno.h>
#include <threads.h>

/* glibc keeps the condattr clock in __wrefs bit 1 (__PTHREAD_COND_CLOCK_MONOTONIC_MASK). */
static clockid_t cond_clock(pthread_cond_t *c) {
  return (c->__data.__wrefs & 2) ? CLOCK_MONOTONIC : CLOCK_REALTIME;
}

static int cond_wait_common(pthread_cond_t *c, pthread_mutex_t *m, int64_t deadline, uint64_t pc) {
  struct il_thread *me = il_me;
  struct il_obj *mo = il_obj_get(m, K_MUTEX);
  il_obj_get(c, K_COND);
  if (mo->owner != me->idx) return EPERM;
  /* Release the mutex, fully (a recursive one too), and wait. */
  int saved = mo->count;
  il_hb_release(m);
  mo->owner = -1;
  mo->count = 0;
  il_held_del(me, m);
  IL_ENTER();
  for (int i = 0; i < saved; i++) il_real.mutex_unlock(m);
  IL_LEAVE();
  me->signaled = 0;
  me->obj2 = m;
  il_record(IL_OP_COND_WAIT, c, 0, pc, 0);
  int timed_out = il_point(IL_OP_COND_WAIT, c, deadline, pc);
  il_point(IL_OP_COND_RELOCK, m, -1, pc);
  mo->owner = me->idx;
  mo->count = saved;
  mo->acq_pc = pc;
  il_held_add(me, m, IL_OP_LOCK, pc);
  IL_ENTER();
  for (int i = 0; i < saved; i++) il_real.mutex_trylock(m);
  IL_LEAVE();
  il_hb_acquire(m);
  il_record(IL_OP_COND_RELOCK, m, timed_out ? ETIMEDOUT : 0, pc, timed_out ? IL_EV_TIMEOUT : 0);
  if (me->cancel_now) il_cancel_act(); /* cancelled in the wait: the mutex is held again */
  return timed_out ? ETIMEDOUT : 0;
}

static int cond_signal_common(pthread_cond_t *c, int all, uint64_t pc) {
  struct il_obj *o = il_obj_get(c, K_COND);
  il_point(all ? IL_OP_COND_BCAST : IL_OP_COND_SIGNAL, c, -1, pc);
  struct il_thread *w[IL_MAX_THREADS];
  int n = 0;
  for (int i = 0; i < il.nthreads; i++) {
    struct il_thread *t = &il.threads[i];
    if (il_waits_on(t, IL_OP_COND_WAIT, c))
      w[n++] = t;
  }
  int woken = -1;
  if (all) {
    for (int i = 0; i < n; i++) w[i]->signaled = 1;
    woken = n;
  } else if (n > 0) {
    struct il_thread *t = w[il_choose_among(w, n)];
    t->signaled = 1;
    woken = t->idx;
  }
  o->last_signal_thread = il_me->idx;
  o->last_signal_pc = pc;
  il_record(all ? IL_OP_COND_BCAST : IL_OP_COND_SIGNAL, c, woken, pc, 0);
  return 0;
}

IL_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) {
  static int (*real)(pthread_cond_t *, pthread_mutex_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("pthread_cond_wait", "GLIBC_2.3.2");
    return real(c, m);
  }
  return cond_wait_common(c, m, -1, IL_CALLER);
}

IL_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abs) {
  static int (*real)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
  if (!il_controlled()) {
    if (!real) real = il_sym("pthread_cond_timedwait", "GLIBC_2.3.2");
    return real(c, m, abs);
  }
  if (!il_valid_ts(abs)) return EINVAL;
  return cond_wait_common(c, m, il_abs_to_vdeadline(cond_clock(c), abs), IL_CALLER);
}

IL_EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *abs) {
  static int (*real)(pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *);
  if (!il_controlled()) {
    if (!real) real = il_sym("pthread_cond_clockwait", "GLIBC_2.34");
    return real(c, m, clk, abs);
  }
  if (!il_valid_ts(abs) || (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)) return EINVAL;
  return cond_wait_common(c, m, il_abs_to_vdeadline(clk, abs), IL_CALLER);
}

IL_EXPORT int pthread_cond_signal(pthread_cond_t *c) {
  static int (*real)(pthread_cond_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("pthread_cond_signal", "GLIBC_2.3.2");
    return real(c);
  }
  return cond_signal_common(c, 0, IL_CALLER);
}

IL_EXPORT int pthread_cond_broadcast(pthread_cond_t *c) {
  static int (*real)(pthread_cond_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("pthread_cond_broadcast", "GLIBC_2.3.2");
    return real(c);
  }
  return cond_signal_common(c, 1, IL_CALLER);
}

IL_EXPORT int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a) {
  static int (*real)(pthread_cond_t *, const pthread_condattr_t *);
  if (!real) real = il_sym("pthread_cond_init", "GLIBC_2.3.2");
  if (il_controlled()) il_obj_forget(c);
  return real(c, a);
}

IL_EXPORT int pthread_cond_destroy(pthread_cond_t *c) {
  static int (*real)(pthread_cond_t *);
  if (!real) real = il_sym("pthread_cond_destroy", "GLIBC_2.3.2");
  if (il_controlled()) il_obj_forget(c);
  return real(c);
}

/* ---- C11 ---- */
IL_EXPORT int cnd_wait(cnd_t *c, mtx_t *m) {
  static int (*real)(cnd_t *, mtx_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("cnd_wait", NULL);
    return real(c, m);
  }
  return cond_wait_common((pthread_cond_t *)c, (pthread_mutex_t *)m, -1, IL_CALLER) ? thrd_error : thrd_success;
}

IL_EXPORT int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m, const struct timespec *restrict ts) {
  static int (*real)(cnd_t *, mtx_t *, const struct timespec *);
  if (!il_controlled()) {
    if (!real) real = il_sym("cnd_timedwait", NULL);
    return real(c, m, ts);
  }
  if (!il_valid_ts(ts)) return thrd_error;
  int r = cond_wait_common((pthread_cond_t *)c, (pthread_mutex_t *)m, il_abs_to_vdeadline(CLOCK_REALTIME, ts), IL_CALLER);
  return r == 0 ? thrd_success : r == ETIMEDOUT ? thrd_timedout : thrd_error;
}

IL_EXPORT int cnd_signal(cnd_t *c) {
  static int (*real)(cnd_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("cnd_signal", NULL);
    return real(c);
  }
  return cond_signal_common((pthread_cond_t *)c, 0, IL_CALLER);
}

IL_EXPORT int cnd_broadcast(cnd_t *c) {
  static int (*real)(cnd_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("cnd_broadcast", NULL);
    return real(c);
  }
  return cond_signal_common((pthread_cond_t *)c, 1, IL_CALLER);
}

IL_EXPORT int cnd_init(cnd_t *c) {
  static int (*real)(cnd_t *);
  if (!real) real = il_sym("cnd_init", NULL);
  if (il_controlled()) il_obj_forget(c);
  return real(c);
}
