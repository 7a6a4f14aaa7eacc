/* spin.c: preempting a busy-wait that reaches no scheduling point.
 *
 * A thread that waits for another by spinning on a plain variable, with
 * no call in the loop (GLib's thread-pool test: `mov -0x44(%rbp),%eax;
 * test %eax,%eax; je <itself>`), never gives the baton away: the thread
 * it waits for is parked, so it spins until the watchdog ends the
 * execution.  Only an instrumented build sees such loads (tsan.c); rr
 * would preempt at a retired-branch count, which needs a hardware PMU
 * (this kind of VM has none: perf_event_open fails with ENOENT).
 *
 * So the watchdog's own measurement decides: once the baton holder has
 * used spin_ms of CPU since the last scheduling point, the fork server
 * (init.c, wait_child) sends it SIG_SPIN, with the progress count it saw
 * as the signal's value.  The handler runs on the spinning thread and
 * makes a scheduling point there (`spin` in the timeline), as a yield:
 * the thread goes below every other thread that has not yielded, so the
 * one it waits for may run; if the strategy chooses it again all the
 * same, it waits while any other thread can run, for up to
 * IL_SPIN_DEFER_STEPS steps (priorities alone would let it starve the
 * thread it waits for, at spin_ms of real time per round).  It
 * does so only when all of this holds, else it returns and the watchdog
 * goes on (and reports the spin if it lasts):
 *   - the thread holds the baton, no scheduling point happened since the
 *     server looked (the progress count is still the signal's value), and
 *     it is not inside the runtime (il_in_rt);
 *   - the interrupted instruction is outside libc, the dynamic loader,
 *     the vDSO, libgcc_s, libstdc++, the sanitizer runtimes and this
 *     runtime: code there may hold a lock of their own (malloc's, the
 *     loader's) that the next thread would then wait for for real;
 *   - another thread could run, or a deadline could fire;
 *   - the spins are not all there is: after 2 x live threads spin
 *     preemptions in a row with no other step between them, every thread
 *     is spinning (a livelock), and the watchdog reports it.
 * Determinism: the preemption lands at a CPU-time-dependent instruction.
 * For a loop that only reads until another thread writes (a wait), every
 * instruction of the loop is the same place, so a replay makes the same
 * steps (its spin is preempted at the same step, since it waits for the
 * same parked thread).  A computation that runs for about spin_ms without
 * a point may be preempted in one run and not in another; a replay then
 * says "diverged".  A standalone replay (replay --gdb) has no server: a
 * small monitor thread of the runtime's, outside the model, does the
 * server's part.
 */
#include "rt.h"
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>

#define MAX_RANGES 32
static struct il_range ranges[MAX_RANGES]; /* code a spin is not preempted in */
static int nranges;

/* Spin preemptions in a row (no other step between): see the header. */
static uint64_t last_spin_step = (uint64_t)-1;
static int streak, last_spin_thread = -1;

static int excluded_name(const char *base) {
  static const char *const names[] = {"libc.so.", "ld-linux", "linux-vdso", "libgcc_s.", "libstdc++.",
                                      "libasan.",  "libubsan.", "liblsan.",  "libtsan."};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (!strncmp(base, names[i], strlen(names[i]))) return 1;
  return 0;
}

static int collect(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size; (void)data;
  if (il_object_is_runtime(info) || excluded_name(il_object_name(info)))
    il_object_exec_ranges(info, ranges, &nranges, MAX_RANGES);
  return 0;
}

static void on_spin(int sig, siginfo_t *si, void *ucv) {
  (void)sig;
  int saved = errno;
  ucontext_t *uc = ucv;
  uint64_t pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
  uint64_t seen = (uint64_t)(uintptr_t)si->si_value.sival_ptr;
  if (si->si_code == SI_QUEUE && il.active == 1 && il_me && !il_in_rt && il.cur == il_me &&
      il.shm->progress == seen && !il_in_ranges(ranges, nranges, pc) && il_others_can_run(il_me)) {
    int in_row = il.step == last_spin_step + 1;
    streak = in_row ? streak + 1 : 0;
    if (streak < 2 * il.nlive) {
      /* Once, a yield: the strategy may still choose it again (a PCT
       * change point may have put the others below it).  Chosen again
       * with no other step between, it is starving them: it waits while
       * another can run (sched.c, spin_deferred). */
      il_me->spin_until = in_row && last_spin_thread == il_me->idx ? il.step + IL_SPIN_DEFER_STEPS : 0;
      last_spin_step = il.step;
      last_spin_thread = il_me->idx;
      il_deprioritize(il_me);
      il_point(IL_OP_SPIN, NULL, -1, pc);
      il_record(IL_OP_SPIN, NULL, 0, pc, 0);
    }
  }
  errno = saved;
}

void il_spin_init(void) {
  nranges = 0;
  dl_iterate_phdr(collect, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_spin;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIG_SPIN, &sa, NULL);
}

/* Ask thread tid of process pid to make a spin point, if it is still at
 * progress count seen. */
void il_spin_send(pid_t pid, pid_t tid, uint64_t seen) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  si.si_signo = SIG_SPIN;
  si.si_code = SI_QUEUE;
  si.si_pid = getpid();
  si.si_uid = getuid();
  si.si_value.sival_ptr = (void *)(uintptr_t)seen;
  il_sys(SYS_rt_tgsigqueueinfo, pid, tid, SIG_SPIN, (long)&si, 0, 0);
}

/* ---- standalone replay (replay --gdb): the server's part, in-process ---- */

static int64_t thread_cpu_ns(pid_t tid) {
  /* The kernel's per-thread CPU clock id (MAKE_THREAD_CPUCLOCK(tid,
   * CPUCLOCK_SCHED)): no /proc, no libc call the model would see. */
  clockid_t id = (clockid_t)((~(unsigned)tid) << 3) | 6;
  struct timespec ts;
  if (il_sys(SYS_clock_gettime, id, (long)&ts, 0, 0, 0, 0)) return -1;
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *monitor(void *arg) {
  (void)arg;
  int64_t spin_ns = (int64_t)il.shm->req.spin_ms * 1000000;
  uint64_t last = (uint64_t)-1;
  int32_t tid0 = 0;
  int64_t cpu0 = 0, sent_at = 0;
  pid_t pid = (pid_t)il_sys(SYS_getpid, 0, 0, 0, 0, 0, 0);
  for (;;) {
    struct timespec tick = {0, 10 * 1000000};
    il_sys(SYS_nanosleep, (long)&tick, 0, 0, 0, 0, 0);
    uint64_t prog = il.shm->progress;
    int32_t tid = il.shm->running_tid;
    if (!tid) continue;
    int64_t cpu = thread_cpu_ns(tid);
    if (prog != last || tid != tid0 || cpu < 0) {
      last = prog; tid0 = tid; cpu0 = sent_at = cpu;
      continue;
    }
    if (cpu - cpu0 >= spin_ns && cpu - sent_at >= spin_ns / 2) {
      il_spin_send(pid, tid, prog);
      sent_at = cpu;
    }
  }
  return NULL;
}

void il_spin_monitor_start(void) {
  if (!il.shm->req.spin_ms) return;
  pthread_t th;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  il_in_rt++;
  il_real.pthread_create(&th, &a, monitor, NULL);
  il_in_rt--;
  pthread_attr_destroy(&a);
}
