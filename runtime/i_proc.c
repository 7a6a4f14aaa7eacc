/* i_proc.c: process creation.  A child process would run outside the
 * scheduler (its threads unserialized, its time real), and a replay could
 * not reproduce it, so an execution that forks or execs ends with an
 * "unsupported" verdict naming the call; the CLI turns it into exit 2.
 * The call is never made: no uncontrolled child is left behind. */
#include "rt.h"
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static __attribute__((noreturn)) void refuse(const char *what, uint64_t pc) {
  char m[256];
  if (!strncmp(what, "pthread_", 8))
    snprintf(m, sizeof m,
             "the program calls %s(): interleave cannot control thread cancellation yet, "
             "so the execution stops here instead of guessing", what);
  else
    snprintf(m, sizeof m,
             "the program calls %s(): a child process would run outside interleave's control, "
             "so the execution stops here and no child is created", what);
  il_finish(IL_V_UNSUPPORTED, il_me->idx, pc, m);
}

IL_EXPORT pid_t fork(void) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.fork();
  }
  refuse("fork", IL_CALLER);
}

IL_EXPORT pid_t vfork(void) {
  if (!il_controlled()) {
    il_resolve();
    return il_real.fork();
  }
  refuse("vfork", IL_CALLER);
}

#define REFUSE_OR_REAL(name, ret, proto, args, ...)           \
  IL_EXPORT ret name proto {                                  \
    static ret (*real) proto;                                 \
    if (il_controlled()) refuse(#name, IL_CALLER);            \
    if (!real) real = il_sym(#name, NULL);                    \
    return real args;                                         \
  }
REFUSE_OR_REAL(execve, int, (const char *p, char *const a[], char *const e[]), (p, a, e))
REFUSE_OR_REAL(execv, int, (const char *p, char *const a[]), (p, a))
REFUSE_OR_REAL(execvp, int, (const char *p, char *const a[]), (p, a))
REFUSE_OR_REAL(execvpe, int, (const char *p, char *const a[], char *const e[]), (p, a, e))
REFUSE_OR_REAL(system, int, (const char *c), (c))
REFUSE_OR_REAL(daemon, int, (int nochdir, int noclose), (nochdir, noclose))
REFUSE_OR_REAL(popen, FILE *, (const char *c, const char *m), (c, m))
REFUSE_OR_REAL(posix_spawn, int,
               (pid_t *pid, const char *p, const posix_spawn_file_actions_t *fa,
                const posix_spawnattr_t *at, char *const a[], char *const e[]),
               (pid, p, fa, at, a, e))
REFUSE_OR_REAL(posix_spawnp, int,
               (pid_t *pid, const char *p, const posix_spawn_file_actions_t *fa,
                const posix_spawnattr_t *at, char *const a[], char *const e[]),
               (pid, p, fa, at, a, e))

/* execl and friends take varargs; under control they are refused before
 * the arguments matter, otherwise they are rebuilt for execv*. */
#define MAXARGS 256
static int collect(const char *arg0, va_list ap, char **argv, char ***envp) {
  int n = 0;
  argv[n++] = (char *)arg0;
  while (arg0 && n < MAXARGS - 1 && (argv[n] = va_arg(ap, char *))) n++;
  argv[n] = NULL;
  if (envp) *envp = va_arg(ap, char **);
  return n;
}
IL_EXPORT int execl(const char *p, const char *arg0, ...) {
  if (il_controlled()) refuse("execl", IL_CALLER);
  char *argv[MAXARGS];
  va_list ap;
  va_start(ap, arg0);
  collect(arg0, ap, argv, NULL);
  va_end(ap);
  return execv(p, argv);
}
IL_EXPORT int execlp(const char *p, const char *arg0, ...) {
  if (il_controlled()) refuse("execlp", IL_CALLER);
  char *argv[MAXARGS];
  va_list ap;
  va_start(ap, arg0);
  collect(arg0, ap, argv, NULL);
  va_end(ap);
  return execvp(p, argv);
}
IL_EXPORT int execle(const char *p, const char *arg0, ...) {
  if (il_controlled()) refuse("execle", IL_CALLER);
  char *argv[MAXARGS], **envp;
  va_list ap;
  va_start(ap, arg0);
  collect(arg0, ap, argv, &envp);
  va_end(ap);
  return execve(p, argv, envp);
}

/* A fork from inside a library (glibc's own daemon() calls its internal
 * fork, which no interposer sees) still runs the fork handlers: refuse
 * there, in the parent, before the child exists.  The fork server's own
 * forks happen while no execution is active. */
static void on_fork_prepare(void) {
  if (!il.active || il.standalone || !il_me || il_in_rt) return;
  il_finish(IL_V_UNSUPPORTED, il_me->idx, il_me->pc,
            "the program forks from inside a library call: the child would run outside "
            "interleave's control, so the execution stops here and no child is created");
}

IL_HIDDEN void il_proc_init(void) {
  pthread_atfork(on_fork_prepare, NULL, NULL); /* libc_nonshared: no interposer */
}
