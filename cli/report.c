/* report.c: turning one execution's record into the report a person reads:
 * a title, the interleaving as a timeline (one column per thread), the
 * kind-specific explanation, each thread's state and stack, a one-line
 * SUMMARY, and the replay command.
 *
 * The runtime records raw addresses only; symbols come from here, with
 * libdwfl over the fork server's /proc/self/maps (saved in shared memory),
 * since the execution's process is gone by now.  Nothing printed depends on
 * wall time, so the same seed prints the same report byte for byte.
 */
#include "cli.h"
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *op_names[] = {
#define X(e, name, blocking) name,
#include "../common/events.def"
#undef X
};
static const char *opname(int op) { return op >= 0 && op < IL_OP__COUNT ? op_names[op] : "?"; }

/* ---- threads ---- */
static char tnames[IL_MAX_THREADS][64];
static void name_threads(const struct il_shm *s, int n) {
  for (int i = 0; i < n; i++) {
    char fn[128], loc[128];
    if (i == 0) { snprintf(tnames[i], sizeof tnames[i], "T0 main"); continue; }
    if (s->threads[i].name[0]) { /* the program named it */
      snprintf(tnames[i], sizeof tnames[i], "T%d %.15s", i, s->threads[i].name);
      continue;
    }
    sym_pc(s->threads[i].start_routine, 0, fn, sizeof fn, loc, sizeof loc);
    /* std::thread and std::async start in the C++ runtime, GLib's and
     * libuv's threads in a trampoline of theirs (a start routine in a
     * shared library, "(libfoo.so)"): name such a thread by the function
     * of its first call site in the trace. */
    if (fn[0] == '0' || strstr(loc, "libstdc++") || strstr(loc, ".so") ||
        !strncmp(fn, "asan_thread_start", 17) /* ASan's wrapper around the start routine */) {
      uint64_t total = s->nevents, first = total > IL_EVENT_RING ? total - IL_EVENT_RING : 0;
      for (uint64_t k = first; k < total; k++) {
        const struct il_event *e = &s->events[k % IL_EVENT_RING];
        if (e->thread == i && e->pc && !sym_in_runtime(e->pc)) {
          char l2[128];
          sym_pc(e->pc, 1, fn, sizeof fn, l2, sizeof l2);
          break;
        }
      }
    }
    /* Keep just the name of a C++ function, not its parameter list. */
    char *paren = strrchr(fn, '(');
    if (paren && paren != fn && fn[strlen(fn) - 1] == ')') *paren = 0;
    const char *shown = fn;
    if (!strncmp(shown, "(anonymous namespace)::", 23)) shown += 23;
    snprintf(tnames[i], sizeof tnames[i], "T%d %.50s", i, shown);
  }
}
static const char *tname(int i) { return i >= 0 && i < IL_MAX_THREADS ? tnames[i] : "T?"; }
const char *report_thread_name(int i) { return tname(i); }

/* Who holds obj, from the threads' held lists (-1: nobody). */
static int holder_of(const struct il_shm *s, int n, uint64_t obj, uint64_t *pc) {
  for (int i = 0; i < n; i++)
    for (int k = 0; k < s->threads[i].nheld && k < IL_HELD_MAX; k++)
      if (s->threads[i].held[k].obj == obj) { if (pc) *pc = s->threads[i].held[k].pc; return i; }
  return -1;
}

/* Index of the latest event in [first, total) on obj with op a or b (and,
 * if thread >= 0, by that thread); `first` when there is none. */
static uint64_t last_event(const struct il_shm *s, uint64_t first, uint64_t total, uint64_t obj, int a, int b,
                           int thread, int *found) {
  for (uint64_t k = total; k > first; k--) {
    const struct il_event *e = &s->events[(k - 1) % IL_EVENT_RING];
    if ((e->op == a || e->op == b) && e->obj == obj && (thread < 0 || e->thread == thread)) {
      *found = 1;
      return k - 1;
    }
  }
  *found = 0;
  return first;
}

static void fmt_vtime(int64_t ns, char *out, size_t n) {
  snprintf(out, n, "%" PRId64 ".%03ds", ns / 1000000000, (int)((ns / 1000000) % 1000));
}

/* A duration at its own scale: 50 us, 10.0 ms, 2.500 s. */
static void fmt_dur(int64_t ns, char *out, size_t n) {
  if (ns < 1000000) snprintf(out, n, "%" PRId64 " us", ns / 1000);
  else if (ns < 1000000000) snprintf(out, n, "%.1f ms", (double)ns / 1e6);
  else snprintf(out, n, "%.3f s", (double)ns / 1e9);
}

/* "lock registry_mu -> timeout" */
void event_describe(const struct il_event *e, char *out, size_t n) {
  char obj[128] = "";
  switch (e->op) {
  case IL_OP_CREATE: case IL_OP_JOIN: case IL_OP_DETACH:
    snprintf(obj, sizeof obj, "T%d", (int)e->obj);
    break;
  case IL_OP_START: case IL_OP_EXIT: case IL_OP_YIELD: case IL_OP_SLEEP: case IL_OP_SPIN:
    break;
  case IL_OP_PROC_EXIT: /* result: the exit status */
    snprintf(obj, sizeof obj, "(status %d)", e->result);
    break;
  case IL_OP_IO_READ: case IL_OP_IO_WRITE: case IL_OP_IO_ACCEPT:
    snprintf(obj, sizeof obj, "fd %d", (int)e->obj);
    break;
  case IL_OP_SIGNAL: case IL_OP_SIGNAL_SEND: case IL_OP_SIGWAIT: {
    const char *ab = e->obj > 0 && e->obj < 65 ? sigabbrev_np((int)e->obj) : NULL;
    if (ab) snprintf(obj, sizeof obj, "SIG%s", ab);
    else if (e->obj) snprintf(obj, sizeof obj, "signal %d", (int)e->obj);
    break;
  }
  case IL_OP_SIGSUSPEND: case IL_OP_WAITPID:
    break;
  case IL_OP_SPAWN: /* obj: the child's pid, 0 for daemon() */
    if (e->obj) snprintf(obj, sizeof obj, "child #%d", (int)e->obj);
    else if (!e->result) snprintf(obj, sizeof obj, "(daemon: this process goes on)");
    break;
  default:
    sym_obj(e->obj, obj, sizeof obj);
  }
  const char *op = opname(e->op);
  char extra[96] = "";
  char t[32];
  switch (e->op) {
  case IL_OP_COND_SIGNAL:
    if (e->result >= 0) snprintf(extra, sizeof extra, " -> wakes T%d", e->result);
    else snprintf(extra, sizeof extra, " -> no waiter");
    break;
  case IL_OP_COND_BCAST:
    snprintf(extra, sizeof extra, " -> wakes %d", e->result);
    break;
  case IL_OP_COND_RELOCK:
    op = e->result ? "timeout, relock" : "woken, relock";
    break;
  case IL_OP_SLEEP:
    fmt_vtime(e->vtime, t, sizeof t);
    snprintf(extra, sizeof extra, " (woke at t=%s)", t);
    break;
  case IL_OP_SEM_POST:
    snprintf(extra, sizeof extra, " (value %d)", e->result);
    break;
  case IL_OP_POLL:
    snprintf(extra, sizeof extra, e->result ? " -> ready" : " -> timeout");
    break;
  case IL_OP_BARRIER:
    if (e->result) snprintf(extra, sizeof extra, " (serial)");
    break;
  case IL_OP_SIGNAL_SEND:
    if (e->result == -2) { op = "from outside:"; }
    else if (e->result >= 0) snprintf(extra, sizeof extra, " -> T%d", e->result);
    else snprintf(extra, sizeof extra, " -> the process");
    break;
  case IL_OP_SIGNAL:
    op = e->result ? "default action of" : "handler for";
    break;
  case IL_OP_SIGWAIT:
    if (e->result) snprintf(extra, sizeof extra, " -> timeout");
    break;
  case IL_OP_SPAWN:
    if (e->result) snprintf(extra, sizeof extra, " -> failed (%s)", strerror(e->result));
    break;
  case IL_OP_WAITPID: /* result: what it returned */
    if (e->result > 0) snprintf(extra, sizeof extra, " -> child #%d", e->result);
    else if (e->result == 0) snprintf(extra, sizeof extra, " -> none exited yet");
    else if (e->result == -2) snprintf(extra, sizeof extra, " -> a child started inside a library");
    else snprintf(extra, sizeof extra, " -> error (no child)");
    break;
  default:
    if (e->result == 16) snprintf(extra, sizeof extra, " -> busy");
    else if (e->result == 110) snprintf(extra, sizeof extra, " -> timeout");
    else if (e->result == 35) snprintf(extra, sizeof extra, " -> EDEADLK");
    else if (e->result == 11) snprintf(extra, sizeof extra, " -> busy");
  }
  snprintf(out, n, "%.40s%s%.100s%.90s", op, obj[0] ? " " : "", obj, extra);
}

