/* replay.c: `interleave replay [--gdb] FILE`.  Replay is the replay
 * strategy over the recorded decisions: the program must make exactly the
 * same choices available at every step, or the replay stops as diverged. */
#include "cli.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int parse_options(int argc, char **argv, int i, struct options *o, int *gdb);

static void run_gdb(const struct schedule *s, const struct target *t) {
  char path[] = "/tmp/interleave-replay-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) die_tool("cannot create a temporary file: %s", strerror(errno));
  struct il_request rq = s->req;
  rq.watchdog_ms = 0;
  rq.cpu = -1;
  rq.replay_len = s->n;
  if (write(fd, &rq, sizeof rq) != (ssize_t)sizeof rq || write(fd, &s->n, sizeof s->n) != (ssize_t)sizeof s->n ||
      write(fd, s->decisions, s->n * sizeof *s->decisions) != (ssize_t)(s->n * sizeof *s->decisions))
    die_tool("cannot write %s", path);
  close(fd);
  char pre[4500], sa[200];
  snprintf(pre, sizeof pre, "set environment LD_PRELOAD=%s%s%s", t->san_preload, t->san_preload[0] ? ":" : "",
           t->runtime);
  sanitizer_env(t);
  snprintf(sa, sizeof sa, "set environment %s=%s", IL_ENV_STANDALONE, path);
  const char *gdb = getenv("INTERLEAVE_GDB") ? getenv("INTERLEAVE_GDB") : "gdb";
  const char *batch = getenv("INTERLEAVE_GDB_BATCH");
  char *args[64];
  int n = 0;
  args[n++] = (char *)gdb;
  args[n++] = "-q";
  if (batch) args[n++] = "-batch";
  args[n++] = "-ex"; args[n++] = "set startup-with-shell off";
  args[n++] = "-ex"; args[n++] = pre;
  args[n++] = "-ex"; args[n++] = sa;
  args[n++] = "-ex"; args[n++] = "handle SIG62 nostop noprint pass";
  args[n++] = "-ex"; args[n++] = "handle SIG60 nostop noprint pass"; /* SIG_SPIN */
  args[n++] = "-ex"; args[n++] = "run";
  if (batch) { args[n++] = "-ex"; args[n++] = "bt 12"; }
  args[n++] = "--args";
  args[n++] = (char *)t->path;
  for (int i = 1; i < s->argc && n < 62; i++) args[n++] = s->argv[i];
  args[n] = NULL;
  fprintf(stderr, "interleave: replaying under gdb: the program stops where the failure happens\n");
  fflush(NULL);
  execvp(gdb, args);
  die_tool("cannot run %s: %s", gdb, strerror(errno));
}

int cmd_replay(int argc, char **argv, struct options *opt) {
  int gdb = 0;
  int first = parse_options(argc, argv, 2, opt, &gdb);
  if (first != argc - 1)
    die_usage("usage: interleave replay [--gdb] [--full-trace] [--program PATH] [--html FILE] [--perfetto FILE] FILE");
  const char *file = argv[first];
  struct schedule s;
  char err[256];
  if (sched_read(file, &s, err, sizeof err)) die_usage("%s: not a valid schedule: %s", file, err);
  struct target t;
  memset(&t, 0, sizeof t);
  if (opt->program) {
    if (!realpath(opt->program, t.path)) die_usage("--program %s: %s", opt->program, strerror(errno));
  } else {
    snprintf(t.path, sizeof t.path, "%s", s.program);
  }
  t.argc = s.argc;
  t.argv = s.argv;
  int herr;
  t.hash = file_hash(t.path, &herr);
  if (herr) die_usage("%s: the recorded program %s: %s", file, t.path, strerror(herr));
  if (t.hash != s.hash)
    die_usage("%s: %s changed since the schedule was recorded (hash 0x%016" PRIx64 ", recorded 0x%016" PRIx64
              "); rebuild the same binary, or point --program at it", file, t.path, t.hash, s.hash);
  find_runtime(t.runtime, sizeof t.runtime);
  target_sanitizers(&t, t.path);
  opt->seed = s.seed;
  opt->budget_given = 1; /* the recorded budgets judge the replay: a hang stays a hang */
  if (gdb) run_gdb(&s, &t);
  timeline_open(opt);

  int out = memfd_create("interleave-out", MFD_CLOEXEC);
  struct worker w;
  worker_start(&w, &t, -1, out);
  struct il_request rq = s.req;
  rq.watchdog_ms = opt->watchdog_ms;
  rq.hold_threshold_ns = s.req.hold_threshold_ns;
  if (!opt->race) rq.flags &= ~IL_F_RACE; /* as recorded, unless --no-race */
  rq.replay_len = s.n;
  rq.flags |= IL_F_STACKS;
  struct outcome o;
  if (worker_run(&w, &rq, s.decisions, s.n, &o, opt)) {
    worker_stop(&w);
    die_tool("%s: the program's fork server died during the replay", file);
  }
  o.exec_index = s.exec_index;
  if (o.kind == BUG_DIVERGED) {
    worker_stop(&w);
    die_usage("%s: replay diverged at step %" PRIu64 ": the program did not follow the recorded schedule "
              "(different inputs, environment or a nondeterministic program?)", file, o.res.steps);
  }
  if (o.kind != s.kind || (o.res.thread >= 0 ? o.res.thread : 0) != s.thread || o.res.pc != s.pc) {
    worker_stop(&w);
    die_usage("%s: replay did not reproduce the recorded %s (got: %s after %" PRIu64 " steps)", file,
              bug_kind_name(s.kind), bug_kind_name(o.kind), o.res.steps);
  }
  char *text = read_output(out);
  /* The report is kept as text too, for --html. */
  char *rep = NULL, summary[600];
  size_t repn = 0;
  FILE *rf = open_memstream(&rep, &repn);
  if (!rf) die_tool("out of memory");
  report_print(rf, w.shm, &o, opt, file, text, summary, sizeof summary);
  fclose(rf);
  fwrite(rep, 1, repn, stdout);
  fflush(stdout);
  timeline_bug(w.shm, &o, file, rep, summary);
  int status = timeline_write(opt, &t, NULL) ? EXIT_TOOL : EXIT_BUG;
  free(rep);
  free(text);
  worker_stop(&w);
  close(out);
  sched_free(&s);
  return status;
}
