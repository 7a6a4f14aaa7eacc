/* seccomp.c: futex system calls that no interposer sees.
 *
 * libgomp (OpenMP) issues the syscall instruction itself, from 38 places,
 * to wait and wake: a blocked OpenMP thread would block for real while it
 * holds the baton.  Before the first execution, the fork server looks for
 * such code: a loaded object other than libc, the dynamic loader and this
 * runtime whose executable segments hold `mov $SYS_futex,%eax` followed
 * shortly by `syscall`.  If there is one, it installs a seccomp filter
 * that raises SIGSYS for a futex call whose instruction pointer lies in
 * those objects, and lets every other system call through; the handler
 * serves it from the futex model (i_futex.c) on the calling thread, then
 * writes the result into the saved rax.  libc's own futexes and the
 * runtime's baton stay real.  Seccomp filters survive fork, clone and
 * execve: trapping only the offending objects' ranges (not "everything
 * but libc") is what lets an exec'd child, whose libc lies elsewhere and
 * which has no SIGSYS handler, run (a child's code could only be trapped
 * if it happened to be mapped where one of those objects was).  A program
 * with no such object gets no filter at all.  Objects loaded later with
 * dlopen are not covered.
 *
 * Where seccomp is not available (a container without it), nothing is
 * installed and such waits stay uncontrolled (the watchdog names them).
 */
#include "rt.h"
#include <link.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>

/* Executable ranges whose futex calls trap into the model. */
#define MAX_RANGES 16
static struct il_range ranges[MAX_RANGES];
static int nranges;

/* mov $202,%eax (SYS_futex), then a syscall instruction within 20 bytes. */
static int issues_futex(const unsigned char *p, uint64_t n) {
  for (uint64_t i = 0; i + 5 < n; i++) {
    if (p[i] != 0xb8 || p[i + 1] != 0xca || p[i + 2] || p[i + 3] || p[i + 4]) continue;
    for (uint64_t j = i + 5; j + 1 < n && j < i + 25; j++)
      if (p[j] == 0x0f && p[j + 1] == 0x05) return 1;
  }
  return 0;
}

static int collect(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size; (void)data;
  const char *base = il_object_name(info);
  int inline_futex = 0;
  if (il_object_is_runtime(info) || !strncmp(base, "libc.so.", 8) || !strncmp(base, "ld-linux", 8) ||
      !strncmp(base, "linux-vdso", 10))
    return 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) &&
        issues_futex((const unsigned char *)(uintptr_t)(info->dlpi_addr + ph->p_vaddr), ph->p_filesz))
      inline_futex = 1;
  }
  if (inline_futex) il_object_exec_ranges(info, ranges, &nranges, MAX_RANGES);
  return 0;
}

static void on_sigsys(int sig, siginfo_t *si, void *ucv) {
  (void)sig;
  ucontext_t *uc = ucv;
  greg_t *g = uc->uc_mcontext.gregs;
  int saved = errno;
  long r;
  if (si->si_syscall == SYS_futex && il_controlled()) {
    r = il_futex((uint32_t *)g[REG_RDI], (int)g[REG_RSI], (uint32_t)g[REG_RDX], (const struct timespec *)g[REG_R10],
                 (uint32_t *)g[REG_R8], (uint32_t)g[REG_R9], (uint64_t)g[REG_RIP]);
  } else {
    r = il_sys(si->si_syscall, g[REG_RDI], g[REG_RSI], g[REG_RDX], g[REG_R10], g[REG_R8], g[REG_R9]);
  }
  g[REG_RAX] = r == -1 ? -errno : r; /* the raw system call's convention */
  errno = saved;
}

#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, jt, jf) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf))
#define JGE(k, jt, jf) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (jt), (jf))
#define IP_LO (offsetof(struct seccomp_data, instruction_pointer))
#define IP_HI (offsetof(struct seccomp_data, instruction_pointer) + 4)

void il_seccomp_init(void) {
  dl_iterate_phdr(collect, NULL);
  /* Pieces that do not cross a 4 GiB boundary: one high word each, so the
   * filter compares 32-bit halves. */
  struct piece { uint32_t hiword, lo, hi; int upper; } pc[2 * MAX_RANGES];
  int np = 0;
  for (int i = 0; i < nranges; i++)
    for (uint64_t a = ranges[i].lo; a < ranges[i].hi && np < 2 * MAX_RANGES;) {
      uint64_t end = ((a >> 32) + 1) << 32;
      if (end > ranges[i].hi) end = ranges[i].hi;
      pc[np].hiword = (uint32_t)(a >> 32);
      pc[np].lo = (uint32_t)a;
      pc[np].upper = (end & 0xffffffffULL) != 0; /* else: up to the boundary */
      pc[np].hi = (uint32_t)end;
      np++;
      a = end;
    }
  if (np == 0) return;
  /* arch, nr; then per piece: in it -> trap; past the last -> allow. */
  struct sock_filter f[4 + 5 * 2 * MAX_RANGES + 2];
  int total = 4 + 2, n = 0;
  for (int i = 0; i < np; i++) total += pc[i].upper ? 5 : 4;
  int allow = total - 2, trap = total - 1; /* falling past the last piece: allow */
  f[n++] = (struct sock_filter)LD(offsetof(struct seccomp_data, arch));
  f[n] = (struct sock_filter)JEQ(AUDIT_ARCH_X86_64, 0, (uint8_t)(allow - n - 1)); n++;
  f[n++] = (struct sock_filter)LD(offsetof(struct seccomp_data, nr));
  f[n] = (struct sock_filter)JEQ(SYS_futex, 0, (uint8_t)(allow - n - 1)); n++;
  for (int i = 0; i < np; i++) {
    int next = n + (pc[i].upper ? 5 : 4);
    f[n++] = (struct sock_filter)LD(IP_HI);
    f[n] = (struct sock_filter)JEQ(pc[i].hiword, 0, (uint8_t)(next - n - 1)); n++;
    f[n++] = (struct sock_filter)LD(IP_LO);
    if (pc[i].upper) {
      f[n] = (struct sock_filter)JGE(pc[i].lo, 0, (uint8_t)(next - n - 1)); n++;
      f[n] = (struct sock_filter)JGE(pc[i].hi, (uint8_t)(next - n - 1), (uint8_t)(trap - n - 1)); n++;
    } else {
      f[n] = (struct sock_filter)JGE(pc[i].lo, (uint8_t)(trap - n - 1), (uint8_t)(next - n - 1)); n++;
    }
  }
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
  if (n != total || allow != total - 2) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  if (sigaction(SIGSYS, &sa, NULL)) return;
  struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return;
  if (il_sys(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog, 0, 0, 0) == 0) il_seccomp_active = 1;
}

int il_seccomp_active;

/* In a child process the runtime was preloaded into inertly (i_proc.c
 * puts it back in the environment of children while the filter is on):
 * the filter came along through execve, and a futex call of the child's
 * that happens to lie where a trapped object was in the parent raises
 * SIGSYS.  The handler makes the call for real (il_controlled() is false
 * here). */
void il_seccomp_child(void) {
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSYS, &sa, NULL);
}
