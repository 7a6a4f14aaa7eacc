/* tsan.c: the compilers' ThreadSanitizer instrumentation interface
 * (`-fsanitize=thread`), implemented by interleave instead of libtsan, and
 * a happens-before data-race detector over the controlled schedule.
 *
 * Programs built with `interleave cc` call these hooks at every plain
 * access, every C11 atomic and every function entry and exit.  gcc and
 * clang emit different sets (gcc: compare_exchange_strong/weak and always
 * the 16-byte atomics; clang: compare_exchange_val, unaligned accesses);
 * this file defines the union.  An atomic hook replaces the instruction,
 * so it performs the operation itself; it is also a scheduling point, so a
 * spin on an atomic is under the scheduler's control.
 *
 * Happens-before: every thread has a vector clock (il_vc); releases
 * (unlock, post, create, exit, atomic stores with release order) copy the
 * thread's clock into the object's, acquisitions join it.  Memory has a
 * shadow per 8-byte granule: the last write's epoch (thread, clock) and up
 * to two read epochs, FastTrack-style.  An access that is not ordered after
 * a conflicting one is a race; each pair of sites is reported once per
 * execution.  The shadow is a fixed direct-mapped table: on a collision the
 * older granule's history is dropped (a race may be missed, never
 * invented).  Every execution is a fresh fork of the fork server, whose
 * clocks and shadow were never touched: nothing needs resetting.  Outside an execution (a plain run of an instrumented binary)
 * the hooks only perform the operation.
 */
#include "rt.h"
#include <dlfcn.h>
#include <malloc.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <string.h>

/* ---- vector clocks ---- */

#define VC_POOL 2048
static uint32_t vcpool[VC_POOL][IL_MAX_THREADS]; /* sync objects' clocks */
static int nvc;
static uint32_t tvc[IL_MAX_THREADS][IL_MAX_THREADS]; /* threads' clocks */

/* Set by __tsan_init, which instrumented code calls from a constructor
 * (so the fork server already knows): an uninstrumented program pays
 * nothing for happens-before. */
static int instrumented;

/* Happens-before and the shadow are kept whenever the program is
 * instrumented, with or without race reports (--no-race): the shadow also
 * decides which plain accesses are scheduling points, and those must not
 * depend on an option a replay may not repeat. */
static int hb_on(void) { return instrumented; }
static int reporting(void) { return il.req.flags & IL_F_RACE; }

static int racing(void) {
  return il.active == 1 && hb_on() && il_me && !il_in_rt && !il_me->exiting;
}

static uint32_t *obj_vc(struct il_obj *o) {
  if (!o->vc) {
    if (nvc >= VC_POOL) return NULL; /* out of clocks: no edge (may miss a race) */
    o->vc = ++nvc;
    memset(vcpool[o->vc - 1], 0, sizeof vcpool[0]);
  }
  return vcpool[o->vc - 1];
}

void il_hb_thread_start(struct il_thread *child, struct il_thread *parent) {
  if (!hb_on()) return;
  if (parent) {
    memcpy(tvc[child->idx], tvc[parent->idx], sizeof tvc[0]);
    tvc[parent->idx][parent->idx]++;
  }
  tvc[child->idx][child->idx] = 1;
}

void il_hb_join(struct il_thread *joiner, struct il_thread *child) {
  if (!hb_on()) return;
  for (int i = 0; i < il.nthreads; i++)
    if (tvc[child->idx][i] > tvc[joiner->idx][i]) tvc[joiner->idx][i] = tvc[child->idx][i];
}

void il_hb_release(void *obj) {
  if (!il_me || !hb_on()) return;
  struct il_obj *o = il_obj_find(obj);
  uint32_t *v = o ? obj_vc(o) : NULL;
  int me = il_me->idx;
  if (v)
    for (int i = 0; i < il.nthreads; i++)
      if (tvc[me][i] > v[i]) v[i] = tvc[me][i];
  tvc[me][me]++;
}

void il_hb_acquire(void *obj) {
  if (!il_me || !hb_on()) return;
  struct il_obj *o = il_obj_find(obj);
  if (!o || !o->vc) return;
  uint32_t *v = vcpool[o->vc - 1];
  int me = il_me->idx;
  for (int i = 0; i < il.nthreads; i++)
    if (v[i] > tvc[me][i]) tvc[me][i] = v[i];
}

/* ---- shadow memory ---- */

