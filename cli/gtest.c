/* gtest.c: `interleave gtest [options] -- BINARY [ARGS...]`: each test of
 * a GoogleTest binary explored as a campaign of its own.
 *
 * The tests are what `BINARY ARGS --gtest_list_tests` lists, run natively
 * (a --gtest_filter among ARGS narrows it); each test is then explored the
 * way `interleave run` explores a program, as
 *     BINARY --gtest_brief=1 ARGS --gtest_filter=SUITE.NAME
 * (brief: a failure's EXPECT message is in the last lines the report
 * shows; the filter comes last, so it wins over one in ARGS), with its
 * schedules in OUT/SUITE.NAME.  A test that fails on its own (an EXPECT
 * failing makes the binary exit 1) is an exit-status bug, as under run.
 *
 * The tests run one after another, each with all -j workers.  explore.c
 * already spreads one campaign's executions over its workers, and commits
 * them in index order, so a test's verdict does not depend on -j; running
 * tests side by side instead would need a process per campaign (the
 * lock-order graph, the recorded bugs, the Ctrl-C handler and the exit on
 * an unsupported program are per process) and would mix their reports,
 * for a gain only at each campaign's tail, where fewer executions than
 * workers are left.  One after another, each test's report comes whole,
 * between its RUN and result lines, and the output is the same byte for
 * byte for the same seed.
 */
#include "cli.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct gtest_case {
  char *suite, *name;      /* "Inst/Suite", "Works/0" */
  char *param;             /* "GetParam() = 1", "TypeParam = int", or "" */
  int disabled;
};

/* `BINARY ARGS --gtest_list_tests`' standard output, NUL-terminated. */
static char *list_tests(const struct target *t) {
  char **argv = calloc((size_t)t->argc + 2, sizeof *argv);
  for (int i = 0; i < t->argc; i++) argv[i] = t->argv[i];
  argv[t->argc] = "--gtest_list_tests";
  int p[2];
  if (pipe2(p, O_CLOEXEC)) die_tool("pipe: %s", strerror(errno));
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) die_tool("fork: %s", strerror(errno));
  if (pid == 0) {
    dup2(p[1], 1);
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) dup2(nul, 0);
    execv(t->path, argv);
    _exit(127);
  }
  close(p[1]);
  free(argv);
  char *buf = NULL;
  size_t n = 0, cap = 0;
  /* A binary that is no GoogleTest binary ignores the flag and may run
   * for ever. */
  time_t deadline = time(NULL) + 60;
  for (;;) {
    struct pollfd pf = {.fd = p[0], .events = POLLIN};
    int r = poll(&pf, 1, 1000);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      if (time(NULL) < deadline) continue;
      kill(pid, SIGKILL);
      waitpid(pid, NULL, 0);
      die_tool("%s --gtest_list_tests did not finish in 60 s (is it a GoogleTest binary?)", t->argv[0]);
    }
    if (n + 4096 + 1 > cap) buf = realloc(buf, cap = cap * 2 + 8192);
    ssize_t k = read(p[0], buf + n, cap - n - 1);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    n += (size_t)k;
  }
  close(p[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    free(buf);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) die_usage("%s: cannot be executed", t->argv[0]);
    die_usage("%s --gtest_list_tests failed (%s %d)", t->argv[0], WIFEXITED(st) ? "exit status" : "signal",
              WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
  }
  if (!buf) buf = calloc(1, 1);
  buf[n] = 0;
  return buf;
}

/* The text after "  # " on a listing line ("GetParam() = 4"), or "". */
static char *comment(const char *line) {
  const char *h = strstr(line, "  # ");
  return strdup(h ? h + 4 : "");
}

/* The listing: "Suite." lines (a typed suite's with "  # TypeParam =
 * int"), each followed by its tests indented by two spaces (a
 * value-parameterized one's with "  # GetParam() = 4").  Anything else
 * (gtest_main's "Running main() from ...") is not part of it. */
static struct gtest_case *parse_list(char *text, int *n, int also_disabled) {
  struct gtest_case *cs = NULL;
  int nc = 0;
  char *suite = NULL, *suite_param = NULL;
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    size_t len = strcspn(line, " \r");
    if (line[0] != ' ') {
      free(suite);
      free(suite_param);
      suite = suite_param = NULL;
      if (len > 1 && line[len - 1] == '.') {
        suite = strndup(line, len - 1);
        suite_param = comment(line);
      }
      continue;
    }
    if (!suite || strncmp(line, "  ", 2) || line[2] == ' ' || !line[2]) continue;
    char *name = strndup(line + 2, strcspn(line + 2, " \r"));
    cs = realloc(cs, (size_t)(nc + 1) * sizeof *cs);
    struct gtest_case *c = &cs[nc++];
    c->suite = strdup(suite);
    c->name = name;
    c->param = comment(line);
    if (!c->param[0]) {
      free(c->param);
      c->param = strdup(suite_param);
    }
    /* GoogleTest runs neither without --gtest_also_run_disabled_tests. */
    const char *base = strrchr(suite, '/') ? strrchr(suite, '/') + 1 : suite;
    c->disabled = !also_disabled && (!strncmp(base, "DISABLED_", 9) || !strncmp(name, "DISABLED_", 9));
  }
  free(suite);
  free(suite_param);
  *n = nc;
  return cs;
}