/* ---- the timeline's layout ----
 * With no width (a log, a pipe) every thread gets a COLW-wide column, as
 * it always did.  Given a width (--width, the terminal's, $COLUMNS) those
 * columns exceed, the table is narrowed, and nothing in it is cut: only
 * the threads with an event in the steps shown get a column (the others
 * are named under the table, with their pending operation), the columns
 * share the width, and a cell too long for its column wraps onto
 * continuation lines.  Columns narrower than MINW would split every word,
 * so then the table becomes a list: one column, each cell led by its
 * thread's name. */
#define COLW 44
#define MINW 20
#define STEPW 9  /* " %6s  ": the step column */
#define MIN_WIDTH 40
static struct {
  int width;                 /* 0: unlimited */
  int colw;                  /* a thread column's width */
  int wrap;                  /* narrowed: wrap, never cut */
  int list;                  /* one column, cells led by their thread */
  int ncol;
  int col[IL_MAX_THREADS];   /* thread -> column; -1: none (idle in the steps shown) */
} lay;

/* --width, else the terminal's (the report goes to stdout, through a
 * buffer), else $COLUMNS, else 0: a log keeps today's full columns. */
static int timeline_width(const struct options *opt) {
  long w = opt->width;
  if (w < 0) {
    struct winsize ws;
    const char *c = getenv("COLUMNS");
    char *e = NULL;
    w = 0;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) w = ws.ws_col;
    else if (c && *c) w = strtol(c, &e, 10);
    if (w < 0 || (e && *e)) w = 0; /* a COLUMNS that is no number */
  }
  return w > 0 && w < MIN_WIDTH ? MIN_WIDTH : w > 100000 ? 100000 : (int)w;
}

/* How much of s goes on a line of w columns: all of it, or up to its last
 * space within w, or w characters of one long word (broken, never cut). */
static int piece(const char *s, int w) {
  int n = (int)strlen(s), lead = 0;
  if (w < 1) w = 1;
  if (n <= w) return n;
  while (s[lead] == ' ') lead++;
  for (int k = w; k > lead; k--)
    if (s[k] == ' ') return k;
  return w;
}

/* text at column x (after the step column), w wide, wrapped: each
 * continuation line indented two more than the text's own indentation. */
static void wrapped(FILE *f, const char *stepcol, int x, int w, const char *text) {
  int lead = 0, ind = 0;
  while (text[lead] == ' ') lead++;
  for (const char *p = text;;) {
    int n = piece(p, w - ind);
    fprintf(f, " %6s  %*s%*s%.*s\n", stepcol, x, "", ind, "", n, p);
    stepcol = "";
    p += n;
    while (*p == ' ') p++;
    if (!*p) break;
    ind = lead + 2 < w / 2 ? lead + 2 : 0;
  }
}

/* A line of prose under a width, continuation lines indented by ind. */
static void prose(FILE *f, int ind, const char *text) {
  if (!lay.width) { fprintf(f, "%s\n", text); return; }
  for (const char *p = text;;) {
    int w = lay.width - (p == text ? 0 : ind);
    int n = piece(p, w);
    fprintf(f, "%*s%.*s\n", p == text ? 0 : ind, "", n, p);
    p += n;
    while (*p == ' ') p++;
    if (!*p) break;
  }
}

/* Part of a list of names at column x: a name that does not fit even a
 * line of its own is broken.  Returns the new column. */
static int name_list_put(FILE *f, int x, const char *s) {
  for (; *s; s++, x++) {
    if (x >= lay.width) x = fprintf(f, "\n%*s", STEPW + 2, "") - 1;
    fputc(*s, f);
  }
  return x;
}

static void cell(FILE *f, int col, int ncol, const char *text) {
  fprintf(f, "%*s%-*.*s", col * (COLW + 2), "", COLW, COLW, text);
  (void)ncol;
  fputc('\n', f);
}

/* One cell of thread t: l1, and l2 (its site) under it. */
static void print_row(FILE *f, const char *stepcol, int t, int ncol, const char *l1, const char *l2) {
  if (!lay.wrap) {
    fprintf(f, " %6s  ", stepcol);
    cell(f, t, ncol, l1);
    if (l2 && *l2) {
      fprintf(f, " %6s  ", "");
      cell(f, t, ncol, l2);
    }
    return;
  }
  int col = lay.col[t];
  if (lay.list || col < 0) { /* the whole width, led by the thread */
    char named[300];
    snprintf(named, sizeof named, "%s: %s", tname(t), l1);
    wrapped(f, stepcol, 0, lay.width - STEPW, named);
    if (l2 && *l2) wrapped(f, "", 0, lay.width - STEPW, l2);
    return;
  }
  wrapped(f, stepcol, col * (lay.colw + 2), lay.colw, l1);
  if (l2 && *l2) wrapped(f, "", col * (lay.colw + 2), lay.colw, l2);
}

/* The layout of the steps in rows[from..nrows) for nt threads. */
static void plan_layout(const struct il_shm *s, int nt, const struct report_row *rows, size_t from, size_t nrows,
                        int width) {
  lay.width = width;
  lay.colw = COLW;
  lay.wrap = lay.list = 0;
  lay.ncol = nt;
  for (int c = 0; c < nt; c++) lay.col[c] = c;
  if (!width || STEPW + nt * (COLW + 2) <= width) return;
  lay.wrap = 1;
  for (int c = 0; c < nt; c++) lay.col[c] = -1;
  for (size_t ri = from; ri < nrows; ri++)
    for (uint32_t k = 0; k < rows[ri].period; k++) {
      int t = s->events[(rows[ri].at + k) % IL_EVENT_RING].thread;
      lay.col[t < nt ? t : 0] = 0;
    }
  lay.ncol = 0;
  for (int c = 0; c < nt; c++)
    if (lay.col[c] == 0) lay.col[c] = lay.ncol++;
  int w = lay.ncol ? (width - STEPW - 2 * (lay.ncol - 1)) / lay.ncol : COLW;
  lay.colw = w < COLW ? w : COLW;
  if (lay.colw < MINW) {
    lay.list = 1;
    lay.colw = width - STEPW;
  }
}

