/* i_thread.c: thread life cycle: pthread_create/join/detach/exit, yield,
 * pthread_once, and the C11 thrd_* and call_once entry points (glibc binds
 * those to its internal pthread functions, so they need wrappers of their
 * own).  Compiled with -fexceptions: pthread_exit() unwinds through the
 * trampoline, whose cleanup marks the thread's exit point after the
 * program's own cleanup handlers ran under control.
 */
#include "rt.h"
#include <errno.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <threads.h>
#include <unistd.h>

/* ---- thread-local destructors, under control ----
 * glibc runs them after the start routine returns (C++ thread_local
 * first, then pthread_key_create destructors, up to
 * PTHREAD_DESTRUCTOR_ITERATIONS rounds), which is after our exit point.
 * They lock, signal and join like any code, so we run them ourselves,
 * in glibc's order, before the exit point; glibc's own pass then finds
 * nothing left.  The key table is filled by every pthread_key_create,
 * controlled or not (jemalloc's and the program's keys are made before
 * main); writes are atomic stores, since foreign threads may make keys. */
#define KEYS_MAX 1024 /* glibc's PTHREAD_KEYS_MAX */
static void (*_Atomic key_dtor[KEYS_MAX])(void *);
static _Atomic unsigned key_top; /* 1 + the highest key with a destructor */

IL_EXPORT int pthread_key_create(pthread_key_t *key, void (*dtor)(void *)) {
  static int (*real)(pthread_key_t *, void (*)(void *));
  if (!real) real = il_sym("pthread_key_create", "GLIBC_2.34");
  int r = real(key, dtor);
  if (r == 0 && *key < KEYS_MAX) {
    atomic_store(&key_dtor[*key], dtor);
    unsigned top = atomic_load(&key_top);
    while (dtor && *key + 1 > top && !atomic_compare_exchange_weak(&key_top, &top, *key + 1)) {}
  }
  return r;
}

IL_EXPORT int pthread_key_delete(pthread_key_t key) {
  static int (*real)(pthread_key_t);
  if (!real) real = il_sym("pthread_key_delete", "GLIBC_2.34");
  if (key < KEYS_MAX) atomic_store(&key_dtor[key], NULL);
  return real(key);
}

IL_EXPORT int tss_create(tss_t *key, tss_dtor_t dtor) {
  pthread_key_t k;
  if (pthread_key_create(&k, dtor)) return thrd_error;
  *key = (tss_t)k;
  return thrd_success;
}

static void run_tls_dtors(void) {
  static void (*call_tls_dtors)(void);
  if (!call_tls_dtors) call_tls_dtors = il_libc_sym("__call_tls_dtors", NULL);
  if (call_tls_dtors) call_tls_dtors();
  unsigned top = atomic_load(&key_top);
  for (int round = 0; round < 4; round++) { /* PTHREAD_DESTRUCTOR_ITERATIONS */
    int any = 0;
    for (unsigned k = 0; k < top; k++) {
      void (*d)(void *) = atomic_load(&key_dtor[k]);
      void *v = d ? pthread_getspecific(k) : NULL;
      if (!v) continue;
      pthread_setspecific(k, NULL);
      d(v);
      any = 1;
    }
    if (!any) break;
  }
}

static void on_trampoline_exit(struct il_thread **tp) {
  struct il_thread *t = *tp;
  if (il_me == t && !t->exiting) {
    run_tls_dtors();
    il_thread_exit(t->retval, 0);
  }
}

static void *trampoline(void *p) {
  struct il_thread *t = p;
  t->os_tid = (int32_t)il_sys(SYS_gettid, 0, 0, 0, 0, 0, 0);
  il.shm->threads[t->idx].os_tid = t->os_tid;
  il_signal_read_mask(t); /* inherited from its creator */
  il_park_until_chosen(t);
  il_record(IL_OP_START, NULL, 0, 0, 0);
  {
    struct il_thread *guard __attribute__((cleanup(on_trampoline_exit))) = t;
    if (t->c11)
      t->retval = (void *)(intptr_t)((int (*)(void *))(void (*)(void))t->start)(t->arg);
    else
      t->retval = t->start(t->arg);
  }
  return t->retval;
}