/* The kinds of the bugs a campaign added to DIR/bugs.tsv past offset
 * `from` ("exit-status", "unreproducible deadlock"), comma-separated. */
static char *kinds_since(const char *tsv, long from) {
  char *out = NULL;
  size_t n = 0;
  FILE *m = open_memstream(&out, &n);
  FILE *f = fopen(tsv, "r");
  if (!m) die_tool("out of memory");
  if (f && fseek(f, from, SEEK_SET) == 0) {
    char line[8192], seen[32][64];
    int ns = 0;
    while (fgets(line, sizeof line, f)) {
      char kind[64];
      size_t k = strcspn(line, " \t\n");
      if (!strncmp(line, "unreproducible ", 15)) k = 15 + strcspn(line + 15, " \t\n");
      snprintf(kind, sizeof kind, "%.*s", (int)k, line);
      int dup = 0;
      for (int i = 0; i < ns; i++) dup |= !strcmp(seen[i], kind);
      if (dup || ns == 32) continue;
      memcpy(seen[ns++], kind, sizeof kind);
      fprintf(m, "%s%s", ns > 1 ? ", " : "", kind);
    }
  }
  if (f) fclose(f);
  fclose(m);
  return out;
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) ? 0 : (long)st.st_size;
}

static const char *plural(size_t n) { return n == 1 ? "" : "s"; }

