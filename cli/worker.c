/* worker.c: one fork server (the program, started once, forking an
 * execution per request; see common/wire.h for the protocol). */
#include "cli.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int read_timeout(int fd, void *buf, size_t n, int timeout_ms) {
  char *p = buf;
  while (n) {
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    int r = poll(&pf, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return -2; /* timed out */
    ssize_t k = read(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

int worker_start(struct worker *w, const struct target *t, int cpu, int out_fd) {
  memset(w, 0, sizeof *w);
  w->cpu = cpu;
  w->out_fd = out_fd;
  int mfd = memfd_create("interleave-shm", MFD_CLOEXEC);
  if (mfd < 0 || ftruncate(mfd, sizeof(struct il_shm))) die_tool("memfd: %s", strerror(errno));
  w->shm = mmap(NULL, sizeof(struct il_shm), PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
  if (w->shm == MAP_FAILED) die_tool("mmap: %s", strerror(errno));
  w->shm->magic = IL_WIRE_MAGIC;
  w->shm->version = IL_WIRE_VERSION;
  int ctl[2], st[2];
  if (pipe2(ctl, O_CLOEXEC) || pipe2(st, O_CLOEXEC)) die_tool("pipe: %s", strerror(errno));
  /* What the program says before main (the dynamic loader's errors, a
   * sanitizer's complaint) is kept to explain a failed start. */
  int early = memfd_create("interleave-start", MFD_CLOEXEC);
  pid_t pid = fork();
  if (pid < 0) die_tool("fork: %s", strerror(errno));
  if (pid == 0) {
    /* The program: fixed layout (no ASLR) so that addresses and any
     * address-dependent behaviour repeat in replays. */
    personality(ADDR_NO_RANDOMIZE);
    setpgid(0, 0);
    /* If the CLI dies, so does its fork server (and the server's
     * executions, which set the same). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fds[3] = {mfd, ctl[0], st[1]}, hi[3];
    for (int i = 0; i < 3; i++) hi[i] = fcntl(fds[i], F_DUPFD, 900 + i); /* not CLOEXEC */
    if (out_fd >= 0) {
      char ofd[16];
      snprintf(ofd, sizeof ofd, "%d", fcntl(out_fd, F_DUPFD, 903));
      setenv(IL_ENV_OUT_FD, ofd, 1);
    }
    if (early >= 0) { dup2(early, 1); dup2(early, 2); }
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) { dup2(nul, 0); close(nul); }
    char env[64];
    snprintf(env, sizeof env, "%d,%d,%d", hi[0], hi[1], hi[2]);
    setenv(IL_ENV_FDS, env, 1);
    const char *old = getenv("LD_PRELOAD");
    char *pre = malloc(strlen(t->san_preload) + strlen(t->runtime) + (old ? strlen(old) : 0) + 3);
    if (!pre) _exit(127);
    /* ASan's runtime first (it insists), then ours (cli/sanitizer.c). */
    sprintf(pre, "%s%s%s%s%s", t->san_preload, t->san_preload[0] ? ":" : "", t->runtime,
            old && *old ? ":" : "", old && *old ? old : "");
    setenv("LD_PRELOAD", pre, 1);
    sanitizer_env(t);
    execv(t->path, t->argv);
    fprintf(stderr, "interleave: cannot run %s: %s\n", t->path, strerror(errno));
    _exit(127);
  }
  close(mfd);
  close(ctl[0]);
  close(st[1]);
  w->pid = pid;
  w->ctl = ctl[1];
  w->status = st[0];
  struct il_hello h;
  int r = read_timeout(w->status, &h, sizeof h, 30000);
  if (r) {
    int status = 0;
    kill(-pid, SIGKILL);
    waitpid(pid, &status, 0);
    w->pid = 0;
    /* Its last line of output, if it said why. */
    char *said = early >= 0 ? read_output(early) : NULL, *last = NULL;
    if (said) {
      size_t n = strlen(said);
      while (n && said[n - 1] == '\n') said[--n] = 0;
      last = strrchr(said, '\n');
      last = last ? last + 1 : said;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !(last && *last))
      die_usage("%s: cannot be executed", t->argv[0]);
    char how[64];
    if (r == -2) snprintf(how, sizeof how, "timed out");
    else if (WIFEXITED(status)) snprintf(how, sizeof how, "it exited before main, status %d", WEXITSTATUS(status));
    else snprintf(how, sizeof how, "it died before main, signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    die_usage("%s: the program did not reach main under interleave (%s)%s%s", t->argv[0], how,
              last && *last ? ": " : "", last && *last ? last : "");
  }
  if (early >= 0) close(early);
  if (h.magic != IL_WIRE_MAGIC || h.version != IL_WIRE_VERSION) die_tool("runtime and CLI versions differ");
  return 0;
}

void worker_stop(struct worker *w) {
  if (w->pid <= 0) return;
  close(w->ctl);
  close(w->status);
  /* The server exits when ctl closes; make sure of it and of its child. */
  int st;
  for (int i = 0; i < 100; i++) {
    if (waitpid(w->pid, &st, WNOHANG) == w->pid) { w->pid = 0; break; }
    struct timespec ms = {0, 2000000};
    nanosleep(&ms, NULL);
  }
  if (w->pid > 0) {
    kill(-w->pid, SIGKILL);
    kill(w->pid, SIGKILL);
    waitpid(w->pid, &st, 0);
    w->pid = 0;
  }
  munmap(w->shm, sizeof(struct il_shm));
}

/* Start one execution without waiting for it.  Returns 0, or -1 if the
 * server is gone. */
int worker_submit(struct worker *w, const struct il_request *req, const uint16_t *decisions, uint32_t ndec) {
  w->shm->req = *req;
  w->shm->req.cpu = w->cpu;
  if (decisions) memcpy(w->shm->decisions, decisions, ndec * sizeof *decisions);
  memset(&w->shm->res, 0, sizeof w->shm->res);
  w->busy = 1;
  w->started = *req;
  char go = 1;
  return write(w->ctl, &go, 1) == 1 ? 0 : -1;
}

/* Collect the execution started by worker_submit; blocks up to timeout_ms
 * (-1: the watchdog's bound).  Returns 0, -1 if the server died, -2 if
 * still running. */
int worker_collect(struct worker *w, struct outcome *o, const struct options *opt, int timeout_ms) {
  struct il_done d;
  /* The server enforces the watchdog; this bound only catches a server
   * that is itself stuck. */
  int r;
  if (timeout_ms >= 0) {
    r = read_timeout(w->status, &d, sizeof d, timeout_ms);
    if (r == -2) return -2;
  } else {
    /* An execution may be long (millions of steps); the server is stuck
     * only if a whole slice passes without a scheduling point. */
    uint64_t seen = w->shm->progress;
    for (;;) {
      r = read_timeout(w->status, &d, sizeof d, (int)w->started.watchdog_ms * 4 + 10000);
      if (r != -2 || w->shm->progress == seen) break;
      seen = w->shm->progress;
    }
  }
  if (r) return -1;
  w->busy = 0;
  memset(o, 0, sizeof *o);
  o->exec_index = w->started.exec_index;
  o->res = w->shm->res;
  o->res.wstatus = d.wstatus;
  if (!o->res.ndecisions && w->shm->progress) /* ended without a snapshot (killed) */
    o->res.ndecisions = (uint32_t)(w->shm->progress < IL_MAX_DECISIONS ? w->shm->progress : IL_MAX_DECISIONS);
  o->kind = classify(&o->res, opt);
  o->preempt_from = o->preempt_to = -1;
  o->nholds = w->shm->nholds < IL_MAX_HOLDS ? w->shm->nholds : IL_MAX_HOLDS;
  memcpy(o->holds, w->shm->holds, o->nholds * sizeof o->holds[0]);
  o->nraces = w->shm->nraces < IL_MAX_RACES ? w->shm->nraces : IL_MAX_RACES;
  memcpy(o->races, w->shm->races, o->nraces * sizeof o->races[0]);
  if (o->nholds || o->nraces) apply_holds(o, w->shm->maps, opt);
  o->bug = o->kind != BUG_NONE;
  return 0;
}

int worker_run(struct worker *w, const struct il_request *req, const uint16_t *decisions,
               uint32_t ndec, struct outcome *o, const struct options *opt) {
  if (worker_submit(w, req, decisions, ndec)) return -1;
  return worker_collect(w, o, opt, -1);
}

/* The last megabyte of what a program printed into a memfd (a report's
 * re-run), NUL-terminated; NULL if nothing. */
char *read_output(int fd) {
  off_t n = lseek(fd, 0, SEEK_END);
  if (n <= 0) return NULL;
  if (n > (1 << 20)) n = 1 << 20;
  char *b = malloc((size_t)n + 1);
  if (!b) return NULL;
  ssize_t k = pread(fd, b, (size_t)n, lseek(fd, 0, SEEK_END) - n);
  b[k > 0 ? k : 0] = 0;
  return b;
}

int classify(const struct il_result *r, const struct options *opt) {
  switch (r->verdict) {
  case IL_V_ASSERT: return BUG_ASSERT;
  case IL_V_CRASH: return BUG_CRASH;
  case IL_V_DEADLOCK: return BUG_DEADLOCK;
  case IL_V_STALL: return BUG_STALL;
  /* A long execution is not a hang: only a budget the user set makes it
   * one.  A default budget reached: not judged (counted like LIMIT). */
  case IL_V_HANG: return opt->allow_nonterm ? BUG_NONE : opt->budget_given ? BUG_HANG : BUG_LIMIT;
  case IL_V_WATCHDOG: return BUG_WATCHDOG;
  case IL_V_UNSUPPORTED: return BUG_UNSUPPORTED;
  case IL_V_DIVERGED: return BUG_DIVERGED;
  case IL_V_LIMIT: return BUG_LIMIT;
  case IL_V_SANITIZER: return sanitizer_kind(r->msg);
  default: break;
  }
  int st = r->wstatus;
  /* Ended by the --signal it was sent, by that signal's default action:
   * what the operator asked for, no bug. */
  if (WIFSIGNALED(st) && r->injected == 2) return BUG_NONE;
  if (WIFSIGNALED(st)) return BUG_CRASH;
  if (WIFEXITED(st)) {
    int code = WEXITSTATUS(st);
    for (int i = 0; i < opt->nok_exit; i++)
      if (opt->ok_exit[i] == code) return BUG_NONE;
    return BUG_EXIT;
  }
  return BUG_CRASH;
}