struct shadow {
  uintptr_t granule;
  uint64_t wpc, rpc[2];
  uint32_t wclock, rclock[2];
  uint16_t wtid, rtid[2];  /* thread index + 1; 0: none */
  uint8_t wsize, rsize[2];
  uint8_t woff, roff[2];   /* byte offset in the granule: accesses that do
                            * not overlap (ring[0] and ring[1]) do not race */
};
#define SHADOW_BITS 15
static struct shadow shadow[1u << SHADOW_BITS];
static struct shadow *shadow_of(uintptr_t g) {
  size_t i = (size_t)((g >> 3) * 0x9e3779b97f4a7c15ULL >> (64 - SHADOW_BITS));
  struct shadow *s = &shadow[i];
  if (s->granule != g) {
    memset(s, 0, sizeof *s);
    s->granule = g;
  }
  return s;
}

/* ---- the function-entry stack, for race reports ---- */

#define SSTACK 64
static IL_TLS uint64_t sstack[SSTACK];
static IL_TLS int sdepth;

IL_EXPORT void __tsan_func_entry(void *caller_pc) {
  if (sdepth < SSTACK) sstack[sdepth] = (uint64_t)(uintptr_t)caller_pc;
  sdepth++;
}
IL_EXPORT void __tsan_func_exit(void) {
  if (sdepth > 0) sdepth--;
}

static void fill_access(struct il_access_info *a, int tid, uint64_t pc, int write, int size, int with_stack) {
  a->thread = tid;
  a->pc = pc;
  a->write = write;
  a->size = size;
  a->nstack = 0;
  if (!with_stack) return;
  /* innermost first: the caller pcs of the functions we are in */
  int d = sdepth < SSTACK ? sdepth : SSTACK;
  for (int i = d - 1; i >= 0 && a->nstack < IL_RACE_STACK; i--) a->stack[a->nstack++] = sstack[i];
}

static void report(uintptr_t addr, int size, int write, uint64_t pc, int ptid, uint64_t ppc, int pwrite,
                   int psize) {
  struct il_shm *s = il.shm;
  il_feedback_race(ppc, pc); /* with or without reports: race direction (--strategy mutate) */
  if (!reporting()) return;
  for (uint32_t i = 0; i < s->nraces && i < IL_MAX_RACES; i++)
    if ((s->races[i].cur.pc == pc && s->races[i].prev.pc == ppc) ||
        (s->races[i].cur.pc == ppc && s->races[i].prev.pc == pc))
      return;
  if (s->nraces >= IL_MAX_RACES) return;
  struct il_race *r = &s->races[s->nraces++];
  r->addr = addr;
  r->event = s->nevents;
  fill_access(&r->cur, il_me->idx, pc, write, size, 1);
  fill_access(&r->prev, ptid, ppc, pwrite, psize, 0);
  if (il.standalone && s->nraces == 1) {
    /* replay --gdb: stop at the racing access. */
    static const char m[] = "interleave: replay reached the data race (the second access is here)\n";
    if (il_sys(SYS_write, 2, (long)m, sizeof m - 1, 0, 0, 0) < 0) { /* nothing to do */ }
    raise(SIGTRAP);
  }
}

static int overlap(int off, int size, int off2, int size2) { return off < off2 + size2 && off2 < off + size; }

static void access_granule(uintptr_t a, int size, int write, uint64_t pc) {
  int me = il_me->idx;
  uint32_t *my = tvc[me];
  struct shadow *s = shadow_of(a & ~(uintptr_t)7);
  int off = (int)(a & 7);
  if (s->wtid && s->wtid - 1 != me && s->wclock > my[s->wtid - 1] && overlap(off, size, s->woff, s->wsize)) {
    report(a, size, write, pc, s->wtid - 1, s->wpc, 1, s->wsize);
  }
  if (write) {
    for (int k = 0; k < 2; k++)
      if (s->rtid[k] && s->rtid[k] - 1 != me && s->rclock[k] > my[s->rtid[k] - 1] &&
          overlap(off, size, s->roff[k], s->rsize[k]))
        report(a, size, 1, pc, s->rtid[k] - 1, s->rpc[k], 0, s->rsize[k]);
    s->wtid = (uint16_t)(me + 1);
    s->wclock = my[me];
    s->wpc = pc;
    s->wsize = (uint8_t)size;
    s->woff = (uint8_t)off;
    s->rtid[0] = s->rtid[1] = 0;
    return;
  }
  /* A read: keep this thread's epoch; replace one that happened before. */
  int slot = -1;
  for (int k = 0; k < 2 && slot < 0; k++)
    if (!s->rtid[k] || s->rtid[k] - 1 == me) slot = k;
  for (int k = 0; k < 2 && slot < 0; k++)
    if (s->rclock[k] <= my[s->rtid[k] - 1]) slot = k;
  if (slot < 0) slot = (int)(pc & 1); /* two concurrent readers already: forget one */
  s->rtid[slot] = (uint16_t)(me + 1);
  s->rclock[slot] = my[me];
  s->rpc[slot] = pc;
  s->rsize[slot] = (uint8_t)size;
  s->roff[slot] = (uint8_t)off;
}

