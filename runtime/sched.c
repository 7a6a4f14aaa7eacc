/* sched.c: the scheduler.  Baton passing, the choice at every scheduling
 * point, the virtual clock, and the end-of-execution verdicts.
 *
 * Overview.  Every controlled thread is either the baton holder (il.cur,
 * running program code) or parked in il_point() on its own futex word,
 * announcing the operation it wants to do next (op, obj, deadline).  At a
 * scheduling point the holder computes the candidates: threads whose
 * operation can proceed now (a free mutex, a posted semaphore, a finished
 * join target...) plus threads whose deadline is the earliest pending one
 * (choosing such a thread fires its timeout and moves the clock there).
 * The strategy picks one; the decision is recorded; the baton moves.
 *
 * Time is virtual: it moves only when a deadline fires (and by 1 us per
 * clock read, so that a loop polling the clock terminates).  A deadline may
 * fire while other threads could still run: real threads can be late, and
 * that is the race between a timeout and a wake-up that must be explored.
 * Deadlines fire in order: only the earliest pending one is a candidate.
 *
 * Bounded lateness.  Real machines are late by milliseconds, not seconds:
 * a thread that is runnable but not chosen is "late", and the clock may
 * never move past (the moment it became runnable + max_delay).  So a
 * deadline past that bound is no candidate while the thread waits, a clock
 * read that would pass it is a scheduling point, and a thread whose bound
 * the clock has reached must run next.  A thread that has just yielded
 * (sched_yield, a failed trylock, an unchanged atomic re-read, a zero
 * timeout) waives the bound at that point: it said it has nothing to do,
 * and a spin loop must not hold the clock back forever.
 *
 * No candidates: deadlock (a wait-for cycle) or stall (no cycle).  A
 * thread blocked with no deadline for --stall-timeout of virtual time while
 * others keep ticking is suspected stuck; the execution then continues
 * under a fair schedule (runnable threads round robin, timeouts only when
 * nothing else can run) for another --stall-timeout, and the stall is
 * reported only if the thread is still stuck (docs/design.md, "stalls").
 */
#include "rt.h"
#include "strategy/strategy.h"
#include <errno.h>
#include <execinfo.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

IL_HIDDEN struct il_state il;
IL_HIDDEN IL_TLS struct il_thread *il_me;
IL_HIDDEN IL_TLS int il_in_rt;
IL_HIDDEN IL_TLS uint64_t il_hook_pc;

#define BASE_MONO_NS (1000LL * 1000000000LL) /* CLOCK_MONOTONIC at vtime 0 */
#define LATE_MARK_NS 10000 /* a choice this late (10 us) is marked in the timeline */
#define STARVE_STEPS 2000 /* a runnable thread not chosen for this many steps is starved */

static long futex(_Atomic uint32_t *w, int op, uint32_t val, const struct timespec *ts) {
  return il_sys(SYS_futex, (long)w, op, val, (long)ts, 0, 0);
}

int il_controlled(void) {
  if (il.active != 1 || il_in_rt) {
    /* 2: a child forked before the program had threads; it waits to be
     * handed the execution (i_proc.c), or runs free after an exec. */
    if (il.active == 2 && !il_in_rt) return il_await_handover(0);
    return 0;
  }
  struct il_thread *t = il_me;
  if (!t) {
    /* A thread we did not create (libc's timer threads, or one started
     * before main): it runs free.  Say so in the report. */
    il.shm->res.warnings |= IL_W_UNCONTROLLED_THREAD;
    return 0;
  }
  if (t->exiting) {
    /* Thread-local destructors after our exit point: uncontrolled. */
    il.shm->res.warnings |= IL_W_TLS_DTOR;
    return 0;
  }
  return 1;
}

/* ---- random numbers: xoshiro256**, seeded by splitmix64 ---- */
static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
uint64_t il_rand(void) {
  uint64_t *s = il.rng, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
  return r;
}

/* ---- virtual time ---- */
static int64_t clock_base(clockid_t clk) {
  switch (clk) {
  case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_TAI:
    return il.req.base_realtime_ns;
  default:
    return BASE_MONO_NS;
  }
}
static void refresh_late_bound(void);
void il_vnow(clockid_t clk, struct timespec *ts, uint64_t pc) {
  /* 1 us per read: a loop polling the clock ends.  A read that would
   * carry the clock past a late thread's bound lets that thread run first
   * (the bound is re-read every 64 reads: a thread made runnable since the
   * last choice counts too). */
  if (++il.vnow_reads >= 64) refresh_late_bound();
  if (il.vclock + 1000 > il.late_bound && il_me && !il_me->exiting) {
    il.vclock = il.late_bound > il.vclock ? il.late_bound : il.vclock;
    il.dfs_clock = 1;
    il_point(IL_OP_CLOCK, NULL, -1, pc);
    il_record(IL_OP_CLOCK, NULL, 0, pc, 0);
  }
  il.vclock += 1000;
  il.dfs_clock = 1;
  int64_t ns = clock_base(clk) + il.vclock;
  ts->tv_sec = ns / 1000000000LL;
  ts->tv_nsec = ns % 1000000000LL;
}
int64_t il_ts_ns(const struct timespec *t) {
  if (t->tv_sec > INT64_MAX / 1000000000LL - 1) return INT64_MAX / 2;
  return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}