/* The table's head: one column per thread that has one, names wrapped. */
static void print_head(FILE *f, int nt) {
  if (!lay.wrap) {
    fprintf(f, " %6s  ", "step");
    for (int c = 0; c < nt; c++) fprintf(f, "%-*.*s  ", COLW, COLW, tname(c));
    fprintf(f, "\n %6s  ", "------");
    for (int c = 0; c < nt; c++) {
      for (int k = 0; k < COLW; k++) fputc('-', f);
      fputs("  ", f);
    }
    fputc('\n', f);
    return;
  }
  if (lay.list) {
    fprintf(f, " %6s  thread: event\n %6s  ", "step", "------");
    for (int k = 0; k < lay.colw; k++) fputc('-', f);
    fputc('\n', f);
    return;
  }
  static const char *rest[IL_MAX_THREADS]; /* column -> what is left of its name */
  for (int c = 0; c < nt; c++)
    if (lay.col[c] >= 0) rest[lay.col[c]] = tname(c);
  for (int line = 0;; line++) {
    int last = -1;
    for (int j = 0; j < lay.ncol; j++)
      if (*rest[j]) last = j;
    if (last < 0) break;
    fprintf(f, " %6s  ", line ? "" : "step");
    for (int j = 0; j <= last; j++) {
      int n = piece(rest[j], lay.colw);
      fprintf(f, "%-*.*s%s", j < last ? lay.colw : 0, n, rest[j], j < last ? "  " : "\n");
      rest[j] += n;
      while (*rest[j] == ' ') rest[j]++;
    }
  }
  fprintf(f, " %6s  ", "------");
  for (int j = 0; j < lay.ncol; j++) {
    for (int k = 0; k < lay.colw; k++) fputc('-', f);
    if (j + 1 < lay.ncol) fputs("  ", f);
  }
  fputc('\n', f);
}

/* The function and file:line of event i (e, in s's ring): its pc, or for a
 * call inside a library without lines, the program's frame that made it. */
void event_frame(const struct il_shm *s, uint64_t i, const struct il_event *e, char *fn, size_t fnn, char *loc,
                 size_t locn) {
  sym_pc(e->pc, 1, fn, fnn, loc, locn);
  /* A call made inside a library without line information (std::thread's
   * constructor in libstdc++): show the program's frame that led to it, if
   * the event has a stack (the report's re-run records 4 frames). */
  if (loc[0] == '(') {
    const uint64_t *st = s->event_stacks[i % IL_EVENT_RING];
    for (int k = 0; k < 4 && st[k]; k++) {
      char f2[128], l2[128];
      if (sym_in_runtime(st[k])) continue;
      sym_pc(st[k], 1, f2, sizeof f2, l2, sizeof l2);
      if (l2[0] && l2[0] != '(') {
        snprintf(fn, fnn, "%s", f2);
        snprintf(loc, locn, "%s", l2);
        break;
      }
    }
  }
}

static void event_site(const struct il_shm *s, uint64_t i, const struct il_event *e, char *out, size_t n) {
  char fn[128], loc[128];
  if (!e->pc) { out[0] = 0; return; }
  event_frame(s, i, e, fn, sizeof fn, loc, sizeof loc);
  /* Keep file:line whole; shorten the function name to fit the column
   * (a narrowed table wraps it instead). */
  int room = COLW - 6 - (int)strlen(loc);
  if (!lay.wrap && (int)strlen(fn) > room && room > 4) snprintf(out, n, "  in %.*s~ %s", room - 1, fn, loc);
  else snprintf(out, n, "  in %s %s", fn, loc);
}

/* Where the program's own frames start in a captured stack: a parked
 * thread's stack begins with libc's signal and syscall frames and then
 * the runtime's parking machinery; skip both. */
static int first_user_frame(const uint64_t *st, int n) {
  int i = 0;
  while (i < n && i < IL_STACK_DEPTH && sym_in_libc(st[i])) i++;
  if (i < n && i < IL_STACK_DEPTH && sym_in_runtime(st[i])) {
    while (i < n && i < IL_STACK_DEPTH && sym_in_runtime(st[i])) i++;
    return i;
  }
  return 0;
}

/* A sanitizer runtime's own frame, by name: the runtime skips those of a
 * shared libasan by address (runtime/sanitizer.c), but clang links its
 * runtime into the executable, where only names tell them apart. */
static int san_frame(uint64_t pc) {
  char fn[128], loc[128];
  sym_pc(pc, 1, fn, sizeof fn, loc, sizeof loc);
  return !strncmp(fn, "__asan", 6) || !strncmp(fn, "__sanitizer", 11) || !strncmp(fn, "__interceptor", 13) ||
         !strncmp(fn, "__ubsan", 7) || !strncmp(fn, "__lsan", 6) || !strncmp(fn, "asan_", 5);
}
static int first_program_frame(const uint64_t *st, int n) {
  int i = 0;
  while (i < n && i < IL_STACK_DEPTH && san_frame(st[i])) i++;
  return i < n ? i : 0;
}

static void print_stack(FILE *f, const uint64_t *st, int n, int first_is_ret) {
  int k = 0, from = first_user_frame(st, n);
  if (from == 0) from = first_program_frame(st, n);
  for (int i = from; i < n && i < IL_STACK_DEPTH; i++) {
    if (sym_in_runtime(st[i])) {
      if (k > 0) break; /* the thread trampoline: the program's part ended */
      continue;         /* a wrapper (__assert_fail, exit) above the program */
    }
    char fn[128], loc[128];
    sym_pc(st[i], first_is_ret || i > 0, fn, sizeof fn, loc, sizeof loc);
    if (fn[0] == '0' && sym_in_libc(st[i])) continue; /* the unnamed signal trampoline */
    if (!strncmp(fn, "__libc_start", 12) || !strcmp(fn, "_start") || !strcmp(fn, "start_thread") ||
        !strcmp(fn, "clone3") || !strcmp(fn, "__clone3")) break;
    if (!strcmp(fn, "__restore_rt") || !strncmp(fn, "__pthread_kill", 14) || !strcmp(fn, "raise") ||
        !strcmp(fn, "abort") || !strncmp(fn, "__assert_fail", 13))
      continue;
    fprintf(f, "    #%d %s %s\n", k++, fn, loc);
  }
  if (k == 0) fprintf(f, "    (no stack)\n");
}

static const char *sig_name(int s) {
  switch (s) {
  case SIGSEGV: return "SIGSEGV";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGILL: return "SIGILL";
  case SIGABRT: return "SIGABRT";
  case SIGKILL: return "SIGKILL";
  default: return "signal";
  }
}

