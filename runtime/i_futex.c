/* i_futex.c: the futex system call, modelled.
 *
 * Much code never calls a pthread function to wait: GLib's GMutex, GCond,
 * GRWLock and GOnce, and libstdc++'s std::atomic::wait (so std::latch,
 * std::barrier, std::counting_semaphore) call the futex system call
 * themselves, through libc's syscall().  A real FUTEX_WAIT would block a
 * thread that holds the baton, and nothing would ever run again (the
 * watchdog's "blocked in a call interleave does not control").  So the
 * program's futexes are a model, like condition variables: one wait queue
 * per address, the value checked at entry, timeouts on the virtual clock,
 * and which waiter a wake picks is a recorded choice.
 *
 * Modelled: FUTEX_WAIT, WAIT_BITSET, WAKE, WAKE_BITSET, REQUEUE,
 * CMP_REQUEUE, WAKE_OP, private or shared (one process: the address is the
 * key either way), FUTEX_CLOCK_REALTIME.  Not modelled: the PI operations
 * and futex_waitv (no library we know of uses them through syscall());
 * they go to the kernel.  Code that issues the syscall instruction itself
 * (libgomp) is not seen here.
 *
 * A waiter's state: op = IL_OP_FUTEX_WAIT, obj = the address, futex_bitset,
 * signaled = 1 once a wake picked it (can_proceed in sched.c).
 */
#include "rt.h"
#include <linux/futex.h>
#include <stdarg.h>
#include <sys/syscall.h>

#define ALL_BITS 0xffffffffu

static long fail(int e) {
  errno = e;
  return -1;
}

/* Wake up to n waiters on addr whose bitset meets `bits`; the strategy
 * picks which (a recorded choice).  Returns how many. */
/* futex_waitv: the index of addr among t's words, or -1. */
struct waitv { uint64_t val, uaddr; uint32_t flags, reserved; };
static int waitv_index(const struct il_thread *t, const uint32_t *addr) {
  if (!t->waitv || t->state == IL_T_DONE || t->exiting || t->op != IL_OP_FUTEX_WAIT || t->signaled) return -1;
  const struct waitv *v = t->waitv;
  for (int i = 0; i < t->nwaitv; i++)
    if ((uint32_t *)(uintptr_t)v[i].uaddr == addr) return i;
  return -1;
}

static int wake_some(uint32_t *addr, int n, uint32_t bits) {
  struct il_thread *w[IL_MAX_THREADS];
  int nw = 0, woken = 0;
  for (int i = 0; i < il.nthreads; i++) {
    struct il_thread *t = &il.threads[i];
    if (t == il_me) continue;
    if ((il_waits_on(t, IL_OP_FUTEX_WAIT, addr) && !t->waitv && (t->futex_bitset & bits)) || waitv_index(t, addr) >= 0)
      w[nw++] = t;
  }
  while (woken < n && nw > 0) {
    int k = il_choose_among(w, nw);
    if (w[k]->waitv) w[k]->waitv_woken = waitv_index(w[k], addr);
    w[k]->signaled = 1;
    w[k] = w[--nw];
    woken++;
  }
  return woken;
}

/* Move up to n remaining waiters on addr to addr2. */
static int requeue(uint32_t *addr, uint32_t *addr2, int n) {
  int moved = 0;
  for (int i = 0; i < il.nthreads && moved < n; i++) {
    struct il_thread *t = &il.threads[i];
    if (il_waits_on(t, IL_OP_FUTEX_WAIT, addr) && !t->waitv) { /* a futex_waitv is not requeued */
      t->obj = addr2;
      moved++;
    }
  }
  return moved;
}