int64_t il_abs_to_vdeadline(clockid_t clk, const struct timespec *abs) {
  int64_t d = il_ts_ns(abs) - clock_base(clk);
  return d < il.vclock ? il.vclock : d;
}
int64_t il_rel_to_vdeadline(const struct timespec *rel) {
  int64_t d = il_ts_ns(rel);
  if (d < 0) d = 0;
  if (d > INT64_MAX / 4) d = INT64_MAX / 4;
  return il.vclock + d;
}

/* ---- held locks, for deadlock reports and rwlock readers ---- */
void il_held_add(struct il_thread *t, void *obj, int op, uint64_t pc) {
  il_lockdep_acquire(t, obj, op, pc);
  il_lockhold_begin(obj);
  if (t->nheld < IL_HELD_MAX) {
    t->held[t->nheld].obj = (uint64_t)(uintptr_t)obj;
    t->held[t->nheld].pc = pc;
    t->held[t->nheld].op = op;
    t->nheld++;
  }
}
void il_held_del(struct il_thread *t, void *obj) {
  il_lockhold_end(t, obj);
  for (int i = t->nheld - 1; i >= 0; i--)
    if (t->held[i].obj == (uint64_t)(uintptr_t)obj) {
      memmove(&t->held[i], &t->held[i + 1], (size_t)(t->nheld - i - 1) * sizeof t->held[0]);
      t->nheld--;
      return;
    }
}
static int holds_obj(struct il_thread *t, void *obj) {
  for (int i = 0; i < t->nheld; i++)
    if (t->held[i].obj == (uint64_t)(uintptr_t)obj) return 1;
  return 0;
}

/* Can t's pending operation proceed now, without a timeout? */
static int can_proceed(struct il_thread *t) {
  struct il_obj *o;
  if (t->creating) return 0;
  switch (t->op) {
  case IL_OP_LOCK: case IL_OP_COND_RELOCK:
    o = il_obj_find(t->obj);
    return !o || o->owner < 0 || (o->owner == t->idx && o->type == PTHREAD_MUTEX_RECURSIVE);
  case IL_OP_SPIN_LOCK:
    o = il_obj_find(t->obj);
    return !o || o->owner < 0;
  case IL_OP_RDLOCK:
    o = il_obj_find(t->obj);
    return !o || o->owner < 0;
  case IL_OP_WRLOCK:
    o = il_obj_find(t->obj);
    return !o || (o->owner < 0 && o->count == 0);
  case IL_OP_COND_WAIT: case IL_OP_FUTEX_WAIT:
    return t->signaled;
  case IL_OP_SIGWAIT:
    return (il_signal_pending(t) & t->sig_wait) != 0;
  case IL_OP_SIGSUSPEND:
    return (il_signal_pending(t) & ~t->sig_mask) != 0;
  case IL_OP_SEM_WAIT:
    o = il_obj_find(t->obj);
    return o && o->count > 0;
  case IL_OP_BARRIER:
    o = il_obj_find(t->obj);
    return o && o->gen != t->barrier_gen;
  case IL_OP_ONCE:
    o = il_obj_find(t->obj);
    return !o || o->owner < 0;
  case IL_OP_JOIN:
    return ((struct il_thread *)t->obj)->state == IL_T_DONE;
  case IL_OP_SLEEP:
    return 0;
  case IL_OP_WAITPID:
    return il_child_ready(t);
  case IL_OP_POLL: case IL_OP_IO_READ: case IL_OP_IO_WRITE: case IL_OP_IO_ACCEPT: {
    IL_ENTER();
    int r = il_real.poll(t->pfds, t->npfds, 0);
    IL_LEAVE();
    return r != 0;
  }
  default:
    return 1;
  }
}

/* Is t a runnable candidate now (choose())?  Its operation can proceed,
 * or a signal it does not block wakes it to run the handler at its point
 * (*by_signal: it waits on after, i_signal.c), or it wakes to be
 * cancelled. */
static int could_run(struct il_thread *t, int *by_signal) {
  *by_signal = 0;
  if (can_proceed(t)) return 1;
  if (t->op != IL_OP_SIGWAIT && (il_signal_pending(t) & ~t->sig_mask)) return *by_signal = 1;
  return t->cancel_pending && il_cancel_due(t, t->op);
}

/* Could a thread other than t run now, or a deadline fire (spin.c: a
 * spin preemption is worth making)?  A pending timer counts too. */
int il_others_can_run(struct il_thread *t) {
  for (int i = 0; i < il.nthreads; i++) {
    struct il_thread *u = &il.threads[i];
    int by_signal;
    if (u == t || !il_alive(u)) continue;
    if (u->deadline >= 0 || could_run(u, &by_signal)) return 1;
  }
  return il_timer_next() < INT64_MAX || il.nchildren > 0;
}

/* ---- baton ---- */
static void wake(struct il_thread *t) {
  il.cur = t;
  atomic_store_explicit(&t->go, 1, memory_order_release);
  futex(&t->go, FUTEX_WAKE_PRIVATE, 1, NULL);
}
void il_park_until_chosen(struct il_thread *t) {
  while (atomic_exchange_explicit(&t->go, 0, memory_order_acquire) == 0)
    futex(&t->go, FUTEX_WAIT_PRIVATE, 0, NULL);
  il_me = t;
  il.shm->running_tid = t->os_tid;
}