/* The location a SUMMARY names: assert site, fault pc, or the culprit's
 * pending call. */
static void summary_site(const struct outcome *o, char *fn, size_t fnn, char *loc, size_t locn) {
  const struct il_result *r = &o->res;
  if (o->kind == BUG_ASSERT && r->assert_file[0]) {
    const char *b = strrchr(r->assert_file, '/');
    snprintf(loc, locn, "%.120s:%d", b ? b + 1 : r->assert_file, r->assert_line);
    snprintf(fn, fnn, "%.127s", r->assert_func);
    return;
  }
  if (o->kind == BUG_LOCKHOLD) {
    sym_pc(o->holds[o->hold].blk_pc, 1, fn, fnn, loc, locn);
    return;
  }
  if (o->kind == BUG_RACE) {
    sym_pc(o->races[o->race].cur.pc, 1, fn, fnn, loc, locn);
    return;
  }
  if (o->kind == BUG_WATCHDOG && r->nstack > 0) {
    int i = first_user_frame(r->stack, r->nstack);
    while (i < r->nstack && sym_in_libc(r->stack[i])) i++; /* the signal frame */
    if (i < r->nstack) { sym_pc(r->stack[i], 1, fn, fnn, loc, locn); return; }
  }
  if (IS_SAN_KIND(o->kind) && r->nstack > 0) {
    sym_pc(r->stack[first_program_frame(r->stack, r->nstack)], 1, fn, fnn, loc, locn);
    return;
  }
  sym_pc(r->pc, o->kind != BUG_CRASH, fn, fnn, loc, locn);
}

void report_site(const struct outcome *o, char *fn, size_t fnn, char *loc, size_t locn) {
  summary_site(o, fn, fnn, loc, locn);
}

/* The timeline rows the last report_print showed (output.c reads them). */
static struct report_row *shown_rows;
static size_t nshown_rows;
size_t report_shown(const struct report_row **rows) {
  *rows = shown_rows;
  return nshown_rows;
}

/* A live thread's pending operation as an event, and its description. */
/* Does thread i get a "next" row (what it was about to do)?  Not when it
 * is done, nor the failing thread of a failure that happened inside its
 * own code (an assertion, a crash, an exit, a watchdog, a sanitizer). */
int pending_shown(const struct il_shm *s, const struct outcome *o, int i) {
  const struct il_thread_info *ti = &s->threads[i];
  if (ti->state == IL_T_DONE || ti->state == IL_T_FREE) return 0;
  if (i == o->res.thread && (o->kind == BUG_ASSERT || o->kind == BUG_CRASH || o->kind == BUG_EXIT ||
                             o->kind == BUG_WATCHDOG || IS_SAN_KIND(o->kind)))
    return 0;
  return ti->wait_op >= 0 && ti->wait_op < IL_OP__COUNT;
}

void pending_event(const struct il_thread_info *ti, struct il_event *e, char *d, size_t n) {
  memset(e, 0, sizeof *e);
  e->op = (uint16_t)ti->wait_op;
  e->obj = ti->wait_obj;
  e->pc = ti->wait_pc;
  event_describe(e, d, n);
  if (ti->wait_op == IL_OP_SLEEP) snprintf(d, n, "sleep");
}

/* Lateness below this is noise (clock reads cost 1 us each). */
#define LATE_REPORT_NS 10000

