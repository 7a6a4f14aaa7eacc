/* cc.c: `interleave cc ARGS...` and `interleave c++ ARGS...`: the
 * compiler ($CC/$CXX, default gcc/g++) with ThreadSanitizer's
 * instrumentation (-fsanitize=thread), linked against libinterleave.so,
 * which implements that interface, instead of libtsan.
 *
 * The compiler would link libtsan whenever -fsanitize=thread is on the link
 * line (and libtsan then wins over our hooks), and a single -fno-sanitize
 * would switch the instrumentation off for the compile too.  So a command
 * that compiles and links is split: each source is compiled alone with
 * -fsanitize=thread, then the objects are linked with -fno-sanitize=thread
 * and -l:libinterleave.so (with an rpath to it, so the binary also runs
 * without interleave: the hooks then only perform the operations).
 *
 * With -fsanitize=address (or hwaddress) the command is the compiler's
 * own, unchanged: gcc and clang refuse ThreadSanitizer's instrumentation
 * together with ASan's, so an ASan build has no race hooks (no data-race
 * reports, no scheduling points at plain memory accesses); interleave runs
 * it with libasan and turns ASan's reports into bugs (cli/sanitizer.c).
 * -fsanitize=undefined combines with the hooks and is kept. */
#include "cli.h"
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int is_source(const char *a) {
  const char *dot = strrchr(a, '.');
  if (!dot || a[0] == '-') return 0;
  static const char *ext[] = {".c", ".cc", ".cpp", ".cxx", ".C", ".c++", ".cp", ".CPP", NULL};
  for (int i = 0; ext[i]; i++)
    if (!strcmp(dot, ext[i])) return 1;
  return 0;
}

static int run(char **argv) {
  pid_t p = fork();
  if (p < 0) die_tool("fork: %s", strerror(errno));
  if (p == 0) {
    execvp(argv[0], argv);
    fprintf(stderr, "interleave: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  int st;
  while (waitpid(p, &st, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int cmd_cc(int argc, char **argv, int cxx) {
  const char *cc = getenv(cxx ? "CXX" : "CC");
  if (!cc || !*cc) cc = cxx ? "g++" : "gcc";
  char rt[4096];
  find_runtime(rt, sizeof rt);
  char rtdir[4096];
  snprintf(rtdir, sizeof rtdir, "%s", rt);
  char *dir = dirname(rtdir);
  int compile_only = 0, nsrc = 0;
  for (int i = 0; i < argc; i++)
    if (!strncmp(argv[i], "-fsanitize=", 11) && strstr(argv[i] + 11, "address")) {
      char **v = calloc((size_t)argc + 2, sizeof *v);
      v[0] = (char *)cc;
      for (int j = 0; j < argc; j++) v[j + 1] = argv[j];
      int rc = run(v);
      free(v);
      return rc;
    }
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "-S") || !strcmp(argv[i], "-E")) compile_only = 1;
    if (is_source(argv[i]) && !(i > 0 && !strcmp(argv[i - 1], "-o"))) nsrc++;
  }
  char **v = calloc((size_t)argc + 16, sizeof *v);
  int n = 0;
  if (compile_only) {
    v[n++] = (char *)cc;
    v[n++] = "-fsanitize=thread";
    for (int i = 0; i < argc; i++) v[n++] = argv[i];
    v[n] = NULL;
    return run(v);
  }
  /* Compile each source on its own. */
  char tmpdir[] = "/tmp/interleave-cc-XXXXXX";
  if (nsrc && !mkdtemp(tmpdir)) die_tool("mkdtemp: %s", strerror(errno));
  char **objs = calloc((size_t)argc + 1, sizeof *objs);
  int k = 0, rc = 0;
  for (int i = 0; i < argc && !rc; i++) {
    if (!is_source(argv[i]) || (i > 0 && !strcmp(argv[i - 1], "-o"))) continue;
    objs[i] = malloc(4200);
    snprintf(objs[i], 4200, "%s/%d.o", tmpdir, k++);
    n = 0;
    v[n++] = (char *)cc;
    v[n++] = "-fsanitize=thread";
    for (int j = 0; j < argc; j++) {
      const char *a = argv[j];
      if (!strcmp(a, "-o")) { j++; continue; }
      if (is_source(a) || !strncmp(a, "-l", 2) || !strncmp(a, "-L", 2) || !strncmp(a, "-Wl,", 4)) continue;
      if (a[0] != '-' && (strstr(a, ".o") || strstr(a, ".a") || strstr(a, ".so"))) continue;
      v[n++] = (char *)a;
    }
    v[n++] = "-c";
    v[n++] = argv[i];
    v[n++] = "-o";
    v[n++] = objs[i];
    v[n] = NULL;
    rc = run(v);
  }
  if (!rc) {
    char lflag[4200], rpath[4200];
    snprintf(lflag, sizeof lflag, "-L%s", dir);
    snprintf(rpath, sizeof rpath, "-Wl,-rpath,%s", dir);
    n = 0;
    v[n++] = (char *)cc;
    for (int i = 0; i < argc; i++) v[n++] = objs[i] ? objs[i] : argv[i];
    v[n++] = lflag;
    v[n++] = rpath;
    v[n++] = "-l:libinterleave.so";
    v[n++] = "-fno-sanitize=thread";
    v[n] = NULL;
    rc = run(v);
  }
  for (int i = 0; i < argc; i++)
    if (objs[i]) { unlink(objs[i]); free(objs[i]); }
  if (nsrc) rmdir(tmpdir);
  free(objs);
  free(v);
  return rc;
}