/* Has another thread touched this granule (as far as the shadow still
 * knows)?  A look only: a granule the table has lost is not shared. */
static int shared_elsewhere(uintptr_t a) {
  uintptr_t g = a & ~(uintptr_t)7;
  size_t i = (size_t)((g >> 3) * 0x9e3779b97f4a7c15ULL >> (64 - SHADOW_BITS));
  const struct shadow *s = &shadow[i];
  if (s->granule != g) return 0;
  int me = il_me->idx + 1;
  return (s->wtid && s->wtid != me) || (s->rtid[0] && s->rtid[0] != me) || (s->rtid[1] && s->rtid[1] != me);
}

/* A plain access to memory another thread has touched in this execution
 * is a scheduling point before it happens (loads and stores of data that
 * is only ever one thread's never are): the strategy can put another
 * thread between `a = 1;` and `b = -1;`, so the program's own assertion
 * is reached, not only a race report.  Learned within the execution
 * only, so a replay makes the same points.  A thread that re-reads an
 * unchanged value MEM_SPIN_READS times in a row (no other shared access
 * between) is spinning and yields its priority, as on an atomic.  Not
 * at the second read: unoptimized code reads a variable again for each
 * use (`if (q->st == A) ... else if (q->st == B)`), and each such yield
 * was a preemption PCT did not choose (SCTBench's qsort_mt, built with
 * `interleave cc`, PCT over synchronization steps, seeds 1-3: 3,527,
 * 1,951 and 6,288 executions to its bug with a yield at the second read,
 * 348, 67 and 44 without). */
#define MEM_SPIN_READS 8
static void mem_point(const volatile void *p, unsigned long size, int write, uint64_t pc) {
  struct il_thread *me = il_me;
  il_point(write ? IL_OP_MEM_STORE : IL_OP_MEM_LOAD, (void *)p, -1, pc);
  int64_t v = 0;
  if (!write && size <= 8 && ((uintptr_t)p & (size - 1)) == 0) {
    /* The program's own access comes next; if this read faults, it is
     * that access's fault: the crash handler reports it there. */
    il_hook_pc = pc;
    switch (size) {
    case 1: v = *(const volatile uint8_t *)p; break;
    case 2: v = *(const volatile uint16_t *)p; break;
    case 4: v = *(const volatile uint32_t *)p; break;
    case 8: v = *(const volatile int64_t *)p; break;
    }
    il_hook_pc = 0;
    if (me->spin_addr == (uint64_t)(uintptr_t)p && me->spin_value == v) {
      if (++me->spin_reads >= MEM_SPIN_READS - 1) il_deprioritize(me);
    } else {
      me->spin_reads = 0;
    }
    me->spin_addr = (uint64_t)(uintptr_t)p;
    me->spin_value = v;
  } else {
    me->spin_addr = 0;
  }
  il_record(write ? IL_OP_MEM_STORE : IL_OP_MEM_LOAD, (void *)p, (int32_t)v, pc, 0);
}

/* Is a on the calling thread's own stack?  (The compiler leaves most
 * locals uninstrumented; those whose address escapes are still this
 * thread's, unless handed to another, which the shadow then shows.) */
static int own_stack(uintptr_t a) {
  struct il_thread *me = il_me;
  if (!me->stack_hi) {
    pthread_attr_t at;
    void *lo = NULL;
    size_t n = 0;
    IL_ENTER();
    if (pthread_getattr_np(pthread_self(), &at) == 0) {
      pthread_attr_getstack(&at, &lo, &n);
      pthread_attr_destroy(&at);
    }
    IL_LEAVE();
    me->stack_lo = (uintptr_t)lo;
    me->stack_hi = n ? (uintptr_t)lo + n : 1;
  }
  return a >= me->stack_lo && a < me->stack_hi;
}

