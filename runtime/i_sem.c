/* i_sem.c: POSIX semaphores and barriers.  The shadow holds the semaphore
 * value (read from the real one at first sight); posts and successful
 * waits are mirrored into the real semaphore so its memory stays true. */
#include "rt.h"
#include <errno.h>

static int sem_wait_common(sem_t *s, int64_t deadline, int try, uint64_t pc) {
  struct il_obj *o = il_obj_get(s, K_SEM);
  if (try) {
    il_point(IL_OP_SEM_TRYWAIT, s, -1, pc);
    if (o->count <= 0) {
      il_record(IL_OP_SEM_TRYWAIT, s, EAGAIN, pc, 0);
      il_deprioritize(il_me);
      errno = EAGAIN;
      return -1;
    }
  } else if (il_point(IL_OP_SEM_WAIT, s, deadline, pc)) {
    il_record(IL_OP_SEM_WAIT, s, ETIMEDOUT, pc, 0);
    errno = ETIMEDOUT;
    return -1;
  }
  o->count--;
  IL_ENTER();
  il_real.sem_trywait(s);
  IL_LEAVE();
  il_hb_acquire(s);
  il_record(try ? IL_OP_SEM_TRYWAIT : IL_OP_SEM_WAIT, s, 0, pc, 0);
  return 0;
}

IL_EXPORT int sem_wait(sem_t *s) {
  static int (*real)(sem_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("sem_wait", "GLIBC_2.34");
    return real(s);
  }
  return sem_wait_common(s, -1, 0, IL_CALLER);
}

IL_EXPORT int sem_trywait(sem_t *s) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.sem_trywait(s);
  }
  return sem_wait_common(s, -1, 1, IL_CALLER);
}

IL_EXPORT int sem_timedwait(sem_t *s, const struct timespec *abs) {
  static int (*real)(sem_t *, const struct timespec *);
  if (!il_controlled()) {
    if (!real) real = il_sym("sem_timedwait", "GLIBC_2.34");
    return real(s, abs);
  }
  if (!il_valid_ts(abs)) { errno = EINVAL; return -1; }
  return sem_wait_common(s, il_abs_to_vdeadline(CLOCK_REALTIME, abs), 0, IL_CALLER);
}

IL_EXPORT int sem_clockwait(sem_t *s, clockid_t clk, const struct timespec *abs) {
  static int (*real)(sem_t *, clockid_t, const struct timespec *);
  if (!il_controlled()) {
    if (!real) real = il_sym("sem_clockwait", "GLIBC_2.34");
    return real(s, clk, abs);
  }
  if (!il_valid_ts(abs) || (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)) { errno = EINVAL; return -1; }
  return sem_wait_common(s, il_abs_to_vdeadline(clk, abs), 0, IL_CALLER);
}

IL_EXPORT int sem_post(sem_t *s) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.sem_post(s);
  }
  uint64_t pc = IL_CALLER;
  struct il_obj *o = il_obj_get(s, K_SEM);
  il_point(IL_OP_SEM_POST, s, -1, pc);
  il_hb_release(s);
  o->count++;
  IL_ENTER();
  int r = il_real.sem_post(s);
  IL_LEAVE();
  il_record(IL_OP_SEM_POST, s, o->count, pc, 0);
  return r;
}

IL_EXPORT int sem_getvalue(sem_t *restrict s, int *restrict v) {
  if (il_controlled()) {
    struct il_obj *o = il_obj_find(s);
    if (o) { *v = o->count; return 0; }
  }
  il_resolve();
  return il_real.sem_getvalue(s, v);
}

IL_EXPORT int sem_init(sem_t *s, int pshared, unsigned value) {
  static int (*real)(sem_t *, int, unsigned);
  if (!real) real = il_sym("sem_init", "GLIBC_2.34");
  if (il_controlled()) il_obj_forget(s);
  return real(s, pshared, value);
}

IL_EXPORT int sem_destroy(sem_t *s) {
  static int (*real)(sem_t *);
  if (!real) real = il_sym("sem_destroy", "GLIBC_2.34");
  if (il_controlled()) il_obj_forget(s);
  return real(s);
}

/* ---- barriers: modelled entirely; the real wait is never called ---- */

IL_EXPORT int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned count) {
  static int (*real)(pthread_barrier_t *, const pthread_barrierattr_t *, unsigned);
  if (!real) real = il_sym("pthread_barrier_init", "GLIBC_2.34");
  int r = real(b, a, count);
  if (r == 0 && il_controlled()) {
    il_obj_forget(b);
    il_obj_get(b, K_BARRIER)->needed = (int)count;
  }
  return r;
}

IL_EXPORT int pthread_barrier_wait(pthread_barrier_t *b) {
  static int (*real)(pthread_barrier_t *);
  if (!il_controlled()) {
    if (!real) real = il_sym("pthread_barrier_wait", "GLIBC_2.34");
    return real(b);
  }
  uint64_t pc = IL_CALLER;
  struct il_obj *o = il_obj_get(b, K_BARRIER);
  il_point(IL_OP_YIELD, NULL, -1, pc);
  il_hb_release(b);
  if (++o->count >= o->needed) {
    /* Last to arrive: everyone of this round may go; it is the serial one. */
    o->count = 0;
    o->gen++;
    il_hb_acquire(b);
    il_record(IL_OP_BARRIER, b, PTHREAD_BARRIER_SERIAL_THREAD, pc, 0);
    return PTHREAD_BARRIER_SERIAL_THREAD;
  }
  il_me->barrier_gen = o->gen;
  il_point(IL_OP_BARRIER, b, -1, pc);
  il_hb_acquire(b);
  il_record(IL_OP_BARRIER, b, 0, pc, 0);
  return 0;
}

IL_EXPORT int pthread_barrier_destroy(pthread_barrier_t *b) {
  static int (*real)(pthread_barrier_t *);
  if (!real) real = il_sym("pthread_barrier_destroy", "GLIBC_2.34");
  if (il_controlled()) il_obj_forget(b);
  return real(b);
}