/* ---- verdicts ---- */
static int find_cycle_from(int start, int *onpath, int *visited);

static int wait_target(struct il_thread *t, int *targets, int max) {
  /* Who must act before t can proceed?  Threads only; -1 terminated. */
  int n = 0;
  struct il_obj *o;
  if (can_proceed(t) || t->deadline >= 0) return 0;
  switch (t->op) {
  case IL_OP_LOCK: case IL_OP_COND_RELOCK: case IL_OP_SPIN_LOCK: case IL_OP_ONCE:
    o = il_obj_find(t->obj);
    if (o && o->owner >= 0 && n < max) targets[n++] = o->owner;
    break;
  case IL_OP_RDLOCK: case IL_OP_WRLOCK:
    o = il_obj_find(t->obj);
    if (o && o->owner >= 0 && n < max) targets[n++] = o->owner;
    for (int i = 0; i < il.nthreads && n < max; i++)
      if (i != o->owner && holds_obj(&il.threads[i], t->obj)) targets[n++] = i;
    break;
  case IL_OP_JOIN:
    targets[n++] = ((struct il_thread *)t->obj)->idx;
    break;
  }
  return n;
}

static int find_cycle_from(int v, int *onpath, int *visited) {
  if (onpath[v]) return v;
  if (visited[v]) return -1;
  visited[v] = onpath[v] = 1;
  /* Small frames: this recursion may go as deep as there are threads, on
   * a program thread's stack.  Up to 8 targets (rwlock readers) each. */
  int tg[8];
  int n = wait_target(&il.threads[v], tg, 8);
  for (int i = 0; i < n; i++) {
    struct il_thread *u = &il.threads[tg[i]];
    if (!il_alive(u)) continue;
    int c = find_cycle_from(tg[i], onpath, visited);
    if (c >= 0) return c;
  }
  onpath[v] = 0;
  return -1;
}

/* Signal-handler rendezvous to take the stacks of parked threads. */
static _Atomic int stack_acks;
static void on_stack_signal(int sig, siginfo_t *si, void *uc) {
  (void)sig; (void)si; (void)uc;
  struct il_thread *t = il_me;
  if (t) {
    struct il_thread_info *ti = &il.shm->threads[t->idx];
    int n;
    il_capture_stack(ti->stack, &n, 2);
    ti->nstack = n;
  }
  atomic_fetch_add(&stack_acks, 1);
}

void il_capture_stack(uint64_t *out, int *n, int skip) {
  void *buf[IL_STACK_DEPTH + 8];
  IL_ENTER();
  int k = backtrace(buf, IL_STACK_DEPTH + 8);
  IL_LEAVE();
  int j = 0;
  for (int i = skip; i < k && j < IL_STACK_DEPTH; i++) out[j++] = (uint64_t)(uintptr_t)buf[i];
  *n = j;
}


void il_snapshot(void) {
  struct il_shm *s = il.shm;
  s->res.steps = il.step;
  s->res.sync_steps = il.sync_step;
  s->res.vtime = il.vclock;
  s->res.ndecisions = (uint32_t)(il.step < IL_MAX_DECISIONS ? il.step : IL_MAX_DECISIONS);
  s->res.nthreads = il.nthreads;
  for (int i = 0; i < il.nthreads; i++) {
    struct il_thread *t = &il.threads[i];
    struct il_thread_info *ti = &s->threads[i];
    ti->os_tid = t->os_tid;
    /* BLOCKED: waits for another thread (a timed wait still counts, the
     * report tells them apart by deadline). */
    ti->state = t->state == IL_T_DONE || t->exiting ? IL_T_DONE
              : (can_proceed(t) ? IL_T_RUNNABLE : IL_T_BLOCKED);
    ti->wait_op = t->op;
    ti->wait_obj = t->op == IL_OP_JOIN && t->obj ? (uint64_t)((struct il_thread *)t->obj)->idx
                                                  : (uint64_t)(uintptr_t)t->obj;
    ti->wait_pc = t->pc;
    ti->blocked_since = t->blocked_since;
    ti->deadline = t->deadline;
    ti->nheld = t->nheld;
    memcpy(ti->held, t->held, sizeof t->held);
    ti->nstack = 0;
  }
  /* Ask every parked live thread for its stack; bounded wait. */
  struct sigaction sa = {0};
  sa.sa_sigaction = on_stack_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIG_STACK, &sa, NULL);
  int want = 0;
  pid_t pid = getpid();
  for (int i = 0; i < il.nthreads; i++) {
    struct il_thread *t = &il.threads[i];
    if (t == il_me || !il_alive(t) || t->os_tid <= 0) continue;
    if (il_sys(SYS_tgkill, pid, t->os_tid, SIG_STACK, 0, 0, 0) == 0) want++;
  }
  struct timespec ms = {0, 1000000};
  for (int spins = 0; atomic_load(&stack_acks) < want && spins < 200; spins++)
    il_real.nanosleep(&ms, NULL);
}