static int create_common(pthread_t *th, const pthread_attr_t *attr, void *(*start)(void *),
                         void *arg, int c11, uint64_t pc) {
  il_point(IL_OP_CREATE, NULL, -1, pc);
  struct il_thread *t = il_new_thread(start, arg, pc);
  t->c11 = c11;
  int detached = 0;
  if (attr) pthread_attr_getdetachstate(attr, &detached);
  t->detached = detached == PTHREAD_CREATE_DETACHED;
  /* The real create allocates (its TLS, through the program's malloc: a
   * jemalloc that locks).  Those locks stay under control, so a lock a
   * parked thread holds is waited for in the model, not for real; the new
   * thread is not a candidate until it exists. */
  t->creating = 1;
  int r = il_real.pthread_create(th, attr, trampoline, t);
  t->creating = 0;
  if (r) {
    t->state = IL_T_DONE;
    il.nlive--;
    return r;
  }
  t->pt = *th;
  il_record(IL_OP_CREATE, (void *)(intptr_t)t->idx, 0, pc, 0);
  return 0;
}

IL_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*start)(void *), void *arg) {
  if (il.active == 2) il_await_handover(1000); /* a daemon's child: be the program first (i_proc.c) */
  if (!il_controlled()) {
    il_resolve();
    return il_real.pthread_create(th, attr, start, arg);
  }
  return create_common(th, attr, start, arg, 0, IL_CALLER);
}

/* The newest thread with this id: glibc reuses a joined thread's
 * descriptor, so an older (reaped) slot may carry the same pthread_t. */
struct il_thread *il_find_thread(pthread_t th) {
  for (int i = il.nthreads - 1; i >= 0; i--)
    if (il.threads[i].state != IL_T_FREE && !il.threads[i].reaped && pthread_equal(il.threads[i].pt, th))
      return &il.threads[i];
  return NULL;
}

/* deadline: -1 none; try: return EBUSY at once if not finished. */
static int join_common(pthread_t th, void **ret, int64_t deadline, int try, uint64_t pc) {
  struct il_thread *t = il_find_thread(th);
  if (!t) {
    IL_ENTER();
    int r = il_real.pthread_join(th, ret);
    IL_LEAVE();
    return r;
  }
  if (t == il_me) return EDEADLK;
  if (t->detached) return EINVAL;
  if (try) {
    il_point(IL_OP_YIELD, NULL, -1, pc);
    if (t->state != IL_T_DONE) {
      il_record(IL_OP_JOIN, (void *)(intptr_t)t->idx, EBUSY, pc, 0);
      il_deprioritize(il_me);
      return EBUSY;
    }
  } else if (il_point(IL_OP_JOIN, t, deadline, pc)) {
    il_record(IL_OP_JOIN, (void *)(intptr_t)t->idx, ETIMEDOUT, pc, 0);
    return ETIMEDOUT;
  }
  il_record(IL_OP_JOIN, (void *)(intptr_t)t->idx, 0, pc, 0);
  /* The thread passed its exit point; the real join waits (in real time
   * only) for the OS thread to finish tearing down. */
  IL_ENTER();
  int r = il_real.pthread_join(th, ret);
  IL_LEAVE();
  if (r == 0) t->reaped = 1;
  il_hb_join(il_me, t);
  return r;
}

IL_EXPORT int pthread_join(pthread_t th, void **ret) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.pthread_join(th, ret);
  }
  return join_common(th, ret, -1, 0, IL_CALLER);
}

IL_EXPORT int pthread_tryjoin_np(pthread_t th, void **ret) {
  static int (*real)(pthread_t, void **);
  if (!il_controlled()) {
    if (!real) real = il_sym("pthread_tryjoin_np", NULL);
    return real(th, ret);
  }
  return join_common(th, ret, -1, 1, IL_CALLER);
}

IL_EXPORT int pthread_timedjoin_np(pthread_t th, void **ret, const struct timespec *abs) {
  static int (*real)(pthread_t, void **, const struct timespec *);
  if (!il_controlled()) {
    if (!real) real = il_sym("pthread_timedjoin_np", NULL);
    return real(th, ret, abs);
  }
  return join_common(th, ret, abs ? il_abs_to_vdeadline(CLOCK_REALTIME, abs) : -1, 0, IL_CALLER);
}

IL_EXPORT int pthread_clockjoin_np(pthread_t th, void **ret, clockid_t clk, const struct timespec *abs) {
  static int (*real)(pthread_t, void **, clockid_t, const struct timespec *);
  if (!il_controlled()) {
    if (!real) real = il_sym("pthread_clockjoin_np", NULL);
    return real(th, ret, clk, abs);
  }
  return join_common(th, ret, abs ? il_abs_to_vdeadline(clk, abs) : -1, 0, IL_CALLER);
}