int cmd_gtest(struct options *opt, int argc, char **argv) {
  if (argc < 1) die_usage("no program given: interleave gtest [options] -- BINARY [ARGS...]");
  struct target base;
  memset(&base, 0, sizeof base);
  target_init(&base, argc, argv);
  /* The binary's own sharding would run no test in most shards, and its
   * own XML report would be written by every execution. */
  unsetenv("GTEST_SHARD_INDEX");
  unsetenv("GTEST_TOTAL_SHARDS");
  unsetenv("GTEST_SHARD_STATUS_FILE");
  unsetenv("GTEST_OUTPUT");
  int also_disabled = 0;
  const char *env = getenv("GTEST_ALSO_RUN_DISABLED_TESTS");
  if (env && *env && strcmp(env, "0")) also_disabled = 1;
  for (int i = 1; i < argc; i++)
    if (!strncmp(argv[i], "--gtest_also_run_disabled_tests", 31))
      also_disabled = strcmp(argv[i] + 31, "=0") != 0;

  char *listing = list_tests(&base);
  int nc;
  struct gtest_case *cs = parse_list(listing, &nc, also_disabled);
  free(listing);
  if (!nc)
    die_usage("%s --gtest_list_tests lists no test (not a GoogleTest binary, or a --gtest_filter matching none)",
              argv[0]);

  if (!opt->seed_given) { /* one seed for every test, said up front */
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &opt->seed, sizeof opt->seed) != (ssize_t)sizeof opt->seed) opt->seed = (uint64_t)time(NULL);
    if (fd >= 0) close(fd);
    opt->seed &= 0xffffffffffULL;
    opt->seed_given = 1;
  }
  output_open(opt);
  timeline_open(opt);
  size_t nsuites = 0;
  for (int i = 0; i < nc; i++) nsuites += !i || strcmp(cs[i].suite, cs[i - 1].suite);
  const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  printf("[==========] %d test%s from %zu suite%s of %s, each up to %" PRIu64 " executions (seed 0x%" PRIx64 ")\n",
         nc, plural((size_t)nc), nsuites, plural(nsuites), prog, opt->runs, opt->seed);

  /* The argv of a test: BINARY --gtest_brief=1 ARGS --gtest_filter=X. */
  char **targv = calloc((size_t)argc + 3, sizeof *targv);
  targv[0] = argv[0];
  targv[1] = "--gtest_brief=1";
  for (int i = 1; i < argc; i++) targv[i + 1] = argv[i];
  struct run_stats total = {0};
  size_t passed = 0, nbug = 0, nunrep = 0, ndisabled = 0;
  char **verdict = calloc((size_t)nc, sizeof *verdict); /* a test with a bug: its line */
  int *vstatus = calloc((size_t)nc, sizeof *vstatus);
  for (int i = 0; i < nc; i++) {
    struct gtest_case *c = &cs[i];
    char *full, *filter, *dir, *tsv;
    if (asprintf(&full, "%s.%s", c->suite, c->name) < 0) die_tool("out of memory");
    output_case(c->suite, c->name, c->param);
    if (c->disabled) {
      printf("[ DISABLED ] %s\n", full);
      output_case_done(NULL);
      ndisabled++;
      free(full);
      continue;
    }
    printf("[ RUN      ] %s%s%s\n", full, c->param[0] ? "  # " : "", c->param);
    fflush(stdout);
    /* '/' (an instantiation's or a parameter's) in a folder name: '-',
     * which a C++ identifier never holds. */
    if (asprintf(&dir, "%s/%s", opt->out_dir, full) < 0 || asprintf(&filter, "--gtest_filter=%s", full) < 0)
      die_tool("out of memory");
    for (char *p = dir + strlen(opt->out_dir) + 1; *p; p++)
      if (*p == '/') *p = '-';
    struct options o = *opt;
    o.out_dir = dir;
    struct target t = base;
    targv[argc + 1] = filter;
    t.argv = targv;
    t.argc = argc + 2;
    if (opt->nshards > 1) {
      if (asprintf(&tsv, "%s/shard-%u-of-%u/bugs.tsv", dir, opt->shard, opt->nshards) < 0) die_tool("out of memory");
    } else if (asprintf(&tsv, "%s/bugs.tsv", dir) < 0) die_tool("out of memory");
    long from = file_size(tsv);
    lockgraph_reset();
    struct run_stats st;
    int status = explore(&o, &t, &st);
    output_case_done(&st);
    total.executions += st.executions;
    total.bugs += st.bugs;
    total.unreproducible += st.unreproducible;
    total.not_judged += st.not_judged;
    total.seconds += st.seconds;
    char judged[64] = "";
    if (st.not_judged) snprintf(judged, sizeof judged, ", %" PRIu64 " not judged", st.not_judged);
    if (status == EXIT_OK) {
      printf("[       OK ] %s (%" PRIu64 " executions%s)\n", full, st.executions, judged);
      passed++;
    } else {
      char *kinds = kinds_since(tsv, from);
      const char *tag = status == EXIT_BUG ? "[   BUG    ]" : "[ UNREPRO  ]";
      if (asprintf(&verdict[i], "%s %s: %s", tag, full, kinds) < 0) die_tool("out of memory");
      vstatus[i] = status;
      printf("%s (%" PRIu64 " executions%s)\n", verdict[i], st.executions, judged);
      free(kinds);
      if (status == EXIT_BUG) nbug++;
      else nunrep++;
    }
    fflush(stdout);
    free(tsv);
    free(filter);
    free(dir);
    free(full);
  }
  free(targv);

  printf("[==========] %d test%s ran, %" PRIu64 " executions (seed 0x%" PRIx64 ")\n", nc - (int)ndisabled,
         plural((size_t)nc - ndisabled), total.executions, opt->seed);
  printf("[  PASSED  ] %zu test%s.\n", passed, plural(passed));
  if (nbug) printf("[   BUG    ] %zu test%s with a bug, listed below:\n", nbug, plural(nbug));
  for (int i = 0; i < nc; i++)
    if (vstatus[i] == EXIT_BUG) printf("%s\n", verdict[i]);
  if (nunrep) printf("[ UNREPRO  ] %zu test%s failed once, but not when re-run:\n", nunrep, plural(nunrep));
  for (int i = 0; i < nc; i++)
    if (vstatus[i] == EXIT_UNREPRODUCIBLE) printf("%s\n", verdict[i]);
  if (ndisabled) printf("[ DISABLED ] %zu test%s not run.\n", ndisabled, plural(ndisabled));
  int status = nbug ? EXIT_BUG : nunrep ? EXIT_UNREPRODUCIBLE : EXIT_OK;
  total.exit_status = status;
  fflush(stdout);
  if (output_write(opt, &base, &total)) status = EXIT_TOOL;
  if (timeline_write(opt, &base, &total)) status = EXIT_TOOL;
  if (opt->shard_status) {
    FILE *f = fopen(opt->shard_status, "a"); /* Bazel: "this test supports sharding" */
    if (f) fclose(f);
  }
  for (int i = 0; i < nc; i++) {
    free(cs[i].suite);
    free(cs[i].name);
    free(cs[i].param);
    free(verdict[i]);
  }
  free(cs);
  free(verdict);
  free(vstatus);
  return status;
}