void il_finish(int verdict, int thread, uint64_t pc, const char *msg) {
  struct il_result *r = &il.shm->res;
  IL_ENTER();
  if (r->verdict == IL_V_NONE || r->verdict == IL_V_ASSERT) {
    if (r->verdict != IL_V_ASSERT) {
      r->verdict = verdict;
      r->thread = thread;
      r->pc = pc;
      if (msg) { strncpy(r->msg, msg, IL_MSG_SIZE - 1); r->msg[IL_MSG_SIZE - 1] = 0; }
    }
  }
  il_snapshot();
  if (il_me) {
    int n;
    il_capture_stack(il.shm->threads[il_me->idx].stack, &n, 1);
    il.shm->threads[il_me->idx].nstack = n;
  }
  if (il.standalone) {
    static const char *names[] = {"", "assertion failure", "crash", "deadlock", "stall",
                                  "hang", "watchdog", "unsupported", "diverged", "limit", "sanitizer report"};
    char line[600];
    int n = snprintf(line, sizeof line, "interleave: replay reached the failure: %s%s%s\n",
                     names[r->verdict % IL_V__COUNT], r->msg[0] ? ": " : "", r->msg);
    if (write(2, line, (size_t)n) < 0) { /* nothing to do */ }
    raise(SIGTRAP); /* under gdb: stop here, every thread in place */
  }
  _exit(IL_V__COUNT + 64);
}

/* No thread can proceed and no deadline is pending. */
static void no_progress(void) {
  int onpath[IL_MAX_THREADS] = {0}, visited[IL_MAX_THREADS] = {0};
  for (int i = 0; i < il.nthreads; i++) {
    if (!il_alive(&il.threads[i])) continue;
    int c = find_cycle_from(i, onpath, visited);
    if (c >= 0) il_finish(IL_V_DEADLOCK, c, il.threads[c].pc, NULL);
  }
  /* Stall: name the thread whose wait is the root, not one joining it. */
  int culprit = -1;
  for (int i = 0; i < il.nthreads; i++) {
    struct il_thread *t = &il.threads[i];
    if (!il_alive(t) || t->service) continue;
    if (culprit < 0) culprit = i;
    if (t->op != IL_OP_JOIN) { culprit = i; break; }
  }
  il_finish(IL_V_STALL, culprit, culprit >= 0 ? il.threads[culprit].pc : 0, NULL);
}

static void check_limits(void) {
  if (il.step >= il.req.max_steps) {
    il_finish(IL_V_HANG, il_me ? il_me->idx : -1, il_me ? il_me->pc : 0, "max-steps");
  }
  if (il.vclock > il.req.max_vtime_ns)
    il_finish(IL_V_HANG, il_me ? il_me->idx : -1, il_me ? il_me->pc : 0, "max-virtual-time");
}

/* Does t wait (through a chain of lock owners or join targets) for a
 * thread that can still act on its own: runnable, or in a timed wait?
 * Then t is slow, not stuck: a lock held across a long sleep is the
 * lock-hold detector's business, not a stall. */
static int waits_on_active(struct il_thread *t) {
  for (int hops = 0; hops < il.nthreads; hops++) {
    int tg[8]; /* as find_cycle_from: up to 8 (rwlock readers) */
    int n = wait_target(t, tg, 8);
    if (n == 0) return 0;
    struct il_thread *next = NULL;
    for (int i = 0; i < n; i++) {
      struct il_thread *u = &il.threads[tg[i]];
      if (!il_alive(u)) continue;
      if (can_proceed(u) || u->deadline >= 0) return 1;
      next = u;
    }
    if (!next) return 0;
    t = next;
  }
  return 0;
}

/* Liveness: start or settle a stall suspicion (see the file header). */
static void check_stall(void) {
  if (il.req.stall_timeout_ns <= 0) return;
  if (il.fair && il.fair_suspect < 0) {
    /* A starvation check, not a suspicion: fair for a while, then back. */
    if (il.vclock >= il.fair_until && il.step >= il.fair_until_step) il.fair = 0;
    return;
  }
  if (il.fair) {
    struct il_thread *s = &il.threads[il.fair_suspect];
    if (!il_alive(s) || can_proceed(s) || s->deadline >= 0 || waits_on_active(s)) { il.fair = 0; return; }
    if (il.vclock > il.fair_until) { /* strictly: the last sleeper has run */
      /* Name the root: a thread joining a stuck thread is stuck because
       * of it. */
      for (int hops = 0; hops < il.nthreads && s->op == IL_OP_JOIN; hops++) {
        struct il_thread *u = s->obj;
        if (!il_alive(u) || can_proceed(u) || u->deadline >= 0) break;
        s = u;
      }
      il_finish(IL_V_STALL, s->idx, s->pc, "stuck while other threads kept running");
    }
    return;
  }
  for (int i = 0; i < il.nthreads; i++) {
    struct il_thread *t = &il.threads[i];
    if (!il_alive(t) || t == il.cur) continue;
    int starved_time = il.vclock - t->last_run > il.req.stall_timeout_ns;
    int starved_steps = il.step - t->last_run_step > STARVE_STEPS;
    if ((starved_time || starved_steps) && can_proceed(t)) {
      /* Runnable but not chosen for that long (in virtual time, or in
       * steps: a spin on an atomic does not move the clock): the strategy
       * is starving it (PCT's fixed priorities against a ticking or
       * spinning thread).  Not a bug of the program; run fairly a while. */
      il.fair = 1;
      il.fair_suspect = -1;
      il.fair_until = starved_time ? il.vclock + il.req.stall_timeout_ns : il.vclock;
      il.fair_until_step = il.step + STARVE_STEPS;
      return;
    }
    if (t->deadline >= 0) continue;
    /* A thread waiting for a signal (a server's shutdown thread) waits for
     * the world outside, not for the other threads: not suspected. */
    if (t->op == IL_OP_SIGWAIT || t->op == IL_OP_SIGSUSPEND || t->op == IL_OP_WAITPID || t->service) continue;
    if (il.vclock - t->blocked_since > il.req.stall_timeout_ns && !can_proceed(t) && !waits_on_active(t)) {
      il.fair = 1;
      il.fair_suspect = i;
      il.fair_until = il.vclock + il.req.stall_timeout_ns;
      /* Every thread in a timed wait now must finish that wait before the
       * suspicion can be confirmed: a 90 s sleeper may be the one that
       * signals.  (A ticker's next deadline is near; it costs nothing.) */
      for (int k = 0; k < il.nthreads; k++) {
        struct il_thread *u = &il.threads[k];
        if (il_alive(u) && u->deadline >= 0 && u->deadline > il.fair_until) il.fair_until = u->deadline;
      }
      int64_t tnext = il_timer_next(); /* a timer may be what wakes it */
      if (tnext < INT64_MAX && tnext > il.fair_until) il.fair_until = tnext;
      return;
    }
  }
}