IL_EXPORT int pthread_detach(pthread_t th) {
  if (il_controlled()) {
    struct il_thread *t = il_find_thread(th);
    if (t) { t->detached = 1; t->reaped = 1; }
    il_record(IL_OP_DETACH, t ? (void *)(intptr_t)t->idx : NULL, 0, IL_CALLER, 0);
  }
  il_resolve();
  IL_ENTER();
  int r = il_real.pthread_detach(th);
  IL_LEAVE();
  return r;
}

IL_EXPORT void pthread_exit(void *ret) {
  il_resolve();
  if (il_controlled()) {
    struct il_thread *me = il_me;
    me->retval = ret;
    /* The main thread has no trampoline: its exit point is here. */
    if (me->idx == 0) {
      run_tls_dtors();
      il_thread_exit(ret, IL_CALLER);
    }
  }
  il_real.pthread_exit(ret);
}

/* Thread names the program gives (GLib's g_thread_new, libuv, servers
 * naming their workers): the report uses them. */
static void set_name(struct il_thread *t, const char *name) {
  if (!t || !name) return;
  char *dst = il.shm->threads[t->idx].name;
  size_t i = 0;
  for (; i < 15 && name[i]; i++) dst[i] = name[i];
  dst[i] = 0;
}

IL_EXPORT int pthread_setname_np(pthread_t th, const char *name) {
  static int (*real)(pthread_t, const char *);
  if (!real) real = il_sym("pthread_setname_np", NULL);
  if (il_controlled()) set_name(il_find_thread(th), name);
  return real(th, name);
}

IL_EXPORT int prctl(int option, ...) {
  static int (*real)(int, ...);
  if (!real) real = il_sym("prctl", NULL);
  va_list ap;
  va_start(ap, option);
  unsigned long a[4];
  for (int i = 0; i < 4; i++) a[i] = va_arg(ap, unsigned long);
  va_end(ap);
  if (option == PR_SET_NAME && il_controlled()) set_name(il_me, (const char *)a[0]);
  return real(option, a[0], a[1], a[2], a[3]);
}

/* ---- cancellation (deferred) ----
 * pthread_cancel marks the target; it acts at the target's next
 * cancellation point that interleave controls (a condition, semaphore or
 * join wait, a sleep, blocking I/O, poll/select/epoll, sigwait, pause,
 * pthread_testcancel), and a thread blocked at one wakes to act on it.
 * Acting is the real pthread_exit(PTHREAD_CANCELED) from that thread: the
 * unwinding runs its cleanup handlers and destructors under control, and a
 * join returns PTHREAD_CANCELED.  glibc itself never sees the request.
 * Asynchronous cancellation is treated as deferred. */
static int cancellation_point(int op) {
  switch (op) {
  case IL_OP_JOIN: case IL_OP_COND_WAIT: case IL_OP_SEM_WAIT: case IL_OP_SLEEP: case IL_OP_POLL:
  case IL_OP_IO_READ: case IL_OP_IO_WRITE: case IL_OP_IO_ACCEPT: case IL_OP_SIGWAIT: case IL_OP_SIGSUSPEND:
  case IL_OP_TESTCANCEL: case IL_OP_BARRIER: case IL_OP_FUTEX_WAIT:
    return 1;
  default:
    return 0;
  }
}

int il_cancel_due(const struct il_thread *t, int op) {
  return t->cancel_pending && !t->cancel_disabled && !t->exiting && cancellation_point(op);
}

void il_cancel_act(void) {
  struct il_thread *me = il_me;
  me->cancel_pending = 0;
  me->cancel_now = 0;
  me->retval = PTHREAD_CANCELED;
  il_record(IL_OP_TESTCANCEL, NULL, 1, me->pc, 0);
  il_real.pthread_exit(PTHREAD_CANCELED);
}

IL_EXPORT int pthread_cancel(pthread_t th) {
  static int (*real)(pthread_t);
  if (!real) real = il_sym("pthread_cancel", "GLIBC_2.34");
  struct il_thread *t;
  if (!il_controlled() || !(t = il_find_thread(th))) return real(th);
  uint64_t pc = IL_CALLER;
  il_point(IL_OP_CANCEL, (void *)(intptr_t)t->idx, -1, pc);
  if (t->state != IL_T_DONE && !t->exiting) t->cancel_pending = 1;
  il_record(IL_OP_CANCEL, (void *)(intptr_t)t->idx, 0, pc, 0);
  return 0;
}