void report_print(FILE *f, const struct il_shm *s, const struct outcome *o, const struct options *opt,
                  const char *sched_path, const char *program_output, char *summary, size_t summary_n) {
  const struct il_result *r = &o->res;
  sym_use(s->maps);
  int nt = r->nthreads > 0 && r->nthreads <= IL_MAX_THREADS ? r->nthreads : 1;
  for (uint64_t i = s->nevents > IL_EVENT_RING ? s->nevents - IL_EVENT_RING : 0; i < s->nevents; i++)
    if (s->events[i % IL_EVENT_RING].thread >= nt && s->events[i % IL_EVENT_RING].thread < IL_MAX_THREADS)
      nt = s->events[i % IL_EVENT_RING].thread + 1;
  name_threads(s, nt);
  char fn[160], loc[160], obj[128], t1[32];

  fprintf(f, "==================================================================\n");
  switch (o->kind) {
  case BUG_ASSERT:
    fprintf(f, "ERROR: interleave: assertion failed in thread %s\n", tname(r->thread));
    fprintf(f, "  \"%s\"\n", r->msg);
    break;
  case BUG_CRASH:
    if (r->verdict == IL_V_CRASH) {
      sym_pc(r->pc, 0, fn, sizeof fn, loc, sizeof loc);
      fprintf(f, "ERROR: interleave: %s in thread %s at %s %s", sig_name(r->signo), tname(r->thread), fn, loc);
      if (r->signo == SIGSEGV || r->signo == SIGBUS) fprintf(f, " (address 0x%" PRIx64 ")", r->addr);
      fputc('\n', f);
    } else {
      fprintf(f, "ERROR: interleave: the program was killed by %s\n", sig_name(WTERMSIG(r->wstatus)));
    }
    break;
  case BUG_EXIT:
    fprintf(f, "ERROR: interleave: the program exited with status %d\n", WEXITSTATUS(r->wstatus));
    break;
  case BUG_DEADLOCK:
    fprintf(f, "ERROR: interleave: deadlock: threads wait for each other in a cycle\n");
    break;
  case BUG_STALL:
    fprintf(f, "ERROR: interleave: stall: thread %s waits forever%s\n", tname(r->thread),
            r->msg[0] ? " while other threads keep running" : "");
    break;
  case BUG_HANG:
    fprintf(f, "ERROR: interleave: hang: the execution did not finish within --%s\n", r->msg);
    break;
  case BUG_WATCHDOG:
    fprintf(f, "ERROR: interleave: watchdog: thread %s reached no scheduling point for %u ms (%s)\n",
            tname(r->thread), opt->watchdog_ms,
            r->watch_spin ? "spinning on the CPU: a busy-wait on a plain variable?"
                          : "blocked in a call interleave does not control");
    break;
  case BUG_RACE: {
    const struct il_race *rc = &o->races[o->race];
    sym_obj(rc->addr, obj, sizeof obj);
    fprintf(f, "WARNING: interleave: data race on %s between thread %s and thread %s\n", obj,
            tname(rc->cur.thread), tname(rc->prev.thread));
    break;
  }
  case BUG_LOCKHOLD: {
    const struct il_hold *h = &o->holds[o->hold];
    sym_obj(h->lock, obj, sizeof obj);
    fmt_vtime(h->wait_ns, t1, sizeof t1);
    fprintf(f, "ERROR: interleave: lock held across a blocking call: %s held %s across %s while %s waited %s\n",
            tname(h->holder), obj, opname(h->blk_op), tname(h->waiter), t1);
    break;
  }
  default:
    if (IS_SAN_KIND(o->kind)) { /* msg: "AddressSanitizer: heap-use-after-free a.c:12 in f" */
      summary_site(o, fn, sizeof fn, loc, sizeof loc);
      fprintf(f, "ERROR: interleave: %s in thread %s at %s %s (%.*s)\n", bug_kind_name(o->kind), tname(r->thread),
              fn, loc, (int)strcspn(r->msg, ":"), r->msg);
      break;
    }
    fprintf(f, "ERROR: interleave: %s %s\n", bug_kind_name(o->kind), r->msg);
  }

  /* ---- the timeline ----
   * Periodic activity (a ticking event loop, a polling thread) is folded:
   * a block of up to 4 events that repeats 3 or more times in a row is
   * printed once with its count, so the steps that matter stay in view. */
  uint64_t total = s->nevents, first = total > IL_EVENT_RING ? total - IL_EVENT_RING : 0;
  /* A lock hold is reported where it was found, not where the run ended. */
  if (o->kind == BUG_LOCKHOLD && o->holds[o->hold].event < total && o->holds[o->hold].event > first)
    total = o->holds[o->hold].event;
  if (o->kind == BUG_RACE && o->races[o->race].event < total && o->races[o->race].event > first)
    total = o->races[o->race].event;
  size_t cap = (size_t)(total - first) + 1, nrows = 0;
  struct report_row *rows = malloc(cap * sizeof *rows);
  for (uint64_t i = first; i < total;) {
    uint32_t best_p = 1, best_r = 1;
    for (uint32_t p = 1; p <= 4; p++) {
      uint32_t reps = 1;
      while (i + (uint64_t)(reps + 1) * p <= total) {
        int same = 1;
        for (uint32_t k = 0; k < p && same; k++) {
          const struct il_event *a = &s->events[(i + k) % IL_EVENT_RING];
          const struct il_event *b = &s->events[(i + (uint64_t)reps * p + k) % IL_EVENT_RING];
          same = a->thread == b->thread && a->op == b->op && a->obj == b->obj && a->pc == b->pc &&
                 a->result == b->result;
        }
        if (!same) break;
        reps++;
      }
      if (reps >= 3 && reps * p > best_r * best_p) { best_p = p; best_r = reps; }
    }
    rows[nrows].at = i;
    rows[nrows].period = best_r >= 3 ? best_p : 1;
    rows[nrows].reps = best_r >= 3 ? best_r : 1;
    i += (uint64_t)rows[nrows].period * rows[nrows].reps;
    nrows++;
  }
  size_t from = 0, shown_events = 0;
  if (!opt->full_trace) {
    /* The last `context` printed lines' worth of rows. */
    size_t lines = 0;
    from = nrows;
    while (from > 0 && lines + rows[from - 1].period <= (size_t)opt->context) lines += rows[--from].period;
  }
  for (size_t i = from; i < nrows; i++) shown_events += (size_t)rows[i].period * rows[i].reps;
  plan_layout(s, nt, rows, from, nrows, timeline_width(opt));
  char line[400];
  static const char legend[] = "* = preemption, T = timeout fired, L = late):";
  int n = snprintf(line, sizeof line, "Interleaving (last %zu of %" PRIu64 " events%s;", shown_events, total,
                   from > 0 || first > 0 ? ", --full-trace for all" : "");
  fputc('\n', f);
  if (!lay.width || n + 1 + (int)strlen(legend) <= lay.width) {
    fprintf(f, "%s %s\n\n", line, legend);
  } else {
    prose(f, 2, line);
    snprintf(line, sizeof line, "  %s", legend);
    prose(f, 4, line);
    fputc('\n', f);
  }
  print_head(f, nt);
  for (size_t ri = from; ri < nrows; ri++) {
    const struct report_row *rw = &rows[ri];
    if (rw->reps > 1) {
      const struct il_event *a = &s->events[rw->at % IL_EVENT_RING];
      const struct il_event *z = &s->events[(rw->at + (uint64_t)rw->period * rw->reps - 1) % IL_EVENT_RING];
      char l[200], t2[32];
      fmt_vtime(a->vtime, t1, sizeof t1);
      fmt_vtime(z->vtime, t2, sizeof t2);
      snprintf(l, sizeof l, "[%u times, t=%s..%s:]", rw->reps, t1, t2);
      print_row(f, "", a->thread < nt ? a->thread : 0, nt, l, NULL);
    }
    for (uint32_t k = 0; k < rw->period; k++) {
      uint64_t i = rw->at + k;
      const struct il_event *e = &s->events[i % IL_EVENT_RING];
      char d[160], site[200], stepcol[16];
      event_describe(e, d, sizeof d);
      event_site(s, i, e, site, sizeof site);
      snprintf(stepcol, sizeof stepcol, "%u%s%s%s", e->step, (e->flags & IL_EV_PREEMPT) ? "*" : "",
               (e->flags & IL_EV_TIMEOUT) ? "T" : "", (e->flags & IL_EV_LATE) ? "L" : "");
      print_row(f, rw->reps > 1 ? "" : stepcol, e->thread < nt ? e->thread : 0, nt, d, site);
    }
  }
  free(shown_rows);
  nshown_rows = nrows - from;
  shown_rows = malloc((nshown_rows ? nshown_rows : 1) * sizeof *rows);
  memcpy(shown_rows, rows + from, nshown_rows * sizeof *rows);
  free(rows);
  if (o->preempt_to >= 0 && o->preempt_from >= 0) {
    if (o->preempt_to < o->preempt_from)
      snprintf(line, sizeof line, " %6s  Preemptions: %d (minimized from %d)", "", o->preempt_to, o->preempt_from);
    else
      snprintf(line, sizeof line, " %6s  Preemptions: %d", "", o->preempt_to);
    prose(f, STEPW + 2, line);
  }
  /* Lateness: a failure that needs a thread to be late says how late. */
  if (r->late_thread >= 0 && r->late_thread < nt && r->late_ns >= LATE_REPORT_NS) {
    char t2[32], t3[32];
    fmt_dur(r->late_ns, t1, sizeof t1);
    fmt_vtime(r->late_since, t2, sizeof t2);
    fmt_vtime(r->late_since + r->late_ns, t3, sizeof t3);
    int len = snprintf(line, sizeof line, " %6s  Lateness: %s runnable, not run for %s (t=%s..%s, until step %u)",
                       "", tname(r->late_thread), t1, t2, t3, r->late_step);
    if (opt->max_delay_ns >= 0 && len > 0 && (size_t)len < sizeof line) {
      fmt_dur(opt->max_delay_ns, t1, sizeof t1);
      snprintf(line + len, sizeof line - (size_t)len, " (--max-delay %s)", t1);
    }
    prose(f, STEPW + 2, line);
  }
  /* What each live thread was about to do. */
  for (int i = 0; i < nt; i++) {
    const struct il_thread_info *ti = &s->threads[i];
    if (!pending_shown(s, o, i)) continue;
    struct il_event e;
    char d[160], site[200];
    pending_event(ti, &e, d, sizeof d);
    char l1[200], until[48] = "";
    if (ti->deadline >= 0) {
      fmt_vtime(ti->deadline, t1, sizeof t1);
      snprintf(until, sizeof until, " until t=%s", t1);
    }
    snprintf(l1, sizeof l1, "%s %s%s", ti->state == IL_T_BLOCKED ? (ti->deadline >= 0 ? "waiting:" : "blocked:") : "next:",
             d, until);
    event_site(s, 0, &e, site, sizeof site);
    print_row(f, "next", i, nt, l1, site);
  }
  /* A narrowed table names the threads it gave no column. */
  if (lay.wrap) {
    int x = 0;
    for (int i = 0; i < nt; i++) {
      if (lay.col[i] >= 0) continue;
      int len = (int)strlen(tname(i)) + 1; /* and its comma */
      if (!x) x = fprintf(f, " %6s  No event in the steps shown:", "");
      else x = name_list_put(f, x, ",");
      if (x + 1 + len > lay.width && x > STEPW + 2) x = fprintf(f, "\n%*s", STEPW + 2, "") - 1;
      else x = name_list_put(f, x, " ");
      x = name_list_put(f, x, tname(i));
    }
    if (x) fputc('\n', f);
  }

  /* ---- the explanation ---- */
  fputc('\n', f);
  if (o->kind == BUG_ASSERT) {
    const char *b = strrchr(r->assert_file, '/');
    fprintf(f, "Assertion \"%s\" failed at %s:%d in %s, thread %s.\n", r->msg, b ? b + 1 : r->assert_file,
            r->assert_line, r->assert_func, tname(r->thread));
  } else if (o->kind == BUG_DEADLOCK) {
    fprintf(f, "Deadlock cycle:\n");
    int cur = r->thread, guard = 0;
    while (cur >= 0 && guard++ < nt) {
      const struct il_thread_info *ti = &s->threads[cur];
      sym_pc(ti->wait_pc, 1, fn, sizeof fn, loc, sizeof loc);
      int next;
      uint64_t hpc = 0;
      if (ti->wait_op == IL_OP_JOIN) {
        next = (int)ti->wait_obj;
        fprintf(f, "  %s waits to join %s  in %s %s\n", tname(cur), tname(next), fn, loc);
      } else {
        sym_obj(ti->wait_obj, obj, sizeof obj);
        next = holder_of(s, nt, ti->wait_obj, &hpc);
        fprintf(f, "  %s waits for %s %s  in %s %s\n", tname(cur), opname(ti->wait_op), obj, fn, loc);
        if (next >= 0) {
          sym_pc(hpc, 1, fn, sizeof fn, loc, sizeof loc);
          fprintf(f, "      held by %s, acquired in %s %s\n", tname(next), fn, loc);
        }
      }
      if (next == r->thread || next < 0) break;
      cur = next;
    }
  } else if (o->kind == BUG_STALL || o->kind == BUG_HANG) {
    if (o->kind == BUG_HANG) fprintf(f, "The execution did not finish in time. Waiting threads:\n");
    else if (r->msg[0]) fprintf(f, "%s waits forever while other threads keep running. Stuck threads:\n", tname(r->thread));
    else fprintf(f, "No thread can make progress, and no wait-for cycle explains it. Blocked threads:\n");
    for (int i = 0; i < nt; i++) {
      const struct il_thread_info *ti = &s->threads[i];
      if (ti->state != IL_T_BLOCKED || ti->deadline >= 0) continue;
      sym_pc(ti->wait_pc, 1, fn, sizeof fn, loc, sizeof loc);
      if (ti->wait_op == IL_OP_JOIN) snprintf(obj, sizeof obj, "T%d", (int)ti->wait_obj);
      else if (ti->wait_op >= IL_OP_IO_READ && ti->wait_op <= IL_OP_IO_ACCEPT)
        snprintf(obj, sizeof obj, "fd %d", (int)ti->wait_obj);
      else sym_obj(ti->wait_obj, obj, sizeof obj);
      fmt_vtime(ti->blocked_since, t1, sizeof t1);
      fprintf(f, "  %s waits in %s %s since t=%s  in %s %s\n", tname(i), opname(ti->wait_op), obj, t1, fn, loc);
      if (ti->wait_op == IL_OP_COND_WAIT) {
        /* Who last signalled this condition variable, from the trace;
         * and whether that was before this wait began (a lost signal). */
        int found, waited;
        uint64_t wait_at = last_event(s, first, total, ti->wait_obj, IL_OP_COND_WAIT, -1, i, &waited);
        uint64_t k = last_event(s, first, total, ti->wait_obj, IL_OP_COND_SIGNAL, IL_OP_COND_BCAST, -1, &found);
        if (found) {
          const struct il_event *e = &s->events[k % IL_EVENT_RING];
          char f2[128], l2[128];
          sym_pc(e->pc, 1, f2, sizeof f2, l2, sizeof l2);
          fmt_vtime(e->vtime, t1, sizeof t1);
          fprintf(f, "      last %s: %s at t=%s in %s %s%s\n", opname(e->op), tname(e->thread), t1, f2, l2,
                  k < wait_at ? ", before this wait began: nobody was waiting, the signal was lost" : "");
        } else {
          fprintf(f, "      never signalled in the recorded trace\n");
        }
      } else if (ti->wait_op == IL_OP_SEM_WAIT) {
        int found;
        uint64_t k = last_event(s, first, total, ti->wait_obj, IL_OP_SEM_POST, -1, -1, &found);
        if (found) {
          const struct il_event *e = &s->events[k % IL_EVENT_RING];
          char f2[128], l2[128];
          sym_pc(e->pc, 1, f2, sizeof f2, l2, sizeof l2);
          fmt_vtime(e->vtime, t1, sizeof t1);
          fprintf(f, "      last sem_post: %s at t=%s in %s %s\n", tname(e->thread), t1, f2, l2);
        } else {
          fprintf(f, "      never posted in the recorded trace\n");
        }
      } else if (ti->wait_op != IL_OP_JOIN) {
        uint64_t hpc;
        int h = holder_of(s, nt, ti->wait_obj, &hpc);
        if (h >= 0) {
          sym_pc(hpc, 1, fn, sizeof fn, loc, sizeof loc);
          fprintf(f, "      held by %s, acquired in %s %s\n", tname(h), fn, loc);
        }
      }
    }
    /* Threads that kept running (ticking) meanwhile. */
    for (int i = 0; i < nt; i++) {
      const struct il_thread_info *ti = &s->threads[i];
      if ((ti->state == IL_T_BLOCKED && ti->deadline < 0) || ti->state == IL_T_DONE) continue;
      unsigned wakes = 0;
      uint64_t site = 0;
      for (uint64_t k = first; k < total; k++) {
        const struct il_event *e = &s->events[k % IL_EVENT_RING];
        if (e->thread == i && (e->flags & IL_EV_TIMEOUT)) { wakes++; site = e->pc; }
      }
      if (wakes) {
        sym_pc(site, 1, fn, sizeof fn, loc, sizeof loc);
        fprintf(f, "  meanwhile %s kept running: woke %u times on timeouts, last in %s %s\n", tname(i), wakes, fn, loc);
      }
    }
  } else if (o->kind == BUG_RACE) {
    const struct il_race *rc = &o->races[o->race];
    sym_obj(rc->addr, obj, sizeof obj);
    for (int side = 0; side < 2; side++) {
      const struct il_access_info *a = side ? &rc->prev : &rc->cur;
      fprintf(f, "%s%s of size %d at 0x%" PRIx64 " (%s) by thread %s:\n", side ? "Previous " : "",
              a->write ? (side ? "write" : "Write") : (side ? "read" : "Read"), a->size, rc->addr, obj,
              tname(a->thread));
      sym_pc(a->pc, 1, fn, sizeof fn, loc, sizeof loc);
      fprintf(f, "    #0 %s %s\n", fn, loc);
      for (int k = 0; k < a->nstack; k++) {
        if (sym_in_runtime(a->stack[k])) break; /* the thread trampoline */
        sym_pc(a->stack[k], 1, fn, sizeof fn, loc, sizeof loc);
        fprintf(f, "    #%d %s %s\n", k + 1, fn, loc);
      }
    }
    fprintf(f, "No happens-before order (lock, semaphore, join, atomic release/acquire...) separates the two\n"
               "accesses. The timeline above stops where the second access was made.\n");
  } else if (o->kind == BUG_LOCKHOLD) {
    const struct il_hold *h = &o->holds[o->hold];
    sym_obj(h->lock, obj, sizeof obj);
    fmt_vtime(h->held_ns, t1, sizeof t1);
    fprintf(f, "Lock %s (%s) was held by %s for %s:\n", obj, opname(h->lock_op), tname(h->holder), t1);
    sym_pc(h->acq_pc, 1, fn, sizeof fn, loc, sizeof loc);
    fprintf(f, "  acquired in %s %s\n", fn, loc);
    sym_pc(h->blk_pc, 1, fn, sizeof fn, loc, sizeof loc);
    fmt_vtime(h->blk_ns, t1, sizeof t1);
    fprintf(f, "  held across %s in %s %s (blocked for %s)\n", opname(h->blk_op), fn, loc, t1);
    sym_pc(h->wait_pc, 1, fn, sizeof fn, loc, sizeof loc);
    fmt_vtime(h->wait_ns, t1, sizeof t1);
    fprintf(f, "%s waited %s for it in %s %s (--hold-threshold %.3gs).\n", tname(h->waiter), t1, fn, loc,
            opt->hold_threshold);
    fprintf(f, "The events after this point are not shown; the execution went on%s.\n",
            r->verdict == IL_V_ASSERT ? " to a failed assertion" : "");
  } else if (o->kind == BUG_WATCHDOG && r->thread >= 0) {
    fprintf(f, "Thread %s ran for %u ms of real time without reaching a scheduling point (a pthread,\n"
               "semaphore, sleep or poll call); interleave stopped the execution. Its stack is below.\n",
            tname(r->thread), opt->watchdog_ms);
  } else if (o->kind == BUG_CRASH && r->verdict == IL_V_CRASH) {
    fprintf(f, "Thread %s received %s.\n", tname(r->thread), sig_name(r->signo));
  } else if (IS_SAN_KIND(o->kind)) {
    fprintf(f, "%.*s reported %s in thread %s; its report (the access, where the memory\n"
               "was allocated and freed) is in the program output below.\n",
            (int)strcspn(r->msg, ":"), r->msg, bug_kind_name(o->kind), tname(r->thread));
  }

  /* ---- threads and stacks (at the end of the execution: not for a
   * finding made in its middle) ---- */
  fputc('\n', f);
  for (int i = 0; i < nt && o->kind != BUG_RACE && o->kind != BUG_LOCKHOLD; i++) {
    const struct il_thread_info *ti = &s->threads[i];
    if (ti->state == IL_T_DONE) continue;
    const char *st = i == r->thread && (o->kind == BUG_ASSERT || o->kind == BUG_CRASH || IS_SAN_KIND(o->kind))
                     ? "failed here"
                     : i == r->thread && o->kind == BUG_EXIT ? "ended the process here"
                     : ti->state == IL_T_BLOCKED ? (ti->deadline >= 0 ? "in a timed wait" : "blocked")
                     : "runnable";
    fprintf(f, "Thread %s, %s", tname(i), st);
    if (i > 0) {
      sym_pc(ti->create_pc, 1, fn, sizeof fn, loc, sizeof loc);
      fprintf(f, " (created by %s in %s %s)", tname(ti->parent), fn, loc);
    }
    fprintf(f, ", stack:\n");
    if (i == r->thread && o->kind == BUG_CRASH && r->nstack) print_stack(f, r->stack, r->nstack, 1);
    else print_stack(f, ti->stack, ti->nstack, 1);
  }

  if (r->warnings & IL_W_UNCONTROLLED_THREAD)
    fprintf(f, "\nNote: a thread interleave did not create (started by libc, e.g. timer_create) made "
               "synchronization calls; it ran uncontrolled.\n");
  if (r->warnings & IL_W_TLS_DTOR)
    fprintf(f, "\nNote: a thread made synchronization calls after its exit point (thread-local "
               "destructors); those ran uncontrolled.\n");
  if (r->warnings & IL_W_FREE_CHILD)
    fprintf(f, "\nNote: a child process forked while the program had threads ran the program's own code "
               "(no exec); it ran outside interleave's control.\n");
  if (r->warnings & IL_W_SLOW_CHILD)
    fprintf(f, "\nNote: a child process was still busy after 1 s of real time; what the program saw of it "
               "depended on real timing from then on.\n");
  if (program_output && *program_output) {
    const char *p = program_output + strlen(program_output);
    int lines = 0;
    while (p > program_output && lines <= 10) { p--; if (*p == '\n') lines++; }
    if (*p == '\n') p++;
    /* A sanitizer's report is shown whole: its stacks (the access, the
     * allocation, the free) are the evidence. */
    const char *san = IS_SAN_KIND(o->kind) ? sanitizer_report(program_output) : NULL;
    if (san && san < p) p = san;
    if (san) fprintf(f, "\nProgram output (last lines, the sanitizer's report in full):\n");
    else fprintf(f, "\nProgram output (last lines):\n");
    for (const char *q = p; *q;) {
      const char *nl = strchr(q, '\n');
      int len = nl ? (int)(nl - q) : (int)strlen(q);
      fprintf(f, "  | %.*s\n", len, q);
      q += len + (nl ? 1 : 0);
    }
  }

  summary_site(o, fn, sizeof fn, loc, sizeof loc);
  fprintf(f, "\nSUMMARY: interleave: %s %s in %s\n", bug_kind_name(o->kind), loc[0] ? loc : "?", fn);
  if (summary) snprintf(summary, summary_n, "%s %s in %s", bug_kind_name(o->kind), loc[0] ? loc : "?", fn);
  fprintf(f, "Seed 0x%" PRIx64 ", execution %" PRIu64 ", %" PRIu64 " steps, virtual time %s.\n", opt->seed,
          o->exec_index, r->steps, (fmt_vtime(r->vtime, t1, sizeof t1), t1));
  if (sched_path) {
    fprintf(f, "Replay:  interleave replay %s\n", sched_path);
    fprintf(f, "         interleave replay --gdb %s\n", sched_path);
  }
  fprintf(f, "==================================================================\n");
}