/* Fair continuation: runnable threads round robin; a timeout only when
 * nothing else can run. */
static int fair_pick(struct il_thread **cand, int nready) {
  /* cand[0..nready) are the runnable ones (choose() puts them first). */
  int best = -1;
  uint64_t bestd = 0;
  for (int k = 0; k < nready; k++) {
    uint64_t d = ((uint64_t)cand[k]->idx + IL_MAX_THREADS - il.fair_rr % IL_MAX_THREADS) % IL_MAX_THREADS;
    if (best < 0 || d < bestd) {
      best = k;
      bestd = d;
    }
  }
  if (best < 0) best = 0;
  il.fair_rr = (uint64_t)cand[best]->idx + 1;
  return best;
}

/* The moment since which t has been due to run (runnable, or its deadline
 * passed), or -1; and whether that holds the clock back (not waived). */
static int64_t due_since(const struct il_thread *t, int ready) {
  if (ready) return t->ready_since;
  return t->deadline >= 0 && t->deadline <= il.vclock ? t->deadline : -1;
}
static int64_t bound_of(int64_t since) {
  int64_t d = il.req.max_delay_ns;
  if (d < 0 || since < 0 || since > INT64_MAX - d) return INT64_MAX;
  return since + d;
}

/* Clock reads: is a thread made runnable since the last choice late? */
static void refresh_late_bound(void) {
  il.vnow_reads = 0;
  if (il.req.max_delay_ns < 0) return;
  for (int i = 0; i < il.nthreads; i++) {
    struct il_thread *t = &il.threads[i];
    if (!il_alive(t) || t == il_me || t->waive || !can_proceed(t)) continue;
    if (t->ready_since < 0) t->ready_since = il.vclock;
    int64_t b = bound_of(t->ready_since);
    if (b < il.late_bound) il.late_bound = b;
  }
}

/* --strategy dfs: what this step chose from (common/wire.h, cli/dfs.c).
 * `caller`: the thread asking (NULL: it is exiting); `self`: it, if it
 * could go on (then choosing another is a preemption). */
static void dfs_record(struct il_thread **cand, int n, int nready, int k, struct il_thread *caller,
                       struct il_thread *self, unsigned flags) {
  struct il_dfs_step *d = &il.shm->dfs[il.step];
  d->ready = d->timed = 0;
  for (int i = 0; i < n; i++) {
    if (cand[i]->idx >= 64) { flags |= IL_DFS_WIDE; continue; }
    if (i < nready) d->ready |= 1ULL << cand[i]->idx;
    else d->timed |= 1ULL << cand[i]->idx;
  }
  d->op = (uint16_t)cand[k]->op;
  d->obj = (uint64_t)(uintptr_t)cand[k]->obj;
  if (cand[k]->op == IL_OP_JOIN && cand[k]->obj) d->obj = IL_DFS_THREAD_KEY(((struct il_thread *)cand[k]->obj)->idx);
  d->caller_op = caller ? (uint16_t)caller->op : IL_DFS_NOSELF;
  d->caller_obj = caller ? (uint64_t)(uintptr_t)caller->obj : 0;
  d->caller_obj2 = caller && caller->op == IL_OP_COND_WAIT ? (uint64_t)(uintptr_t)caller->obj2 : 0;
  d->self = self ? (uint16_t)self->idx : IL_DFS_NOSELF;
  d->flags = (uint16_t)flags;
}

/* Choose who runs next.  `self` is the caller if it is still a candidate
 * (parked at a point), NULL if it is leaving.  Returns NULL only when no
 * thread is alive any more.  Never returns if the execution must end. */