static long futex_wait(uint32_t *addr, uint32_t val, int64_t deadline, uint32_t bits, uint64_t pc) {
  struct il_thread *me = il_me;
  if (!bits) return fail(EINVAL);
  /* A point at entry: another thread may change the word (and wake
   * nobody) just before we look, as on a real machine. */
  me->signaled = 1;
  me->futex_bitset = bits;
  il_point(IL_OP_FUTEX_WAIT, addr, -1, pc);
  if (__atomic_load_n(addr, __ATOMIC_SEQ_CST) != val) {
    il_record(IL_OP_FUTEX_WAIT, addr, EAGAIN, pc, 0);
    return fail(EAGAIN);
  }
  me->signaled = 0;
  int timed_out = il_point(IL_OP_FUTEX_WAIT, addr, deadline, pc);
  if (timed_out && !me->signaled) {
    il_record(IL_OP_FUTEX_WAIT, addr, ETIMEDOUT, pc, IL_EV_TIMEOUT);
    return fail(ETIMEDOUT);
  }
  il_hb_acquire(addr);
  il_record(IL_OP_FUTEX_WAIT, addr, 0, pc, 0);
  return 0;
}

/* FUTEX_WAKE_OP's operation on *addr2: *old gets the value before it;
 * -1 for an operation the kernel does not know (ENOSYS). */
static int wake_op_apply(uint32_t *addr2, uint32_t enc, int *old) {
  int op = (enc >> 28) & 7, shift = (enc >> 28) & 8;
  int oparg = (int)(enc << 8) >> 20, v;
  if (shift) oparg = 1 << (oparg & 31);
  int o = (int)__atomic_load_n(addr2, __ATOMIC_SEQ_CST);
  switch (op) {
  case FUTEX_OP_SET: v = oparg; break;
  case FUTEX_OP_ADD: v = o + oparg; break;
  case FUTEX_OP_OR: v = o | oparg; break;
  case FUTEX_OP_ANDN: v = o & ~oparg; break;
  case FUTEX_OP_XOR: v = o ^ oparg; break;
  default: return -1;
  }
  __atomic_store_n(addr2, (uint32_t)v, __ATOMIC_SEQ_CST);
  *old = o;
  return 0;
}
static int wake_op_cmp(int old, uint32_t enc) {
  int cmp = (enc >> 24) & 15, arg = (int)(enc << 20) >> 20;
  switch (cmp) {
  case FUTEX_OP_CMP_EQ: return old == arg;
  case FUTEX_OP_CMP_NE: return old != arg;
  case FUTEX_OP_CMP_LT: return old < arg;
  case FUTEX_OP_CMP_LE: return old <= arg;
  case FUTEX_OP_CMP_GT: return old > arg;
  case FUTEX_OP_CMP_GE: return old >= arg;
  default: return 0;
  }
}