/* ---- a failure whose schedule did not make it fail again ---- */

void report_unreproducible(FILE *f, const char *maps, const struct outcome *first, const struct outcome *rerun,
                           const struct options *opt, const char *sched_path, char *summary, size_t summary_n) {
  const struct il_result *r = &first->res;
  char fn[160] = "", loc[160] = "", t1[32];
  sym_use(maps);
  summary_site(first, fn, sizeof fn, loc, sizeof loc);
  const char *kind = bug_kind_name(first->kind);
  fprintf(f, "==================================================================\n");
  fprintf(f, "ERROR: interleave: unreproducible %s: execution %" PRIu64 " failed, and re-running its schedule "
             "did not fail the same way\n\n", kind, first->exec_index);
  fprintf(f, "First run:  %s", kind);
  if (first->kind == BUG_WATCHDOG)
    fprintf(f, " (thread T%d %s)", r->thread,
            r->watch_spin ? "spinning on the CPU" : "blocked in a call interleave does not control");
  else if (r->msg[0])
    fprintf(f, " (%s)", r->msg);
  fmt_vtime(r->vtime, t1, sizeof t1);
  fprintf(f, " at %s %s, thread T%d, after %" PRIu64 " steps, virtual time %s\n", fn, loc[0] ? loc : "?", r->thread,
          r->steps, t1);
  fprintf(f, "Re-run:     %s", rerun->kind == BUG_NONE ? "no failure" : bug_kind_name(rerun->kind));
  if (rerun->kind == BUG_DIVERGED)
    fprintf(f, " at step %" PRIu64 ": the program did not follow the recorded schedule", rerun->res.steps);
  else if (rerun->kind != BUG_NONE) {
    char fn2[160] = "", loc2[160] = "";
    summary_site(rerun, fn2, sizeof fn2, loc2, sizeof loc2);
    fprintf(f, " at %s %s", fn2, loc2[0] ? loc2 : "?");
  }
  fprintf(f, "\n\nLikely sources of nondeterminism:\n");
  int n = 0;
  if (first->kind == BUG_WATCHDOG) {
    fprintf(f, "  - the first run was stopped by the watchdog (--watchdog %u ms of the thread's own time): "
               "%s\n", opt->watchdog_ms,
            r->watch_spin ? "a loop whose length depends on real time or input"
                          : "a call that blocks for real (a lock or a descriptor shared with something outside "
                            "the program, a futex) and whose timing varies");
    n++;
  }
  if ((r->warnings | rerun->res.warnings) & IL_W_UNCONTROLLED_THREAD) {
    fprintf(f, "  - threads interleave did not create (libc's timer threads, threads started before main) ran "
               "freely\n");
    n++;
  }
  if ((r->warnings | rerun->res.warnings) & IL_W_TLS_DTOR) {
    fprintf(f, "  - code ran after a thread's exit point, uncontrolled\n");
    n++;
  }
  if ((r->warnings | rerun->res.warnings) & (IL_W_FREE_CHILD | IL_W_SLOW_CHILD)) {
    fprintf(f, "  - child processes: one ran the program's code uncontrolled, or stayed busy for more than 1 s, "
               "so what the program saw of it depended on real timing\n");
    n++;
  }
  if (rerun->kind == BUG_DIVERGED || !n)
    fprintf(f, "  - the program depends on something the schedule does not fix: file contents, the process "
               "or thread ids, the environment, time spent in calls interleave does not control\n");
  fprintf(f, "\nA failure that does not reproduce is not counted as a bug: exit status 3.\n");
  fprintf(f, "\nSUMMARY: interleave: unreproducible %s %s in %s\n", kind, loc[0] ? loc : "?", fn);
  if (summary) snprintf(summary, summary_n, "unreproducible %s %s in %s", kind, loc[0] ? loc : "?", fn);
  fprintf(f, "Seed 0x%" PRIx64 ", execution %" PRIu64 ".  Its schedule, kept for a look: %s\n", opt->seed,
          first->exec_index, sched_path);
  fprintf(f, "==================================================================\n");
}

