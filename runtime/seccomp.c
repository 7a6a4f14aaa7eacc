/* seccomp.c: futex system calls that no interposer sees.
 *
 * libgomp (OpenMP) issues the syscall instruction itself, from 38 places,
 * to wait and wake: a blocked OpenMP thread would block for real while it
 * holds the baton.  Before the first execution, the fork server installs a
 * seccomp filter that lets every system call through except a futex call
 * whose instruction pointer lies outside libc, the dynamic loader and this
 * runtime; that one raises SIGSYS, and the handler serves it from the futex
 * model (i_futex.c) on the calling thread, then writes the result into the
 * saved rax.  libc's own futexes (its pthread internals, a real join's wait
 * for the kernel's tid wake) and the runtime's baton stay real and pay only
 * the filter's few comparisons.  Seccomp filters survive fork and clone, so
 * every execution and thread has it.
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

/* Executable ranges whose futex calls stay real. */
#define MAX_RANGES 16
static struct range { uint64_t lo, hi; } ranges[MAX_RANGES];
static int nranges;

static const void *self_anchor = &nranges;

static int collect(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size; (void)data;
  const char *n = info->dlpi_name, *slash = strrchr(n, '/');
  const char *base = slash ? slash + 1 : n;
  int mine = 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uint64_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
    if (ph->p_type == PT_LOAD && (uint64_t)(uintptr_t)self_anchor >= lo && (uint64_t)(uintptr_t)self_anchor < hi)
      mine = 1;
  }
  int keep = mine || !strncmp(base, "libc.so.", 8) || !strncmp(base, "ld-linux", 8);
  if (!keep) return 0;
  for (int i = 0; i < info->dlpi_phnum && nranges < MAX_RANGES; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
    uint64_t lo = info->dlpi_addr + ph->p_vaddr;
    ranges[nranges].lo = lo;
    ranges[nranges].hi = lo + ph->p_memsz;
    nranges++;
  }
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
  struct sock_filter f[4 + 5 * 2 * MAX_RANGES + 2];
  int total = 4 + 2, n = 0;
  for (int i = 0; i < np; i++) total += pc[i].upper ? 5 : 4;
  int allow = total - 1, trap = total - 2;
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
      f[n] = (struct sock_filter)JGE(pc[i].hi, (uint8_t)(next - n - 1), (uint8_t)(allow - n - 1)); n++;
    } else {
      f[n] = (struct sock_filter)JGE(pc[i].lo, (uint8_t)(allow - n - 1), (uint8_t)(next - n - 1)); n++;
    }
  }
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  if (n != total || trap != total - 2) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  if (sigaction(SIGSYS, &sa, NULL)) return;
  struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return;
  il_sys(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog, 0, 0, 0);
}
