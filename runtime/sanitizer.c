/* sanitizer.c: AddressSanitizer and UndefinedBehaviorSanitizer reports as
 * verdicts.
 *
 * A program built with -fsanitize=address runs with ASan's runtime first
 * in the process (the CLI preloads libasan before us, as ASan insists), so
 * the sanitizers' weak hooks (__asan_on_error,
 * __sanitizer_report_error_summary) would not reach us if we defined them:
 * the dynamic linker takes the first definition in the search order, weak
 * or not, and that is the sanitizer's own empty one.  Their registration
 * calls do reach us, looked up by name (a program without a sanitizer
 * pays nothing):
 *   - __asan_set_error_report_callback: ASan hands over the whole text of
 *     each report just before it dies; its "SUMMARY: AddressSanitizer:
 *     heap-use-after-free file:line in fn" line names the kind;
 *   - __sanitizer_set_death_callback: Die() runs it for every fatal
 *     sanitizer report.  UBSan's text is handed to nobody (its report
 *     record is gone by the time it dies), so a UBSan report is the kind
 *     its SUMMARY line gives it, "undefined-behavior"; the CLI shows the
 *     "runtime error:" line from the program's output.
 * Either way the verdict is recorded on the failing thread, with its stack
 * from the program's first frame (the sanitizer's and our frames above it
 * skipped) and everyone's state, as for a failed assertion.  The
 * sanitizer then ends the process itself (exit status 1, or abort with
 * abort_on_error=1: the verdict is already set, so on_fatal keeps it).
 */
#include "rt.h"
#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A frame in a sanitizer runtime (a shared libasan/libubsan/libclang_rt,
 * or one linked into the executable, known by its exported names) or in
 * this runtime: not the program's. */
static int not_program(void *pc) {
  Dl_info di;
  if (!dladdr(pc, &di)) return 0;
  static const void *self = &not_program;
  Dl_info me;
  if (dladdr(self, &me) && di.dli_fbase == me.dli_fbase) return 1;
  const char *f = di.dli_fname ? strrchr(di.dli_fname, '/') : NULL;
  f = f ? f + 1 : di.dli_fname ? di.dli_fname : "";
  if (!strncmp(f, "libasan", 7) || !strncmp(f, "libubsan", 8) || !strncmp(f, "libclang_rt.", 12)) return 1;
  const char *s = di.dli_sname ? di.dli_sname : "";
  return !strncmp(s, "__asan", 6) || !strncmp(s, "__ubsan", 7) || !strncmp(s, "__sanitizer", 11) ||
         !strncmp(s, "__interceptor", 13) || !strncmp(s, "__lsan", 6) || !strncmp(s, "_ZN6__asan", 10) ||
         !strncmp(s, "_ZN7__ubsan", 11) || !strncmp(s, "_ZN11__sanitizer", 16);
}

/* summary: the sanitizer's SUMMARY line without "SUMMARY: ", e.g.
 * "AddressSanitizer: heap-use-after-free /src/a.c:12 in reader". */
static void record(const char *summary, size_t len) {
  if (!il.shm || il.active != 1 || !il_me) return;
  struct il_result *r = &il.shm->res;
  if (r->verdict != IL_V_NONE) return;
  IL_ENTER();
  r->verdict = IL_V_SANITIZER;
  r->thread = il_me->idx;
  if (len > IL_MSG_SIZE - 1) len = IL_MSG_SIZE - 1;
  memcpy(r->msg, summary, len);
  r->msg[len] = 0;
  uint64_t st[IL_STACK_DEPTH];
  int n, from = 0;
  il_capture_stack(st, &n, 1);
  while (from < n && not_program((void *)(uintptr_t)st[from])) from++;
  if (from >= n) from = 0; /* no frame of the program's: keep them all */
  r->nstack = 0;
  for (int i = from; i < n && i < IL_STACK_DEPTH; i++) r->stack[r->nstack++] = st[i];
  r->pc = r->nstack ? r->stack[0] : 0; /* a return address into the program */
  il_snapshot();
  struct il_thread_info *ti = &il.shm->threads[il_me->idx];
  memcpy(ti->stack, r->stack, sizeof r->stack);
  ti->nstack = r->nstack;
  IL_LEAVE();
  if (il.standalone) {
    /* replay --gdb: stop where the report was made, every thread in place. */
    char line[IL_MSG_SIZE + 64];
    int k = snprintf(line, sizeof line, "interleave: replay reached the failure: %s\n", r->msg);
    if (write(2, line, (size_t)k) < 0) { /* nothing to do */ }
    raise(SIGTRAP);
  }
}

/* ASan's report, in full; its SUMMARY line names the kind. */
static void on_asan_report(const char *text) {
  const char *s = text ? strstr(text, "SUMMARY: ") : NULL;
  if (!s) {
    static const char dflt[] = "AddressSanitizer: unknown-crash";
    record(dflt, sizeof dflt - 1);
    return;
  }
  s += 9;
  const char *e = strchr(s, '\n');
  record(s, e ? (size_t)(e - s) : strlen(s));
}

/* Any sanitizer's fatal report; ASan's was recorded just before. */
static void on_death(void) {
  static const char ub[] = "UndefinedBehaviorSanitizer: undefined-behavior";
  record(ub, sizeof ub - 1);
}

/* The code of shared sanitizer runtimes (libasan, libubsan). */
IL_HIDDEN int il_nsan;
IL_HIDDEN struct il_range il_san[4];

static int collect(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size; (void)data;
  const char *f = il_object_name(info);
  if (!strncmp(f, "libasan", 7) || !strncmp(f, "libubsan", 8) || !strncmp(f, "libclang_rt.", 12))
    il_object_exec_ranges(info, il_san, &il_nsan, 4);
  return 0;
}

/* pc (a return address into a sanitizer's interceptor) -> the return
 * address into the program that called the interceptor. */
uint64_t il_san_caller(uint64_t pc) {
  void *buf[32];
  IL_ENTER();
  int k = backtrace(buf, 32);
  IL_LEAVE();
  int i = 0;
  while (i < k && (uint64_t)(uintptr_t)buf[i] != pc) i++;
  for (; i < k; i++) {
    uint64_t a = (uint64_t)(uintptr_t)buf[i];
    if (!il_in_ranges(il_san, il_nsan, a)) return a;
  }
  return pc;
}

/* In the fork server, once the sanitizer runtime (if any) is initialized:
 * the callbacks survive fork into every execution. */
void il_sanitizer_init(void) {
  il_nsan = 0;
  dl_iterate_phdr(collect, NULL);
  void (*set_report)(void (*)(const char *)) =
      (void (*)(void (*)(const char *)))dlsym(RTLD_DEFAULT, "__asan_set_error_report_callback");
  void (*set_death)(void (*)(void)) =
      (void (*)(void (*)(void)))dlsym(RTLD_DEFAULT, "__sanitizer_set_death_callback");
  if (set_report) set_report(on_asan_report);
  if (set_death) set_death(on_death);
}