static int spin_deferred(const struct il_thread *t) {
  return t->op == IL_OP_SPIN && il.step < t->spin_until;
}

static struct il_thread *choose(struct il_thread *self) {
  struct il_thread *cand[IL_MAX_THREADS];
  int n = 0, nready = 0;
  int64_t earliest = INT64_MAX;
  struct il_thread *timed[IL_MAX_THREADS];
  unsigned late_cut = 0; /* IL_DFS_LATE: the candidates were cut to the late threads */
  for (;;) {
    int ntimed = 0;
    n = nready = 0;
    /* Children run for real: let them reach a point where they wait for
     * the program before deciding anything (i_proc.c), so that what the
     * program can see of them does not depend on real timing. */
    if (il.nchildren) il_children_settle();
    earliest = INT64_MAX;
    int64_t bound = INT64_MAX; /* the clock may not move past this */
    il_signal_inject();
    /* Timers (i_timer.c) due by now fire first: their signal or timerfd
     * readiness is part of what the threads see. */
    int64_t tnext = il_timer_next();
    if (tnext <= il.vclock) {
      il_timer_fire();
      tnext = il_timer_next();
    }
    /* can_proceed once per thread (for a poller it is a system call). */
    for (int i = 0; i < il.nthreads; i++) {
      struct il_thread *t = &il.threads[i];
      if (!il_alive(t)) continue;
      int ready = could_run(t, &t->sig_wake);
      if (ready) {
        if (t->ready_since < 0) t->ready_since = il.vclock;
        if (!t->waive && bound_of(t->ready_since) < bound) bound = bound_of(t->ready_since);
        cand[n++] = t;
        nready++;
      } else {
        /* Blocked again before it ran (another thread took the lock it
         * could have had): it keeps its ready_since, since it has been
         * kept from running that long. */
        if (t->deadline >= 0) {
          timed[ntimed++] = t;
          if (t->deadline < earliest) earliest = t->deadline;
        }
      }
    }
    /* A thread preempted in a spin (spin.c) waits for the others: while
     * another can run, it is no candidate, for up to IL_SPIN_DEFER_STEPS
     * steps (a strategy's priorities alone could choose it again, and
     * each spin costs real time). */
    if (nready > 1) {
      int m = 0;
      for (int i = 0; i < nready; i++) m += !spin_deferred(cand[i]);
      if (m > 0 && m < nready) {
        int j = 0;
        for (int i = 0; i < nready; i++)
          if (!spin_deferred(cand[i])) cand[j++] = cand[i];
        n = nready = m;
        late_cut = IL_DFS_LATE; /* a cut by step count: global to the search, as the lateness one */
      }
    }
    for (int i = 0; i < ntimed; i++) { /* deadlines passed: due since then */
      int64_t b = bound_of(due_since(timed[i], 0));
      if (!timed[i]->waive && b < bound) bound = b;
    }
    if (nready > 0 && bound <= il.vclock) {
      /* Someone's bound is reached: only threads that are due that long
       * may run (ready ones first, as below). */
      int m = 0, mready = 0;
      for (int i = 0; i < nready; i++)
        if (!cand[i]->waive && bound_of(cand[i]->ready_since) <= il.vclock) cand[m++] = cand[i], mready++;
      for (int i = 0; i < ntimed; i++)
        if (timed[i]->deadline <= earliest && bound_of(timed[i]->deadline) <= il.vclock) cand[m++] = timed[i];
      if (m > 0) { n = m; nready = mready; late_cut = IL_DFS_LATE; goto picked_set; }
    }
    /* A deadline fires only if that keeps the clock within every
     * runnable thread's bound; with nobody runnable, time just passes.
     * No deadline may pass an armed timer's expiry. */
    /* Nobody can run, and only time would change that: while a slow
     * child is still busy, time moves no faster than real time (the
     * child may be what the program waits for). */
    if (nready == 0 && il.nchildren && il_children_slow()) {
      int64_t next = earliest < tnext ? earliest : tnext;
      if (next > il.vclock && next < INT64_MAX && il_children_wait_ns(next - il.vclock)) continue;
    }
    if ((nready == 0 || earliest <= bound) && earliest <= tnext)
      for (int i = 0; i < ntimed; i++)
        if (timed[i]->deadline <= earliest) cand[n++] = timed[i];
    if (n > 0) break;
    if (il.nlive == 0) return NULL;
    if (tnext < INT64_MAX) { /* only a timer can change anything: its time comes */
      il.vclock = tnext;
      il.dfs_clock = 1;
      continue;
    }
    if (il.nchildren && il_children_wait()) continue; /* a slow child may still act */
    no_progress();
  }
picked_set:;
  int k;
  /* PCT over synchronization steps (est_sync) counts this decision only
   * if the point is not a memory access. */
  il.sync_now = !(il.cur && il_op_memory(il.cur->op));
  il.sync_step += (uint64_t)il.sync_now;
  if (il.req.strategy == IL_STRAT_REPLAY) {
    k = il_strategy_pick(cand, n);
    if (k < 0)
      il_finish(IL_V_DIVERGED, self ? self->idx : -1, self ? self->pc : 0,
                "the program did not follow the recorded schedule");
  } else {
    k = il.fair ? fair_pick(cand, nready) : il_strategy_pick(cand, n);
    if (il.step < IL_MAX_DECISIONS) il.shm->decisions[il.step] = (uint16_t)cand[k]->idx;
  }
  struct il_thread *t = cand[k];
  t->ev_flags = 0;
  int self_ready = 0;
  for (int i = 0; self && i < nready; i++) self_ready |= cand[i] == self;
  if ((il.req.flags & IL_F_DFS) && il.step < IL_DFS_STEPS)
    dfs_record(cand, n, nready, k, self, self_ready ? self : NULL,
               (k >= nready ? IL_DFS_TIMEOUT : 0) | (il.fair ? IL_DFS_FAIR : 0) |
                   (t->sig_wake || t->cancel_pending ? IL_DFS_GLOBAL : 0) | (il.dfs_clock ? IL_DFS_CLOCK : 0) |
                   late_cut);
  il.dfs_clock = 0;
  if (self && t != self && self_ready) t->ev_flags |= IL_EV_PREEMPT;
  if (il.fair) t->ev_flags |= IL_EV_FAIRMODE;
  /* How late it is: runnable (or due) since, until now. */
  int64_t since = due_since(t, k < nready);
  if (since >= 0 && il.vclock - since > il.shm->res.late_ns) {
    il.shm->res.late_ns = il.vclock - since;
    il.shm->res.late_since = since;
    il.shm->res.late_thread = t->idx;
    il.shm->res.late_step = (uint32_t)il.step + 1; /* as its event shows it */
  }
  if (since >= 0 && il.vclock - since >= LATE_MARK_NS) t->ev_flags |= IL_EV_LATE;
  if (k >= nready) { /* a timed waiter whose condition does not hold */
    /* Its deadline fires.  Time moves; a thread that fired a timeout while
     * others could run yields its priority, so a polling loop cannot
     * starve them forever. */
    t->timed_out = 1;
    t->ev_flags |= IL_EV_TIMEOUT;
    if (t->deadline > il.vclock) il.vclock = t->deadline;
    if (nready > 0) il_deprioritize(t);
  }
  t->ready_since = -1;
  t->waive = 0;
  /* The bound the clock must respect while t runs. */
  il.late_bound = INT64_MAX;
  il.vnow_reads = 0;
  for (int i = 0; i < n; i++) {
    struct il_thread *u = cand[i];
    if (u == t || u->waive) continue;
    int64_t b = bound_of(due_since(u, i < nready));
    if (b < il.late_bound) il.late_bound = b;
  }
  t->last_run = il.vclock;
  t->last_run_step = il.step;
  il.step++;
  il.shm->progress = il.step;
  check_limits();
  check_stall();
  return t;
}