long il_futex(uint32_t *addr, int op, uint32_t val, const struct timespec *ts, uint32_t *addr2, uint32_t val3,
              uint64_t pc) {
  int cmd = op & FUTEX_CMD_MASK;
  int n2 = (int)(uintptr_t)ts; /* REQUEUE / WAKE_OP: the second count */
  switch (cmd) {
  case FUTEX_WAIT:
    if (ts && !il_valid_ts(ts)) return fail(EINVAL);
    return futex_wait(addr, val, ts ? il_rel_to_vdeadline(ts) : -1, ALL_BITS, pc);
  case FUTEX_WAIT_BITSET:
    if (ts && !il_valid_ts(ts)) return fail(EINVAL);
    return futex_wait(addr, val,
                      ts ? il_abs_to_vdeadline((op & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME : CLOCK_MONOTONIC, ts) : -1,
                      val3, pc);
  case FUTEX_WAKE: case FUTEX_WAKE_BITSET: {
    uint32_t bits = cmd == FUTEX_WAKE ? ALL_BITS : val3;
    if (!bits) return fail(EINVAL);
    il_point(IL_OP_FUTEX_WAKE, addr, -1, pc);
    il_hb_release(addr);
    int n = wake_some(addr, (int)(val > INT32_MAX ? INT32_MAX : val), bits);
    il_record(IL_OP_FUTEX_WAKE, addr, n, pc, 0);
    return n;
  }
  case FUTEX_REQUEUE: case FUTEX_CMP_REQUEUE: {
    il_point(IL_OP_FUTEX_WAKE, addr, -1, pc);
    if (cmd == FUTEX_CMP_REQUEUE && __atomic_load_n(addr, __ATOMIC_SEQ_CST) != val3) {
      il_record(IL_OP_FUTEX_WAKE, addr, -EAGAIN, pc, 0);
      return fail(EAGAIN);
    }
    il_hb_release(addr);
    int n = wake_some(addr, (int)(val > INT32_MAX ? INT32_MAX : val), ALL_BITS);
    n += requeue(addr, addr2, n2 < 0 ? 0 : n2);
    il_record(IL_OP_FUTEX_WAKE, addr, n, pc, 0);
    return n;
  }
  case FUTEX_WAKE_OP: {
    il_point(IL_OP_FUTEX_WAKE, addr, -1, pc);
    int old;
    if (wake_op_apply(addr2, val3, &old)) return fail(ENOSYS);
    il_hb_release(addr);
    int n = wake_some(addr, (int)(val > INT32_MAX ? INT32_MAX : val), ALL_BITS);
    if (wake_op_cmp(old, val3)) {
      il_hb_release(addr2);
      n += wake_some(addr2, n2 < 0 ? 0 : n2, ALL_BITS);
    }
    il_record(IL_OP_FUTEX_WAKE, addr, n, pc, 0);
    return n;
  }
  default:
    return il_sys(SYS_futex, (long)addr, op, val, (long)ts, (long)addr2, val3);
  }
}

/* libc's syscall(): futexes go to the model, everything else to the
 * kernel (the runtime itself never comes through here: il_sys). */
/* futex_waitv (Linux 5.16): wait on up to 128 words at once; returns the
 * index of the one woken.  Only 32-bit private or shared words (what the
 * kernel supports); the timeout is absolute on clockid. */
static long futex_waitv(const struct waitv *v, unsigned n, unsigned flags, const struct timespec *ts, int clk,
                        uint64_t pc) {
  struct il_thread *me = il_me;
  if (!v || n == 0 || n > 128 || flags) return fail(EINVAL);
  if (ts && !il_valid_ts(ts)) return fail(EINVAL);
  uint32_t *first = (uint32_t *)(uintptr_t)v[0].uaddr;
  me->signaled = 1;
  il_point(IL_OP_FUTEX_WAIT, first, -1, pc);
  for (unsigned i = 0; i < n; i++)
    if ((v[i].flags & 3) != 2 /* FUTEX2_SIZE_U32 */ || __atomic_load_n((uint32_t *)(uintptr_t)v[i].uaddr, __ATOMIC_SEQ_CST) != (uint32_t)v[i].val) {
      il_record(IL_OP_FUTEX_WAIT, first, EAGAIN, pc, 0);
      return fail((v[i].flags & 3) != 2 ? EINVAL : EAGAIN);
    }
  me->waitv = v;
  me->nwaitv = (int)n;
  me->waitv_woken = -1;
  me->signaled = 0;
  int timed_out = il_point(IL_OP_FUTEX_WAIT, first, ts ? il_abs_to_vdeadline(clk, ts) : -1, pc);
  int k = me->waitv_woken;
  me->waitv = NULL;
  me->nwaitv = 0;
  if (timed_out && !me->signaled) {
    il_record(IL_OP_FUTEX_WAIT, first, ETIMEDOUT, pc, IL_EV_TIMEOUT);
    return fail(ETIMEDOUT);
  }
  if (k >= 0) il_hb_acquire((void *)(uintptr_t)v[k].uaddr);
  il_record(IL_OP_FUTEX_WAIT, first, 0, pc, 0);
  return k < 0 ? 0 : k;
}

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

IL_EXPORT long syscall(long nr, ...) {
  va_list ap;
  va_start(ap, nr);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  if (nr == SYS_futex && il_controlled())
    return il_futex((uint32_t *)a[0], (int)a[1], (uint32_t)a[2], (const struct timespec *)a[3], (uint32_t *)a[4],
                 (uint32_t)a[5], IL_CALLER);
  if (nr == SYS_futex_waitv && il_controlled())
    return futex_waitv((const struct waitv *)a[0], (unsigned)a[1], (unsigned)a[2], (const struct timespec *)a[3],
                       (int)a[4], IL_CALLER);
  return il_sys(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
