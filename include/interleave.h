/* interleave.h: annotations for programs tested with interleave.
 *
 * Include it and call these where the scheduler cannot see on its own: a
 * spin loop on a plain or atomic variable (interleave_yield), a lock built
 * by hand on atomics (interleave_acquire / interleave_release).  Nothing to
 * link: the functions are weak references, null in a program that runs on
 * its own (every call is then a test and a branch, nothing more), bound by
 * the dynamic linker to libinterleave.so when interleave preloads it.
 * That binding needs the reference to go through the GOT, as it does in
 * position-independent code (gcc's and clang's default on Debian and
 * Ubuntu, and in shared libraries); code compiled with -fno-pic into a
 * non-PIE executable has the references resolved to null at link time,
 * and the annotations then stay no-ops under interleave too.
 *
 *   interleave_yield()         a scheduling point in a spin loop: under
 *                              interleave, like sched_yield (another
 *                              thread runs; the spinner waits its turn).
 *   interleave_acquire(lock)   the calling thread takes the exclusive lock
 *                              at address `lock`: call it just before the
 *                              acquisition (or just after it succeeded).
 *   interleave_release(lock)   ... releases it: call it just after the
 *                              release (or just before).
 *                              Under interleave each is a scheduling point,
 *                              shown in the timeline as "lock NAME" and
 *                              "unlock NAME".  The lock counts as held by
 *                              the thread for deadlock, lock-order and
 *                              lock-hold reports and for the race detector,
 *                              and a thread acquiring it while another
 *                              holds it waits in the scheduler rather than
 *                              spinning, so a deadlock between such locks
 *                              is reported as one.  Pair the calls; call
 *                              acquire only for an acquisition that
 *                              succeeds (not before a trylock that may
 *                              fail), and only for a lock that one thread
 *                              holds at a time.  The same thread may
 *                              acquire it again (a recursive lock).
 *   interleave_active()        1 while the program runs under interleave,
 *                              0 when it runs on its own.
 *
 * Example, a spin lock on a C11 atomic_flag:
 *
 *   void spin_lock(struct spin *s) {
 *     interleave_acquire(s);
 *     while (atomic_flag_test_and_set_explicit(&s->f, memory_order_acquire))
 *       interleave_yield();
 *   }
 *   void spin_unlock(struct spin *s) {
 *     atomic_flag_clear_explicit(&s->f, memory_order_release);
 *     interleave_release(s);
 *   }
 *
 * C99 or later, C++11 or later; GCC or Clang (weak references).
 */
#ifndef INTERLEAVE_H
#define INTERLEAVE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Defined by libinterleave.so (runtime/i_annotate.c); null without it. */
extern void __interleave_yield(void) __attribute__((weak));
extern void __interleave_acquire(void *lock) __attribute__((weak));
extern void __interleave_release(void *lock) __attribute__((weak));
extern int __interleave_active(void) __attribute__((weak));

/* The functions, for taking their address ... */
static inline void interleave_yield(void) {
  if (__interleave_yield) __interleave_yield();
}
static inline void interleave_acquire(void *lock) {
  if (__interleave_acquire) __interleave_acquire(lock);
}
static inline void interleave_release(void *lock) {
  if (__interleave_release) __interleave_release(lock);
}
static inline int interleave_active(void) {
  return __interleave_active ? __interleave_active() : 0;
}

/* ... and the same as macros for calls, so that the runtime's event (its
 * caller's address) is the line of the call in the program, not a line of
 * this header in an inlined wrapper.  The argument is evaluated once,
 * with or without interleave. */
#define interleave_yield() ((__interleave_yield) ? __interleave_yield() : (void)0)
#define interleave_acquire(lock) ((__interleave_acquire) ? __interleave_acquire(lock) : (void)(lock))
#define interleave_release(lock) ((__interleave_release) ? __interleave_release(lock) : (void)(lock))
#define interleave_active() ((__interleave_active) ? __interleave_active() : 0)

#ifdef __cplusplus
}
#endif

#endif