IL_EXPORT int pthread_setcancelstate(int state, int *old) {
  static int (*real)(int, int *);
  if (!real) real = il_sym("pthread_setcancelstate", NULL);
  if (!il_controlled()) return real(state, old);
  if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE) return EINVAL;
  if (old) *old = il_me->cancel_disabled ? PTHREAD_CANCEL_DISABLE : PTHREAD_CANCEL_ENABLE;
  il_me->cancel_disabled = state == PTHREAD_CANCEL_DISABLE;
  return 0;
}

IL_EXPORT int pthread_setcanceltype(int type, int *old) {
  static int (*real)(int, int *);
  if (!real) real = il_sym("pthread_setcanceltype", NULL);
  if (!il_controlled()) return real(type, old);
  if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS) return EINVAL;
  if (old) *old = PTHREAD_CANCEL_DEFERRED; /* asynchronous is treated as deferred */
  return 0;
}

IL_EXPORT void pthread_testcancel(void) {
  static void (*real)(void);
  if (!real) real = il_sym("pthread_testcancel", NULL);
  if (!il_controlled()) { real(); return; }
  /* A scheduling point, and a yield: a loop polling for its own
   * cancellation must let the canceller run. */
  if (!il_me->cancel_pending) il_deprioritize(il_me);
  il_point(IL_OP_TESTCANCEL, NULL, -1, IL_CALLER);
}

IL_EXPORT int sched_yield(void) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.sched_yield();
  }
  uint64_t pc = IL_CALLER;
  il_deprioritize(il_me);
  il_point(IL_OP_YIELD, NULL, -1, pc);
  il_record(IL_OP_YIELD, NULL, 0, pc, 0);
  return 0;
}


static int once_common(pthread_once_t *once, void (*init)(void), uint64_t pc) {
  struct il_obj *o = il_obj_get(once, K_ONCE);
  if (o->count) { /* done */
    il_hb_acquire(once);
    return 0;
  }
  il_point(IL_OP_ONCE, once, -1, pc);
  if (o->count) {
    il_hb_acquire(once);
    il_record(IL_OP_ONCE, once, 1, pc, 0);
    return 0;
  }
  o->owner = il_me->idx;
  il_record(IL_OP_ONCE, once, 0, pc, 0);
  init();
  il_hb_release(once);
  o->owner = -1;
  o->count = 1;
  *(volatile int *)once = 2; /* glibc's __PTHREAD_ONCE_DONE: later uncontrolled calls see it */
  return 0;
}

IL_EXPORT int pthread_once(pthread_once_t *once, void (*init)(void)) {
  static int (*real)(pthread_once_t *, void (*)(void));
  if (!il_controlled() || (*(volatile int *)once & 2)) {
    if (!real) real = il_sym("pthread_once", "GLIBC_2.34");
    return real(once, init);
  }
  return once_common(once, init, IL_CALLER);
}

/* ---- C11 threads ---- */

IL_EXPORT int thrd_create(thrd_t *thr, thrd_start_t func, void *arg) {
  static int (*real)(thrd_t *, thrd_start_t, void *);
  if (!il_controlled()) {
    if (!real) real = il_sym("thrd_create", NULL);
    return real(thr, func, arg);
  }
  pthread_t pt;
  int r = create_common(&pt, NULL, (void *(*)(void *))(void (*)(void))func, arg, 1, IL_CALLER);
  if (r) return r == ENOMEM ? thrd_nomem : thrd_error;
  *thr = (thrd_t)pt;
  return thrd_success;
}

IL_EXPORT int thrd_join(thrd_t thr, int *res) {
  static int (*real)(thrd_t, int *);
  if (!il_controlled()) {
    if (!real) real = il_sym("thrd_join", NULL);
    return real(thr, res);
  }
  void *v;
  int r = join_common((pthread_t)thr, &v, -1, 0, IL_CALLER);
  if (r) return thrd_error;
  if (res) *res = (int)(intptr_t)v;
  return thrd_success;
}

IL_EXPORT int thrd_detach(thrd_t thr) { return pthread_detach((pthread_t)thr) ? thrd_error : thrd_success; }

IL_EXPORT void thrd_exit(int res) { pthread_exit((void *)(intptr_t)res); }

IL_EXPORT void thrd_yield(void) { sched_yield(); }

IL_EXPORT void call_once(once_flag *flag, void (*func)(void)) {
  static void (*real)(once_flag *, void (*)(void));
  if (!il_controlled() || (*(volatile int *)flag & 2)) {
    if (!real) real = il_sym("call_once", NULL);
    real(flag, func);
    return;
  }
  once_common((pthread_once_t *)flag, func, IL_CALLER);
}