/* ---- lock-order inversions (lockgraph.c) ---- */

static void lock_name(const struct il_lock_edge *e, int to, char *out, size_t n) {
  uint64_t obj = to ? e->to_obj : e->from_obj;
  sym_obj(obj, out, n);
  if (out[0] == '0') snprintf(out, n, "lock@%" PRIx64, obj);
}

void report_lockorder(FILE *f, const char *maps, const struct il_lock_edge *cyc, const uint64_t *execs, int n,
                      const struct options *opt, char *summary, size_t summary_n) {
  sym_use(maps);
  char a[200], b[200], fn[128], loc[128];
  fprintf(f, "==================================================================\n");
  fprintf(f, "WARNING: interleave: lock-order inversion (potential deadlock)\n");
  if (n == 1)
    fprintf(f, "  two locks of one class, initialized at the same place, are taken in both orders\n");
  fprintf(f, "\nThe lock-order graph of this run has a cycle:\n");
  for (int i = 0; i < n; i++) {
    const struct il_lock_edge *e = &cyc[i];
    lock_name(e, 0, a, sizeof a);
    lock_name(e, 1, b, sizeof b);
    fprintf(f, "\n  thread T%d acquired %s while holding %s (execution %" PRIu64 "):\n", e->thread, b, a, execs[i]);
    sym_pc(e->from_pc, 1, fn, sizeof fn, loc, sizeof loc);
    fprintf(f, "    %s acquired in %s %s\n", a, fn, loc);
    sym_pc(e->to_pc, 1, fn, sizeof fn, loc, sizeof loc);
    fprintf(f, "    %s acquired in %s %s\n", b, fn, loc);
    int ns = 0;
    while (ns < 4 && e->stack[ns]) ns++;
    print_stack(f, e->stack, ns, 1);
  }
  /* Where the heap locks were initialized: their class. */
  uint64_t shown[18];
  int nshown = 0;
  for (int i = 0; i < n; i++)
    for (int side = 0; side < 2; side++) {
      const struct il_lock_edge *e = &cyc[i];
      uint64_t key = side ? e->to_key : e->from_key;
      if (!(side ? e->to_site : e->from_site)) continue;
      int dup = 0;
      for (int k = 0; k < nshown; k++) dup |= shown[k] == key;
      if (dup) continue;
      shown[nshown++] = key;
      sym_pc(key, 1, fn, sizeof fn, loc, sizeof loc);
      lock_name(e, side, a, sizeof a);
      fprintf(f, "\n  lock class: initialized in %s %s (%s)", fn, loc, a);
    }
  if (nshown) fputc('\n', f);
  if (n == 2) {
    lock_name(&cyc[0], 0, a, sizeof a);
    lock_name(&cyc[0], 1, b, sizeof b);
    fprintf(f, "\n Possible unsafe locking scenario:\n\n");
    fprintf(f, "       %-32s %s\n       %-32s %s\n", "Thread A", "Thread B", "--------", "--------");
    fprintf(f, "  lock(%s);\n", a);
    fprintf(f, "  %-32s  lock(%s);\n", "", b);
    fprintf(f, "  %-32s  lock(%s);\n", "", a);
    fprintf(f, "  lock(%s);\n", b);
    fprintf(f, "\n  *** DEADLOCK ***\n");
  }
  sym_pc(cyc[n - 1].to_pc, 1, fn, sizeof fn, loc, sizeof loc);
  fprintf(f, "\nSUMMARY: interleave: lock-order-inversion %s in %s\n", loc[0] ? loc : "?", fn);
  if (summary) snprintf(summary, summary_n, "lock-order-inversion %s in %s", loc[0] ? loc : "?", fn);
  fprintf(f, "Seed 0x%" PRIx64 ". No execution needs to deadlock for this report: it comes from the order of\n"
             "acquisitions across executions (--no-lockdep turns it off).\n", opt->seed);
  fprintf(f, "==================================================================\n");
}