int il_choose_among(struct il_thread **cand, int n) {
  if (n <= 1) return 0;
  il.sync_now = 1;
  il.sync_step++;
  int k = il_strategy_pick(cand, n);
  if ((il.req.flags & IL_F_DFS) && il.step < IL_DFS_STEPS)
    dfs_record(cand, n, n, k < 0 ? 0 : k, il_me, NULL, IL_DFS_AMONG | (il.dfs_clock ? IL_DFS_CLOCK : 0));
  if (il.req.strategy == IL_STRAT_REPLAY) {
    if (k < 0)
      il_finish(IL_V_DIVERGED, il_me->idx, il_me->pc, "the program did not follow the recorded schedule");
  } else if (il.step < IL_MAX_DECISIONS) {
    il.shm->decisions[il.step] = (uint16_t)cand[k]->idx;
  }
  il.step++;
  il.shm->progress = il.step;
  return k;
}

int il_point(int op, void *obj, int64_t deadline, uint64_t pc) {
  struct il_thread *me = il_me;
  pc = il_pc_fix(pc);
  me->op = op;
  me->obj = obj;
  me->deadline = deadline;
  me->pc = pc;
  me->timed_out = 0;
  me->blocked_since = il.vclock;
  /* A zero timeout made again from the same place is a polling loop: a
   * yield, which waives the lateness bound (so the loop cannot hold the
   * clock back).  A single one (a WNOHANG waitpid in a dispatch, a
   * poll(0) before a blocking poll) is not: the thread stays due. */
  if (deadline >= 0 && deadline <= il.vclock) {
    if (me->zero_pc == pc) me->waive = 1;
    me->zero_pc = pc;
  } else {
    me->zero_pc = 0;
  }
  /* A zero timeout (deadline now: a WNOHANG, a poll with timeout 0) is
   * a yield, not a blocking call. */
  int blocking = me->nheld && (deadline > il.vclock || !can_proceed(me));
  if (blocking) il_lockhold_blocking(me, op, obj, pc);
  for (;;) {
    struct il_thread *t = choose(me);
    if (t != me) {
      wake(t);
      il_park_until_chosen(me);
    }
    if (!me->sig_wake) break;
    /* Chosen only to take a signal: its handler runs here, and the
     * operation waits on, as under SA_RESTART. */
    me->sig_wake = 0;
    il_signal_deliver(me);
  }
  if (blocking) il_lockhold_resumed(me, obj);
  me->deadline = -1;
  if (me->cancel_pending && il_cancel_due(me, op)) {
    /* A cancellation point: the thread exits here, its cleanup handlers
     * and destructors running under control as it unwinds.  In a
     * condition wait, only once the mutex is held again (POSIX). */
    if (op != IL_OP_COND_WAIT) il_cancel_act();
    me->cancel_now = 1;
    me->signaled = 1;
  }
  /* Signals it does not block are handled here, between two of its
   * operations (i_signal.c); a waiter for signals takes its own. */
  if (il_signal_pending(me) && op != IL_OP_SIGWAIT && op != IL_OP_SIGSUSPEND) il_signal_deliver(me);
  return me->timed_out;
}