static void mem_access(const volatile void *p, unsigned long size, int write, uint64_t pc) {
  if (!racing() || !size) return;
  uintptr_t a = (uintptr_t)p, end = a + size;
  /* Heap and global memory while another thread is alive: a point (an
   * access that may be shared, before any other thread has touched it:
   * reorder's `a = 1; b = -1;`); own-stack memory only once the shadow
   * shows another thread there. */
  if (il.nlive > 1 && (shared_elsewhere(a) || !own_stack(a))) mem_point(p, size, write, pc);
  for (uintptr_t g = a & ~(uintptr_t)7; g < end; g += 8) {
    uintptr_t lo = g > a ? g : a;
    access_granule(lo, (int)((end < g + 8 ? end : g + 8) - lo), write, pc);
    if (size > 4096 && g - (a & ~(uintptr_t)7) > 4096) break; /* huge ranges: the head only */
  }
}

/* free() ends an object's life: forget its shadow, so that reused memory
 * is not mistaken for a race with the previous owner. */
/* The next free() in the lookup order: libc's, or a replacement allocator's
 * (jemalloc, tcmalloc) when the program brings one.  Resolved in the
 * constructor; a free() before that can only be libc's memory. */
extern void __libc_free(void *);
static void (*next_free)(void *);
void il_resolve_free(void) {
  /* The next definition, not libc's: the program's allocator may be
   * jemalloc or tcmalloc. */
  if (!next_free) next_free = dlsym(RTLD_NEXT, "free");
  if (!next_free) il_die("cannot resolve free");
}

IL_EXPORT void free(void *p) {
  if (p && racing()) {
    size_t n = malloc_usable_size(p);
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)7;
    for (uintptr_t g = a; g < (uintptr_t)p + n && g - a < 65536; g += 8) {
      size_t i = (size_t)((g >> 3) * 0x9e3779b97f4a7c15ULL >> (64 - SHADOW_BITS));
      if (shadow[i].granule == g) memset(&shadow[i], 0, sizeof shadow[i]);
    }
  }
  if (next_free) next_free(p);
  else __libc_free(p);
}

/* ---- plain-access hooks ---- */

#define PC ((uint64_t)(uintptr_t)__builtin_return_address(0))
#define RW(n)                                                                              \
  IL_EXPORT void __tsan_read##n(void *a) { mem_access(a, n, 0, PC); }                          \
  IL_EXPORT void __tsan_write##n(void *a) { mem_access(a, n, 1, PC); }                         \
  IL_EXPORT void __tsan_unaligned_read##n(void *a) { mem_access(a, n, 0, PC); }                \
  IL_EXPORT void __tsan_unaligned_write##n(void *a) { mem_access(a, n, 1, PC); }               \
  IL_EXPORT void __tsan_volatile_read##n(void *a) { mem_access(a, n, 0, PC); }                 \
  IL_EXPORT void __tsan_volatile_write##n(void *a) { mem_access(a, n, 1, PC); }                \
  IL_EXPORT void __tsan_unaligned_volatile_read##n(void *a) { mem_access(a, n, 0, PC); }       \
  IL_EXPORT void __tsan_unaligned_volatile_write##n(void *a) { mem_access(a, n, 1, PC); }      \
  IL_EXPORT void __tsan_read_write##n(void *a) { mem_access(a, n, 1, PC); }                    \
  IL_EXPORT void __tsan_unaligned_read_write##n(void *a) { mem_access(a, n, 1, PC); }
RW(1)
RW(2)
RW(4)
RW(8)
RW(16)

IL_EXPORT void __tsan_read_range(void *a, unsigned long n) { mem_access(a, n, 0, PC); }
IL_EXPORT void __tsan_write_range(void *a, unsigned long n) { mem_access(a, n, 1, PC); }
IL_EXPORT void __tsan_vptr_update(void **p, void *v) { (void)v; mem_access(p, sizeof *p, 1, PC); }
IL_EXPORT void __tsan_vptr_read(void **p) { mem_access(p, sizeof *p, 0, PC); }
IL_EXPORT void __tsan_init(void) {
  il_resolve();
  instrumented = 1;
}
IL_EXPORT void __tsan_ignore_thread_begin(void) { il_in_rt++; }
IL_EXPORT void __tsan_ignore_thread_end(void) { if (il_in_rt > 0) il_in_rt--; }

/* ---- atomics ---- */

typedef int morder; /* 0 relaxed, 1 consume, 2 acquire, 3 release, 4 acq_rel, 5 seq_cst */
static int is_acquire(morder m) { m &= 0x7fff; return m == 1 || m == 2 || m == 4 || m == 5; }
static int is_release(morder m) { m &= 0x7fff; return m == 3 || m == 4 || m == 5; }

