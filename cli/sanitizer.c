/* sanitizer.c: programs built with AddressSanitizer or UBSan (gcc's
 * shared libasan/libubsan, clang's runtimes linked into the executable,
 * or `interleave cc -fsanitize=...`).  target.c finds the runtime, worker.c
 * preloads libasan before our runtime (ASan refuses to start otherwise),
 * runtime/sanitizer.c turns a report into an IL_V_SANITIZER verdict, and
 * report.c shows the sanitizer's report in full.
 *
 * The sanitizers' options, for every execution:
 *   ASAN_OPTIONS   print_legend=0 (the shadow-byte legend is the same in
 *                  every report), the user's, then detect_leaks=0: LeakSanitizer's
 *                  check at exit stops the world with a tracer thread that
 *                  ptrace-attaches to every thread, and under a scheduler
 *                  that serializes threads (all but one parked in a futex,
 *                  waiting for the baton) it cannot work; leaks are no
 *                  concurrency bug anyway.  allow_user_segv_handler=1 so
 *                  that interleave's fatal-signal handler, installed per
 *                  execution after ASan's, is the one that runs: a wild
 *                  access is a `crash` with every thread's state, as in a
 *                  plain build (ASan's SEGV report names no interleaving).
 *   UBSAN_OPTIONS  halt_on_error=1 and print_stacktrace=1 first, then the
 *                  user's: UBSan's checks recover by default (report and
 *                  go on), and only a report that ends the process reaches
 *                  us (the death callback); the user can still say
 *                  halt_on_error=0, and then UBSan reports are not bugs.
 *                  -fno-sanitize-recover=all in the build does the same.
 * The user's other options stay (a later key wins in the sanitizers'
 * parser, so ours are placed around theirs accordingly). */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

static void set_opts(const char *var, const char *before, const char *after) {
  const char *u = getenv(var);
  size_t n = strlen(before) + (u ? strlen(u) : 0) + strlen(after) + 3;
  char *v = malloc(n);
  if (!v) return;
  snprintf(v, n, "%s%s%s%s%s", before, u && *u ? ":" : "", u && *u ? u : "", *after ? ":" : "", after);
  setenv(var, v, 1);
  free(v);
}

void sanitizer_env(const struct target *t) {
  if (t->asan) set_opts("ASAN_OPTIONS", "print_legend=0", "detect_leaks=0:allow_user_segv_handler=1");
  if (t->asan || t->ubsan) set_opts("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1", "");
}

/* msg: "AddressSanitizer: heap-use-after-free a.c:12 in f". */
int sanitizer_kind(const char *msg) {
  const char *p = strstr(msg, ": ");
  if (!p) return BUG_SAN_OTHER;
  p += 2;
  size_t n = strcspn(p, " \t\n");
  for (int k = BUG_SAN_FIRST; k <= BUG_SAN_LAST; k++) {
    const char *name = bug_kind_name(k);
    if (strlen(name) == n && !strncmp(p, name, n)) return k;
  }
  return BUG_SAN_OTHER;
}

/* The start of the line holding `needle`'s last occurrence. */
static const char *last_line_with(const char *out, const char *needle) {
  const char *hit = NULL;
  for (const char *p = out; (p = strstr(p, needle)); p++) hit = p;
  if (!hit) return NULL;
  while (hit > out && hit[-1] != '\n') hit--;
  return hit;
}

/* ASan's report begins with a line of '=' and "==PID==ERROR: AddressSanitizer:";
 * UBSan's with "file:line:col: runtime error: ...". */
const char *sanitizer_report(const char *out) {
  if (!out) return NULL;
  const char *a = last_line_with(out, "ERROR: AddressSanitizer: ");
  const char *u = last_line_with(out, ": runtime error: ");
  const char *s = a && (!u || a > u) ? a : u;
  if (s && s == a && s > out) {
    /* The rule of '=' above ASan's ERROR line belongs to it. */
    const char *prev = s - 1;
    while (prev > out && prev[-1] != '\n') prev--;
    if (*prev == '=' && prev[1] == '=' && prev[2] == '=') s = prev;
  }
  return s;
}