void il_record(int op, void *obj, int result, uint64_t pc, uint32_t flags) {
  struct il_shm *s = il.shm;
  struct il_thread *me = il_me;
  pc = il_pc_fix(pc);
  uint64_t i = s->nevents++ % IL_EVENT_RING;
  struct il_event *e = &s->events[i];
  e->step = (uint32_t)il.step;
  e->thread = (uint16_t)me->idx;
  e->op = (uint16_t)op;
  e->result = result;
  e->flags = flags | me->ev_flags;
  me->ev_flags = 0;
  e->obj = (uint64_t)(uintptr_t)obj;
  e->pc = pc;
  e->vtime = il.vclock;
  if (il.req.flags & IL_F_STACKS) {
    int n;
    uint64_t st[IL_STACK_DEPTH];
    il_capture_stack(st, &n, 2);
    for (int j = 0; j < 4; j++) s->event_stacks[i][j] = j < n ? st[j] : 0;
  }
}

struct il_thread *il_new_thread(void *(*start)(void *), void *arg, uint64_t pc) {
  if (il.nthreads >= IL_MAX_THREADS)
    il_finish(IL_V_LIMIT, il_me ? il_me->idx : -1, pc, "more than 512 threads created in one execution");
  struct il_thread *t = &il.threads[il.nthreads];
  memset(t, 0, sizeof *t);
  t->idx = il.nthreads++;
  t->state = IL_T_RUNNABLE;
  t->op = IL_OP_START;
  t->deadline = -1;
  t->start = start;
  t->arg = arg;
  t->pc = pc;
  t->last_run = il.vclock;
  t->last_run_step = il.step;
  t->ready_since = -1;
  il.nlive++;
  il_strategy_new_thread(t);
  il_hb_thread_start(t, il_me);
  struct il_thread_info *ti = &il.shm->threads[t->idx];
  memset(ti, 0, sizeof *ti);
  ti->start_routine = (uint64_t)(uintptr_t)start;
  ti->create_pc = il_pc_fix(pc);
  ti->parent = il_me ? il_me->idx : -1;
  return t;
}

/* The caller's thread is done: it leaves the run queue and hands the
 * baton on without waiting for it again. */
void il_thread_exit(void *retval, uint64_t pc) {
  struct il_thread *me = il_me;
  il_point(IL_OP_EXIT, NULL, -1, pc);
  me->retval = retval;
  me->state = IL_T_DONE;
  il.nlive--;
  il_record(IL_OP_EXIT, NULL, 0, pc, 0);
  me->exiting = 1;
  struct il_thread *t = choose(NULL);
  if (t) wake(t);
}

/* Set up the scheduler for one execution; the calling (main) thread
 * becomes thread 0 and holds the baton. */
void il_start_execution(void) {
  il.req = il.shm->req;
  il.step = 0;
  il.sync_step = 0;
  il.vclock = 0;
  il.nthreads = 0;
  il.nlive = 0;
  il.fair = 0;
  il.late_bound = INT64_MAX;
  il.vnow_reads = 0;
  il.dfs_clock = 0;
  /* A forked execution starts from the fork server's pristine (all-zero)
   * table: clearing it would copy-on-write 400 KB for nothing. */
  if (il.nobjs) memset(il.objs, 0, sizeof il.objs);
  il.nobjs = 0;
  memset(&il.shm->res, 0, sizeof il.shm->res);
  il.shm->res.thread = -1;
  il.shm->res.late_thread = -1;
  il.shm->nevents = 0;
  il.shm->nedges = 0;
  il.shm->nholds = 0;
  il.shm->progress = 0;
  uint64_t z = il.req.seed;
  for (int i = 0; i < 4; i++) il.rng[i] = il_splitmix(&z);
  il_strategy_init();
  il_random_reset();
  il_signal_reset();
  il_timer_reset();
  il_proc_reset();
  /* --signal: a step in [1, est_steps], from the seed alone (not il_rand:
   * the strategy's draws stay the same with or without it). */
  if (il.req.inject_signal)
    il.inject_step = 1 + il_mix64(il.req.seed ^ 0x5349474e414c2121ULL /* "SIGNAL!!" */) %
                             (il.req.est_steps ? il.req.est_steps : 1);
  struct il_thread *m = il_new_thread(NULL, NULL, 0);
  m->os_tid = (int32_t)il_sys(SYS_gettid, 0, 0, 0, 0, 0, 0);
  m->pt = pthread_self();
  m->op = -1;
  il_signal_read_mask(m);
  il.cur = m;
  il_me = m;
  il.shm->running_tid = m->os_tid;
  il.shm->threads[0].os_tid = m->os_tid;
  il.active = 1;
  il_record(IL_OP_START, NULL, 0, 0, 0);
}