/* Before the operation: a scheduling point; returns whether the caller is
 * controlled (and so must record). */
static int atomic_point(int op, const volatile void *a, uint64_t pc) {
  if (!il_controlled()) return 0;
  il_point(op, (void *)a, -1, pc);
  return 1;
}

static void atomic_after(int op, const volatile void *a, morder mo, uint64_t pc, int64_t value, int loaded) {
  struct il_thread *me = il_me;
  void *obj = (void *)a;
  if (hb_on()) {
    if (loaded && is_acquire(mo)) il_hb_acquire(obj);
    if (op != IL_OP_ATOMIC_LOAD && is_release(mo)) {
      il_obj_get(obj, K_ATOMIC);
      il_hb_release(obj);
    }
  }
  /* A thread re-reading an unchanged value is spinning: let others run. */
  if (op == IL_OP_ATOMIC_LOAD) {
    if (me->spin_addr == (uint64_t)(uintptr_t)a && me->spin_value == value) il_deprioritize(me);
    me->spin_addr = (uint64_t)(uintptr_t)a;
    me->spin_value = value;
  } else {
    me->spin_addr = 0;
  }
  me->spin_reads = 0; /* the plain reads' count starts again (mem_point) */
  il_record(op, obj, (int32_t)value, pc, 0);
}

#define ATOMICS(bits, T)                                                                        \
  IL_EXPORT T __tsan_atomic##bits##_load(const volatile T *a, morder mo) {                      \
    uint64_t pc = PC;                                                                           \
    int c = atomic_point(IL_OP_ATOMIC_LOAD, a, pc);                                             \
    T v = __atomic_load_n(a, __ATOMIC_SEQ_CST);                                                 \
    if (c) atomic_after(IL_OP_ATOMIC_LOAD, a, mo, pc, (int64_t)v, 1);                           \
    return v;                                                                                   \
  }                                                                                             \
  IL_EXPORT void __tsan_atomic##bits##_store(volatile T *a, T v, morder mo) {                   \
    uint64_t pc = PC;                                                                           \
    int c = atomic_point(IL_OP_ATOMIC_STORE, a, pc);                                            \
    __atomic_store_n(a, v, __ATOMIC_SEQ_CST);                                                   \
    if (c) atomic_after(IL_OP_ATOMIC_STORE, a, mo, pc, (int64_t)v, 0);                          \
  }                                                                                             \
  RMW(bits, T, exchange, __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST))                           \
  RMW(bits, T, fetch_add, __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST))                           \
  RMW(bits, T, fetch_sub, __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST))                           \
  RMW(bits, T, fetch_and, __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST))                           \
  RMW(bits, T, fetch_or, __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST))                             \
  RMW(bits, T, fetch_xor, __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST))                           \
  RMW(bits, T, fetch_nand, __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST))                         \
  IL_EXPORT int __tsan_atomic##bits##_compare_exchange_strong(volatile T *a, T *e, T v, morder mo, \
                                                              morder fmo) {                     \
    (void)fmo;                                                                                  \
    uint64_t pc = PC;                                                                           \
    int c = atomic_point(IL_OP_ATOMIC_CAS, a, pc);                                              \
    int ok = __atomic_compare_exchange_n(a, e, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);       \
    if (c) atomic_after(ok ? IL_OP_ATOMIC_CAS : IL_OP_ATOMIC_LOAD, a, mo, pc, ok, 1);           \
    return ok;                                                                                  \
  }                                                                                             \
  IL_EXPORT int __tsan_atomic##bits##_compare_exchange_weak(volatile T *a, T *e, T v, morder mo, \
                                                            morder fmo) {                       \
    return __tsan_atomic##bits##_compare_exchange_strong(a, e, v, mo, fmo);                     \
  }                                                                                             \
  IL_EXPORT T __tsan_atomic##bits##_compare_exchange_val(volatile T *a, T e, T v, morder mo,    \
                                                         morder fmo) {                          \
    (void)fmo;                                                                                  \
    uint64_t pc = PC;                                                                           \
    int c = atomic_point(IL_OP_ATOMIC_CAS, a, pc);                                              \
    T old = e;                                                                                  \
    int ok = __atomic_compare_exchange_n(a, &old, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);    \
    if (c) atomic_after(ok ? IL_OP_ATOMIC_CAS : IL_OP_ATOMIC_LOAD, a, mo, pc, ok, 1);           \
    return old;                                                                                 \
  }

#define RMW(bits, T, name, expr)                                                               \
  IL_EXPORT T __tsan_atomic##bits##_##name(volatile T *a, T v, morder mo) {                    \
    uint64_t pc = PC;                                                                          \
    int c = atomic_point(IL_OP_ATOMIC_RMW, a, pc);                                             \
    T old = expr;                                                                              \
    if (c) atomic_after(IL_OP_ATOMIC_RMW, a, mo, pc, (int64_t)old, 1);                         \
    return old;                                                                                \
  }

ATOMICS(8, unsigned char)
ATOMICS(16, unsigned short)
ATOMICS(32, unsigned int)
ATOMICS(64, unsigned long long)

/* 16-byte atomics: every one of them in an instrumented program goes
 * through these hooks, so a lock of our own makes them atomic without
 * libatomic (the runtime depends on libc alone). */
static atomic_flag lock128 = ATOMIC_FLAG_INIT;
static void l128(void) { while (atomic_flag_test_and_set_explicit(&lock128, memory_order_acquire)) ; }
static void u128(void) { atomic_flag_clear_explicit(&lock128, memory_order_release); }
#undef RMW
#define RMW(bits, T, name, expr)                                                               \
  IL_EXPORT T __tsan_atomic##bits##_##name(volatile T *a, T v, morder mo) {                    \
    uint64_t pc = PC;                                                                          \
    int c = atomic_point(IL_OP_ATOMIC_RMW, a, pc);                                             \
    l128();                                                                                    \
    T old = *a;                                                                                \
    *a = expr;                                                                                 \
    u128();                                                                                    \
    if (c) atomic_after(IL_OP_ATOMIC_RMW, a, mo, pc, (int64_t)old, 1);                         \
    return old;                                                                                \
  }
typedef unsigned __int128 u128_t;
IL_EXPORT u128_t __tsan_atomic128_load(const volatile u128_t *a, morder mo) {
  uint64_t pc = PC;
  int c = atomic_point(IL_OP_ATOMIC_LOAD, a, pc);
  l128();
  u128_t v = *a;
  u128();
  if (c) atomic_after(IL_OP_ATOMIC_LOAD, a, mo, pc, (int64_t)v, 1);
  return v;
}
IL_EXPORT void __tsan_atomic128_store(volatile u128_t *a, u128_t v, morder mo) {
  uint64_t pc = PC;
  int c = atomic_point(IL_OP_ATOMIC_STORE, a, pc);
  l128();
  *a = v;
  u128();
  if (c) atomic_after(IL_OP_ATOMIC_STORE, a, mo, pc, (int64_t)v, 0);
}
RMW(128, u128_t, exchange, v)
RMW(128, u128_t, fetch_add, old + v)
RMW(128, u128_t, fetch_sub, old - v)
RMW(128, u128_t, fetch_and, old & v)
RMW(128, u128_t, fetch_or, old | v)
RMW(128, u128_t, fetch_xor, old ^ v)
RMW(128, u128_t, fetch_nand, ~(old & v))
IL_EXPORT int __tsan_atomic128_compare_exchange_strong(volatile u128_t *a, u128_t *e, u128_t v, morder mo,
                                                       morder fmo) {
  (void)fmo;
  uint64_t pc = PC;
  int c = atomic_point(IL_OP_ATOMIC_CAS, a, pc);
  l128();
  int ok = *a == *e;
  if (ok) *a = v;
  else *e = *a;
  u128();
  if (c) atomic_after(ok ? IL_OP_ATOMIC_CAS : IL_OP_ATOMIC_LOAD, a, mo, pc, ok, 1);
  return ok;
}
IL_EXPORT int __tsan_atomic128_compare_exchange_weak(volatile u128_t *a, u128_t *e, u128_t v, morder mo,
                                                     morder fmo) {
  return __tsan_atomic128_compare_exchange_strong(a, e, v, mo, fmo);
}
IL_EXPORT u128_t __tsan_atomic128_compare_exchange_val(volatile u128_t *a, u128_t e, u128_t v, morder mo,
                                                       morder fmo) {
  __tsan_atomic128_compare_exchange_strong(a, &e, v, mo, fmo);
  return e;
}

IL_EXPORT void __tsan_atomic_thread_fence(morder mo) { (void)mo; __atomic_thread_fence(__ATOMIC_SEQ_CST); }
IL_EXPORT void __tsan_atomic_signal_fence(morder mo) { (void)mo; __atomic_signal_fence(__ATOMIC_SEQ_CST); }
