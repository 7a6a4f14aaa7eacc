/* output.c: the run's findings, machine-readable (--sarif, --junit, --json).
 *
 * Each bug reported during the run is recorded here as it is printed: its
 * kind, headline, SUMMARY signature and site, the printed report, and the
 * interleaving the report shows, step by step with source locations (from
 * report.c's own helpers, so a step reads as in the timeline).  The files
 * are written once, at the end of the run, with every distinct bug:
 *
 *   --sarif  SARIF 2.1.0: one result per bug (ruleId = its kind), with a
 *            codeFlow holding one threadFlow per thread of the interleaving.
 *   --junit  JUnit XML (GitLab, Jenkins): one testsuite, one testcase named
 *            after the program, a <failure> per bug with the report as body.
 *   --json   JSON Lines: one object per bug, then one with the run's stats.
 *
 * Under `interleave gtest` each test is a case (output_case): its bugs are
 * tagged with it, and the JUnit file has one testcase per test.
 *
 * JSON goes through cJSON; the XML is written here, escaped, and every
 * string is made valid UTF-8 first (a program's output can be anything).
 */
#include "cli.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ostep {
  int flow;                /* index into the bug's flows */
  int64_t step;            /* the timeline's step; -1: a pending operation ("next") */
  uint32_t flags;          /* IL_EV_* */
  uint32_t reps;           /* > 1: a folded block, repeated this many times */
  char what[200];          /* "lock balance_mu" */
  char fn[160], file[160]; /* where; file "" when not known */
  int line;
};

struct oflow { char id[32], name[96]; };

struct obug {
  char rule[64];           /* bug kind, "unreproducible-KIND" */
  const char *level;       /* SARIF level */
  char *headline, *summary, *report, *sched; /* sched NULL: none */
  uint64_t exec;
  int ocase;               /* interleave gtest: the test it belongs to; -1: none */
  int thread;              /* -1: none */
  char thread_name[96];
  char fn[160], file[160]; /* the SUMMARY's site */
  int line;
  uint64_t steps;          /* steps the execution took (0: unknown) */
  int preempt_from, preempt_to;
  char flow_msg[160];
  struct oflow *flows;
  int nflows;
  struct ostep *st;
  size_t nst, capst;
};

static int wanted;
static struct obug *bugs;
static size_t nbugs;
static time_t started;

/* interleave gtest's tests, in the order they ran. */
struct ocase {
  char *suite, *name, *param; /* param: "GetParam() = 4", "TypeParam = int", or "" */
  int run;                 /* 0: not run (disabled) */
  struct run_stats st;
};
static struct ocase *cases;
static size_t ncases;

/* ---- strings ---- */

/* s as valid UTF-8: an invalid byte becomes U+FFFD; xml: also the
 * characters XML 1.0 forbids (controls but tab and newlines, U+FFFE/F). */
static char *clean(const char *s, int xml) {
  if (!s) s = "";
  size_t n = strlen(s);
  char *out = malloc(n * 3 + 1), *o = out;
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    unsigned c = *p;
    int len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    int ok = len > 0;
    for (int k = 1; k < len && ok; k++) {
      if ((p[k] & 0xc0) != 0x80) ok = 0;
      else cp = cp << 6 | (p[k] & 0x3f);
    }
    if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
               (cp >= 0xd800 && cp <= 0xdfff)))
      ok = 0; /* overlong, out of range, a surrogate */
    if (ok && xml && ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xfffe || cp == 0xffff)) ok = 0;
    if (!ok) {
      memcpy(o, "\xef\xbf\xbd", 3);
      o += 3;
      p++; /* resynchronize at the next byte */
      continue;
    }
    memcpy(o, p, (size_t)len);
    o += len;
    p += len;
  }
  *o = 0;
  return out;
}
char *output_clean(const char *s, int xml) { return clean(s, xml); }

/* Escaped XML text; attr: an attribute value, where newlines and tabs are
 * escaped too (or a parser folds them into spaces). */
static void xml_esc(FILE *f, const char *s, int attr) {
  char *c = clean(s, 1);
  for (const char *p = c; *p; p++) switch (*p) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&apos;", f); break;
    case '\r': fputs("&#13;", f); break;
    case '\n': fputs(attr ? "&#10;" : "\n", f); break;
    case '\t': fputs(attr ? "&#9;" : "\t", f); break;
    default: fputc(*p, f);
    }
  free(c);
}
static void xml_text(FILE *f, const char *s) { xml_esc(f, s, 0); }
static void xml_attr(FILE *f, const char *s) { xml_esc(f, s, 1); }

/* One bug as a JUnit <failure>: the SUMMARY as its message, the kind as
 * its type, the report as its text. */
static void junit_failure(FILE *f, const struct obug *b) {
  fprintf(f, "      <failure message=\"");
  xml_attr(f, b->summary);
  fprintf(f, "\" type=\"");
  xml_attr(f, b->rule);
  fprintf(f, "\">");
  xml_text(f, b->report);
  fprintf(f, "</failure>\n");
}

static cJSON *jstr(cJSON *obj, const char *key, const char *s) {
  char *c = clean(s, 0);
  cJSON *it = cJSON_AddStringToObject(obj, key, c);
  free(c);
  return it;
}

/* "file.c:12" into file and line; anything else ("?", "(libc.so.6)"):
 * no file. */
static void split_loc(const char *loc, char *file, size_t filen, int *line) {
  file[0] = 0;
  *line = 0;
  const char *colon = strrchr(loc, ':');
  if (!colon || colon == loc || loc[0] == '(' || !colon[1]) return;
  char *end;
  long l = strtol(colon + 1, &end, 10);
  if (*end || l <= 0) return;
  snprintf(file, filen, "%.*s", (int)(colon - loc), loc);
  *line = (int)l;
}

/* A function name worth naming: not an unsymbolized address. */
static int named(const char *fn) { return fn[0] && strncmp(fn, "0x", 2); }

/* The report's title line ("ERROR: interleave: ..."), with the indented
 * lines that continue it ("  \"the assertion\""). */
static char *headline_of(const char *report) {
  char *buf = NULL;
  size_t n = 0;
  FILE *m = open_memstream(&buf, &n);
  if (!m) return strdup("");
  int found = 0, cont = 0;
  for (const char *p = report ? report : ""; *p;) {
    const char *nl = strchr(p, '\n');
    int len = nl ? (int)(nl - p) : (int)strlen(p);
    if (!found) {
      const char *h = NULL;
      if (!strncmp(p, "ERROR: interleave: ", 19)) h = p + 19;
      else if (!strncmp(p, "WARNING: interleave: ", 21)) h = p + 21;
      if (h) {
        fprintf(m, "%.*s", len - (int)(h - p), h);
        found = 1;
      }
    } else {
      int k = 0;
      while (k < len && p[k] == ' ') k++;
      if (k < 2 || k == len) break;
      fprintf(m, "%s%.*s", cont++ ? " " : ": ", len - k, p + k);
    }
    p = nl ? nl + 1 : p + len;
  }
  fclose(m);
  return buf;
}

/* ---- recording ---- */

void output_open(const struct options *opt) {
  const char *paths[3] = {opt->sarif, opt->junit, opt->json};
  const char *names[3] = {"sarif", "junit", "json"};
  started = time(NULL);
  for (int i = 0; i < 3; i++) {
    if (!paths[i]) continue;
    wanted = 1;
    /* Fail now, not after the whole run; and no stale file meanwhile. */
    FILE *f = fopen(paths[i], "w");
    if (!f) die_tool("--%s: cannot write %s: %s", names[i], paths[i], strerror(errno));
    fclose(f);
  }
}

/* interleave gtest: the bugs recorded from now on belong to this test
 * (until the next); output_case_done gives its campaign's stats, or NULL
 * for a test not run. */
void output_case(const char *suite, const char *name, const char *param) {
  cases = realloc(cases, (ncases + 1) * sizeof *cases);
  struct ocase *c = &cases[ncases++];
  memset(c, 0, sizeof *c);
  c->suite = strdup(suite);
  c->name = strdup(name);
  c->param = strdup(param ? param : "");
  if (!started) started = time(NULL);
}

void output_case_done(const struct run_stats *st) {
  if (!ncases) return;
  cases[ncases - 1].run = st != NULL;
  if (st) cases[ncases - 1].st = *st;
}

/* A SARIF result's or a JSON bug's "test": "Suite.Name". */
static void test_name(cJSON *obj, const struct ocase *c) {
  char *full = malloc(strlen(c->suite) + strlen(c->name) + 2);
  sprintf(full, "%s.%s", c->suite, c->name);
  jstr(obj, "test", full);
  free(full);
}

static struct obug *new_bug(const char *rule, const char *level, const char *report, const char *summary,
                            const char *sched, uint64_t exec) {
  bugs = realloc(bugs, (nbugs + 1) * sizeof *bugs);
  struct obug *b = &bugs[nbugs++];
  memset(b, 0, sizeof *b);
  snprintf(b->rule, sizeof b->rule, "%s", rule);
  b->level = level;
  b->headline = headline_of(report);
  b->summary = strdup(summary ? summary : "");
  b->report = strdup(report ? report : "");
  b->sched = sched ? strdup(sched) : NULL;
  b->exec = exec;
  b->thread = -1;
  b->preempt_from = b->preempt_to = -1;
  b->ocase = ncases ? (int)ncases - 1 : -1;
  return b;
}

/* A thread's flow; its id is unique in the bug (a thread index can come
 * twice in a lock-order cycle, from different executions). */
static int add_flow(struct obug *b, const char *id, const char *name) {
  b->flows = realloc(b->flows, (size_t)(b->nflows + 1) * sizeof *b->flows);
  int dup = 0;
  for (int i = 0; i < b->nflows; i++) dup |= !strcmp(b->flows[i].id, id);
  if (dup) snprintf(b->flows[b->nflows].id, sizeof b->flows[0].id, "%s/%d", id, b->nflows);
  else snprintf(b->flows[b->nflows].id, sizeof b->flows[0].id, "%s", id);
  snprintf(b->flows[b->nflows].name, sizeof b->flows[0].name, "%s", name);
  return b->nflows++;
}

static struct ostep *add_step(struct obug *b, int flow, int64_t step, const char *what, const char *fn,
                              const char *loc) {
  if (b->nst == b->capst) {
    b->capst = b->capst ? b->capst * 2 : 64;
    b->st = realloc(b->st, b->capst * sizeof *b->st);
  }
  struct ostep *s = &b->st[b->nst++];
  memset(s, 0, sizeof *s);
  s->flow = flow;
  s->step = step;
  s->reps = 1;
  snprintf(s->what, sizeof s->what, "%s", what);
  snprintf(s->fn, sizeof s->fn, "%s", fn ? fn : "");
  split_loc(loc ? loc : "", s->file, sizeof s->file, &s->line);
  return s;
}

static void set_site(struct obug *b, const char *fn, const char *loc) {
  snprintf(b->fn, sizeof b->fn, "%s", fn);
  split_loc(loc, b->file, sizeof b->file, &b->line);
}

static void set_thread(struct obug *b, int t) {
  b->thread = t;
  if (t >= 0) snprintf(b->thread_name, sizeof b->thread_name, "%s", report_thread_name(t));
}

void output_bug(const struct il_shm *s, const struct outcome *o, const char *sched_path, const char *report,
                const char *summary) {
  if (!wanted) return;
  const struct il_result *r = &o->res;
  const char *kind = bug_kind_name(o->kind);
  struct obug *b = new_bug(kind, o->kind == BUG_RACE ? "warning" : "error", report, summary, sched_path,
                           o->exec_index);
  sym_use(s->maps);
  char fn[160], loc[160];
  report_site(o, fn, sizeof fn, loc, sizeof loc);
  set_site(b, fn, loc);
  set_thread(b, o->kind == BUG_RACE ? o->races[o->race].cur.thread
                : o->kind == BUG_LOCKHOLD ? o->holds[o->hold].holder : r->thread);
  b->steps = r->steps;
  b->preempt_from = o->preempt_from;
  b->preempt_to = o->preempt_to;

  /* The threads, as the report's columns (counted as report.c does): one
   * flow each that has a step. */
  int nt = r->nthreads > 0 && r->nthreads <= IL_MAX_THREADS ? r->nthreads : 1;
  for (uint64_t i = s->nevents > IL_EVENT_RING ? s->nevents - IL_EVENT_RING : 0; i < s->nevents; i++)
    if (s->events[i % IL_EVENT_RING].thread >= nt && s->events[i % IL_EVENT_RING].thread < IL_MAX_THREADS)
      nt = s->events[i % IL_EVENT_RING].thread + 1;
  const struct report_row *rows;
  size_t nrows = report_shown(&rows);
  static int flow_of[IL_MAX_THREADS];
  for (int i = 0; i < nt; i++) flow_of[i] = -1;
  /* Pending operations (the timeline's "next" rows), as report.c shows them. */
  int pending[IL_MAX_THREADS];
  for (int i = 0; i < nt; i++) {
    const struct il_thread_info *ti = &s->threads[i];
    pending[i] = !(ti->state == IL_T_DONE || ti->state == IL_T_FREE ||
                   (i == r->thread && (o->kind == BUG_ASSERT || o->kind == BUG_CRASH || o->kind == BUG_EXIT ||
                                       o->kind == BUG_WATCHDOG || IS_SAN_KIND(o->kind))) ||
                   ti->wait_op < 0 || ti->wait_op >= IL_OP__COUNT);
  }
  int has[IL_MAX_THREADS];
  memset(has, 0, sizeof has);
  for (size_t k = 0; k < nrows; k++)
    for (uint32_t j = 0; j < rows[k].period; j++) {
      int t = s->events[(rows[k].at + j) % IL_EVENT_RING].thread;
      has[t < nt ? t : 0] = 1;
    }
  for (int i = 0; i < nt; i++)
    if (has[i] || pending[i]) {
      char id[32];
      snprintf(id, sizeof id, "T%d", i);
      flow_of[i] = add_flow(b, id, report_thread_name(i));
    }

  for (size_t k = 0; k < nrows; k++)
    for (uint32_t j = 0; j < rows[k].period; j++) {
      uint64_t i = rows[k].at + j;
      const struct il_event *e = &s->events[i % IL_EVENT_RING];
      char d[160];
      event_describe(e, d, sizeof d);
      fn[0] = loc[0] = 0;
      if (e->pc) event_frame(s, i, e, fn, sizeof fn, loc, sizeof loc);
      struct ostep *st = add_step(b, flow_of[e->thread < nt ? e->thread : 0], e->step, d, fn, loc);
      st->flags = e->flags;
      st->reps = rows[k].reps;
    }
  for (int i = 0; i < nt; i++) {
    if (!pending[i]) continue;
    const struct il_thread_info *ti = &s->threads[i];
    struct il_event e;
    char d[160], what[200];
    pending_event(ti, &e, d, sizeof d);
    snprintf(what, sizeof what, "%s %s",
             ti->state == IL_T_BLOCKED ? (ti->deadline >= 0 ? "waiting:" : "blocked:") : "next:", d);
    fn[0] = loc[0] = 0;
    if (e.pc) event_frame(s, 0, &e, fn, sizeof fn, loc, sizeof loc);
    add_step(b, flow_of[i], -1, what, fn, loc);
  }
  if (o->preempt_to >= 0 && o->preempt_from > o->preempt_to)
    snprintf(b->flow_msg, sizeof b->flow_msg, "The interleaving, minimized to %d preemption%s (from %d).",
             o->preempt_to, o->preempt_to == 1 ? "" : "s", o->preempt_from);
  else if (o->preempt_to >= 0)
    snprintf(b->flow_msg, sizeof b->flow_msg, "The interleaving, with %d preemption%s.", o->preempt_to,
             o->preempt_to == 1 ? "" : "s");
  else
    snprintf(b->flow_msg, sizeof b->flow_msg, "The interleaving.");
}

void output_unreproducible(const char *maps, const struct outcome *first, const char *sched_path,
                           const char *report, const char *summary) {
  if (!wanted) return;
  char rule[64];
  snprintf(rule, sizeof rule, "unreproducible-%s", bug_kind_name(first->kind));
  struct obug *b = new_bug(rule, "warning", report, summary, sched_path, first->exec_index);
  sym_use(maps);
  char fn[160], loc[160];
  report_site(first, fn, sizeof fn, loc, sizeof loc);
  set_site(b, fn, loc);
  b->thread = first->res.thread;
  if (b->thread >= 0) snprintf(b->thread_name, sizeof b->thread_name, "T%d", b->thread);
  b->steps = first->res.steps;
  /* The first run's interleaving is gone: only where it failed is known. */
  char what[200], id[32];
  snprintf(what, sizeof what, "%s in the first run, after %" PRIu64 " steps", bug_kind_name(first->kind),
           first->res.steps);
  snprintf(id, sizeof id, "T%d", b->thread >= 0 ? b->thread : 0);
  add_step(b, add_flow(b, id, id), -1, what, fn, loc);
  snprintf(b->flow_msg, sizeof b->flow_msg, "Where the first run failed; re-running its schedule did not fail.");
}

void output_lockorder(const char *maps, const struct il_lock_edge *cyc, const uint64_t *execs, int n, uint64_t exec,
                      const char *report, const char *summary) {
  if (!wanted || n < 1) return;
  struct obug *b = new_bug(bug_kind_name(BUG_LOCKORDER), "warning", report, summary, NULL, exec);
  sym_use(maps);
  char fn[160], loc[160], a[200], c[200], what[440];
  sym_pc(cyc[n - 1].to_pc, 1, fn, sizeof fn, loc, sizeof loc);
  set_site(b, fn, loc);
  b->thread = (int)cyc[n - 1].thread;
  snprintf(b->thread_name, sizeof b->thread_name, "T%d", (int)cyc[n - 1].thread);
  /* One flow per edge of the cycle: a thread that took one lock while
   * holding another (the edges come from different executions). */
  for (int i = 0; i < n; i++) {
    const struct il_lock_edge *e = &cyc[i];
    char id[32], name[96];
    snprintf(id, sizeof id, "T%d", (int)e->thread);
    snprintf(name, sizeof name, "T%d, execution %" PRIu64, (int)e->thread, execs[i]);
    int fl = add_flow(b, id, name);
    sym_obj(e->from_obj, a, sizeof a);
    sym_obj(e->to_obj, c, sizeof c);
    sym_pc(e->from_pc, 1, fn, sizeof fn, loc, sizeof loc);
    snprintf(what, sizeof what, "lock %s", a);
    add_step(b, fl, -1, what, fn, loc);
    sym_pc(e->to_pc, 1, fn, sizeof fn, loc, sizeof loc);
    snprintf(what, sizeof what, "lock %s while holding %s", c, a);
    add_step(b, fl, -1, what, fn, loc);
  }
  snprintf(b->flow_msg, sizeof b->flow_msg, "The cycle in the lock-order graph, one acquisition order per flow.");
}

/* ---- SARIF 2.1.0 ---- */

static const char *rule_text(const char *rule) {
  static const struct { const char *id, *text; } t[] = {
      {"assertion-failure", "An assertion failed under some interleaving of the program's threads."},
      {"crash", "The program was killed by a fatal signal under some interleaving."},
      {"exit-status", "The program exited with an unexpected status under some interleaving."},
      {"deadlock", "Threads wait for each other in a cycle."},
      {"stall", "A thread waits forever: no thread will ever wake it."},
      {"hang", "An execution did not finish within the step or virtual-time budget."},
      {"watchdog", "A thread ran without reaching a scheduling point (a busy-wait, or a blocking call interleave "
                   "does not control)."},
      {"lock-order-inversion", "Two or more locks are taken in orders that form a cycle (a potential deadlock)."},
      {"lock-hold", "A lock was held across a blocking call while another thread waited for it."},
      {"data-race", "Two accesses to the same memory, at least one a write, with no happens-before order."},
  };
  const char *k = !strncmp(rule, "unreproducible-", 15) ? rule + 15 : rule;
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (!strcmp(t[i].id, k)) return t[i].text;
  return "A failure found by controlled concurrency testing.";
}

/* "lock-order-inversion" -> "LockOrderInversion" */
static void pascal(const char *id, char *out, size_t n) {
  size_t k = 0;
  for (int up = 1; *id && k + 1 < n; id++) {
    if (*id == '-') { up = 1; continue; }
    out[k++] = up && *id >= 'a' && *id <= 'z' ? (char)(*id - 32) : *id;
    up = 0;
  }
  out[k] = 0;
}

static void sarif_location(cJSON *loc, const char *file, int line, const char *fn, const char *msg) {
  if (file[0]) {
    cJSON *pl = cJSON_AddObjectToObject(loc, "physicalLocation");
    jstr(cJSON_AddObjectToObject(pl, "artifactLocation"), "uri", file);
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(pl, "region"), "startLine", line);
  }
  if (named(fn)) {
    cJSON *ll = cJSON_CreateObject();
    jstr(ll, "name", fn);
    cJSON_AddStringToObject(ll, "kind", "function");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(loc, "logicalLocations"), ll);
  }
  if (msg) jstr(cJSON_AddObjectToObject(loc, "message"), "text", msg);
}

static char *sarif(const struct options *opt, const struct target *t, const struct run_stats *st) {
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  cJSON_AddStringToObject(root, "version", "2.1.0");
  cJSON *run = cJSON_CreateObject();
  cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "runs"), run);
  cJSON *drv = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
  cJSON_AddStringToObject(drv, "name", "interleave");
  cJSON_AddStringToObject(drv, "version", "0.1");
  cJSON_AddStringToObject(drv, "semanticVersion", "0.1.0");
  cJSON *rules = cJSON_AddArrayToObject(drv, "rules");
  int nrules = 0;
  int *rule_ix = calloc(nbugs ? nbugs : 1, sizeof *rule_ix);
  for (size_t i = 0; i < nbugs; i++) {
    int found = -1;
    for (size_t j = 0; j < i && found < 0; j++)
      if (!strcmp(bugs[j].rule, bugs[i].rule)) found = rule_ix[j];
    if (found >= 0) { rule_ix[i] = found; continue; }
    rule_ix[i] = nrules++;
    cJSON *r = cJSON_CreateObject();
    char name[64];
    pascal(bugs[i].rule, name, sizeof name);
    cJSON_AddStringToObject(r, "id", bugs[i].rule);
    cJSON_AddStringToObject(r, "name", name);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "shortDescription"), "text", rule_text(bugs[i].rule));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "defaultConfiguration"), "level", bugs[i].level);
    cJSON_AddItemToArray(rules, r);
  }

  cJSON *inv = cJSON_CreateObject();
  cJSON_AddItemToArray(cJSON_AddArrayToObject(run, "invocations"), inv);
  cJSON_AddBoolToObject(inv, "executionSuccessful", st->exit_status != EXIT_TOOL);
  cJSON_AddNumberToObject(inv, "exitCode", st->exit_status);
  cJSON *args = cJSON_AddArrayToObject(inv, "arguments");
  for (int i = 0; i < t->argc; i++) {
    char *c = clean(t->argv[i], 0);
    cJSON_AddItemToArray(args, cJSON_CreateString(c));
    free(c);
  }
  char hex[32];
  snprintf(hex, sizeof hex, "0x%" PRIx64, opt->seed);
  cJSON *ip = cJSON_AddObjectToObject(inv, "properties");
  cJSON_AddStringToObject(ip, "seed", hex);
  cJSON_AddNumberToObject(ip, "executions", (double)st->executions);
  cJSON_AddNumberToObject(ip, "bugs", (double)st->bugs);
  cJSON_AddNumberToObject(ip, "unreproducible", (double)st->unreproducible);
  cJSON_AddNumberToObject(ip, "notJudged", (double)st->not_judged);

  cJSON *results = cJSON_AddArrayToObject(run, "results");
  for (size_t i = 0; i < nbugs; i++) {
    const struct obug *b = &bugs[i];
    cJSON *res = cJSON_CreateObject();
    cJSON_AddItemToArray(results, res);
    cJSON_AddStringToObject(res, "ruleId", b->rule);
    cJSON_AddNumberToObject(res, "ruleIndex", rule_ix[i]);
    cJSON_AddStringToObject(res, "level", b->level);
    jstr(cJSON_AddObjectToObject(res, "message"), "text", b->headline[0] ? b->headline : b->summary);
    if (b->file[0] || named(b->fn)) {
      cJSON *loc = cJSON_CreateObject();
      sarif_location(loc, b->file, b->line, b->fn, NULL);
      cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "locations"), loc);
    }
    /* The SUMMARY names source locations, not addresses: stable across runs. */
    jstr(cJSON_AddObjectToObject(res, "partialFingerprints"), "interleaveSummary/v1", b->summary);
    cJSON *cf = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "codeFlows"), cf);
    jstr(cJSON_AddObjectToObject(cf, "message"), "text", b->flow_msg);
    cJSON *tfs = cJSON_AddArrayToObject(cf, "threadFlows");
    for (int fl = 0; fl < b->nflows; fl++) {
      cJSON *tf = cJSON_CreateObject();
      cJSON_AddItemToArray(tfs, tf);
      jstr(tf, "id", b->flows[fl].id);
      jstr(cJSON_AddObjectToObject(tf, "message"), "text", b->flows[fl].name);
      cJSON *locs = cJSON_AddArrayToObject(tf, "locations");
      for (size_t k = 0; k < b->nst; k++) {
        const struct ostep *s = &b->st[k];
        if (s->flow != fl) continue;
        cJSON *tl = cJSON_CreateObject();
        cJSON_AddItemToArray(locs, tl);
        /* Across the threads' flows: the order the steps were executed. */
        cJSON_AddNumberToObject(tl, "executionOrder", (double)k);
        if (s->flags & IL_EV_PREEMPT) cJSON_AddStringToObject(tl, "importance", "essential");
        char msg[260];
        if (s->reps > 1) snprintf(msg, sizeof msg, "%s (repeated %u times)", s->what, s->reps);
        else snprintf(msg, sizeof msg, "%s", s->what);
        sarif_location(cJSON_AddObjectToObject(tl, "location"), s->file, s->line, s->fn, msg);
        cJSON *p = cJSON_AddObjectToObject(tl, "properties");
        if (s->step >= 0) cJSON_AddNumberToObject(p, "step", (double)s->step);
        else cJSON_AddBoolToObject(p, "pending", 1);
        if (s->flags & IL_EV_PREEMPT) cJSON_AddBoolToObject(p, "preemption", 1);
        if (s->flags & IL_EV_TIMEOUT) cJSON_AddBoolToObject(p, "timeout", 1);
        if (s->flags & IL_EV_LATE) cJSON_AddBoolToObject(p, "late", 1);
        if (s->reps > 1) cJSON_AddNumberToObject(p, "repeated", s->reps);
      }
    }
    cJSON *p = cJSON_AddObjectToObject(res, "properties");
    jstr(p, "summary", b->summary);
    cJSON_AddStringToObject(p, "seed", hex);
    cJSON_AddNumberToObject(p, "execution", (double)b->exec);
    if (b->sched) jstr(p, "schedule", b->sched);
    if (b->steps) cJSON_AddNumberToObject(p, "steps", (double)b->steps);
    if (b->thread >= 0) jstr(p, "thread", b->thread_name);
    if (b->ocase >= 0) test_name(p, &cases[b->ocase]);
  }
  free(rule_ix);
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  return text;
}

/* ---- JSON Lines ---- */

static char *json_bug(const struct options *opt, const struct obug *b) {
  cJSON *o = cJSON_CreateObject();
  char hex[32];
  snprintf(hex, sizeof hex, "0x%" PRIx64, opt->seed);
  cJSON_AddStringToObject(o, "type", "bug");
  cJSON_AddStringToObject(o, "kind", b->rule);
  jstr(o, "summary", b->summary);
  if (b->ocase >= 0) test_name(o, &cases[b->ocase]);
  jstr(o, "message", b->headline);
  cJSON_AddStringToObject(o, "seed", hex);
  cJSON_AddNumberToObject(o, "execution", (double)b->exec);
  if (b->sched) jstr(o, "schedule", b->sched);
  else cJSON_AddNullToObject(o, "schedule");
  if (b->thread >= 0) {
    cJSON *t = cJSON_AddObjectToObject(o, "thread");
    cJSON_AddNumberToObject(t, "id", b->thread);
    jstr(t, "name", b->thread_name);
  } else {
    cJSON_AddNullToObject(o, "thread");
  }
  cJSON *l = cJSON_AddObjectToObject(o, "location");
  if (b->file[0]) {
    jstr(l, "file", b->file);
    cJSON_AddNumberToObject(l, "line", b->line);
  }
  if (named(b->fn)) jstr(l, "function", b->fn);
  if (b->steps) cJSON_AddNumberToObject(o, "step_count", (double)b->steps);
  if (b->preempt_to >= 0) cJSON_AddNumberToObject(o, "preemptions", b->preempt_to);
  cJSON *steps = cJSON_AddArrayToObject(o, "steps");
  for (size_t k = 0; k < b->nst; k++) {
    const struct ostep *s = &b->st[k];
    cJSON *j = cJSON_CreateObject();
    cJSON_AddItemToArray(steps, j);
    if (s->step >= 0) cJSON_AddNumberToObject(j, "step", (double)s->step);
    else cJSON_AddNullToObject(j, "step");
    jstr(j, "thread", b->flows[s->flow].id);
    jstr(j, "event", s->what);
    if (named(s->fn)) jstr(j, "function", s->fn);
    if (s->file[0]) {
      jstr(j, "file", s->file);
      cJSON_AddNumberToObject(j, "line", s->line);
    }
    if (s->flags & IL_EV_PREEMPT) cJSON_AddBoolToObject(j, "preemption", 1);
    if (s->flags & IL_EV_TIMEOUT) cJSON_AddBoolToObject(j, "timeout", 1);
    if (s->flags & IL_EV_LATE) cJSON_AddBoolToObject(j, "late", 1);
    if (s->reps > 1) cJSON_AddNumberToObject(j, "repeated", s->reps);
  }
  char *text = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return text;
}

static char *json_stats(const struct options *opt, const struct target *t, const struct run_stats *st) {
  cJSON *o = cJSON_CreateObject();
  char hex[32];
  snprintf(hex, sizeof hex, "0x%" PRIx64, opt->seed);
  cJSON_AddStringToObject(o, "type", "stats");
  jstr(o, "program", t->path);
  cJSON_AddStringToObject(o, "seed", hex);
  cJSON_AddStringToObject(o, "strategy", strategy_name(opt->strategy));
  cJSON_AddNumberToObject(o, "executions", (double)st->executions);
  cJSON_AddNumberToObject(o, "run_time", (double)(int64_t)(st->seconds * 1000 + 0.5) / 1000);
  cJSON_AddNumberToObject(o, "rate", st->seconds > 0 ? (double)(int64_t)(st->executions / st->seconds * 10 + 0.5) / 10
                                                     : 0.0);
  cJSON_AddNumberToObject(o, "bugs", (double)st->bugs);
  cJSON_AddNumberToObject(o, "unreproducible", (double)st->unreproducible);
  cJSON_AddNumberToObject(o, "not_judged", (double)st->not_judged);
  cJSON_AddNumberToObject(o, "exit_status", st->exit_status);
  if (ncases) cJSON_AddNumberToObject(o, "tests", (double)ncases);
  char *text = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return text;
}

/* ---- JUnit XML ---- */

static void junit(FILE *f, const struct options *opt, const struct target *t, const struct run_stats *st) {
  const char *prog = strrchr(t->argv[0], '/') ? strrchr(t->argv[0], '/') + 1 : t->argv[0];
  char stamp[32];
  struct tm tm;
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", localtime_r(&started, &tm));
  int failed = nbugs > 0;
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f, "<testsuites name=\"interleave\" tests=\"1\" failures=\"%d\" errors=\"0\" time=\"%.3f\">\n", failed,
          st->seconds);
  fprintf(f, "  <testsuite name=\"interleave run ");
  xml_attr(f, prog);
  fprintf(f, "\" tests=\"1\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"%.3f\" timestamp=\"%s\">\n", failed,
          st->seconds, stamp);
  fprintf(f, "    <properties>\n");
  fprintf(f, "      <property name=\"program\" value=\"");
  xml_attr(f, t->path);
  fprintf(f, "\"/>\n      <property name=\"seed\" value=\"0x%" PRIx64 "\"/>\n", opt->seed);
  fprintf(f, "      <property name=\"strategy\" value=\"%s\"/>\n", strategy_name(opt->strategy));
  fprintf(f, "      <property name=\"executions\" value=\"%" PRIu64 "\"/>\n", st->executions);
  fprintf(f, "      <property name=\"bugs\" value=\"%" PRIu64 "\"/>\n", st->bugs);
  fprintf(f, "      <property name=\"unreproducible\" value=\"%" PRIu64 "\"/>\n", st->unreproducible);
  fprintf(f, "      <property name=\"not_judged\" value=\"%" PRIu64 "\"/>\n", st->not_judged);
  fprintf(f, "    </properties>\n");
  fprintf(f, "    <testcase name=\"");
  xml_attr(f, prog);
  fprintf(f, "\" classname=\"interleave\" time=\"%.3f\"", st->seconds);
  if (!nbugs) {
    fprintf(f, "/>\n");
  } else {
    fprintf(f, ">\n");
    for (size_t i = 0; i < nbugs; i++) {
      junit_failure(f, &bugs[i]);
    }
    fprintf(f, "    </testcase>\n");
  }
  fprintf(f, "  </testsuite>\n</testsuites>\n");
}

/* interleave gtest: a testsuite per GoogleTest suite (the listing keeps a
 * suite's tests together), a testcase per test (classname: the suite, as
 * GoogleTest's own XML has it), a <failure> per bug of the test. */
static void junit_cases(FILE *f, const struct options *opt, const struct target *t, const struct run_stats *st) {
  char stamp[32];
  struct tm tm;
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", localtime_r(&started, &tm));
  size_t *nb = calloc(ncases, sizeof *nb); /* bugs per test */
  for (size_t i = 0; i < nbugs; i++)
    if (bugs[i].ocase >= 0) nb[bugs[i].ocase]++;
  size_t failed = 0, skipped = 0;
  for (size_t k = 0; k < ncases; k++) failed += nb[k] > 0, skipped += !cases[k].run;
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f, "<testsuites name=\"interleave gtest\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
             "time=\"%.3f\">\n", ncases, failed, skipped, st->seconds);
  for (size_t k = 0; k < ncases;) {
    size_t end = k, sf = 0, ss = 0;
    double secs = 0;
    for (; end < ncases && !strcmp(cases[end].suite, cases[k].suite); end++)
      sf += nb[end] > 0, ss += !cases[end].run, secs += cases[end].st.seconds;
    fprintf(f, "  <testsuite name=\"");
    xml_attr(f, cases[k].suite);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\" timestamp=\"%s\">\n",
            end - k, sf, ss, secs, stamp);
    fprintf(f, "    <properties>\n      <property name=\"program\" value=\"");
    xml_attr(f, t->path);
    fprintf(f, "\"/>\n      <property name=\"seed\" value=\"0x%" PRIx64 "\"/>\n", opt->seed);
    fprintf(f, "      <property name=\"strategy\" value=\"%s\"/>\n    </properties>\n",
            strategy_name(opt->strategy));
    for (; k < end; k++) {
      const struct ocase *c = &cases[k];
      fprintf(f, "    <testcase name=\"");
      xml_attr(f, c->name);
      fprintf(f, "\" classname=\"");
      xml_attr(f, c->suite);
      fprintf(f, "\" time=\"%.3f\"", c->st.seconds);
      /* GoogleTest's attributes for a parameterized or typed test */
      if (!strncmp(c->param, "GetParam() = ", 13)) fputs(" value_param=\"", f), xml_attr(f, c->param + 13), fputc('"', f);
      if (!strncmp(c->param, "TypeParam = ", 12)) fputs(" type_param=\"", f), xml_attr(f, c->param + 12), fputc('"', f);
      fprintf(f, ">\n");
      if (!c->run) fprintf(f, "      <skipped message=\"disabled\"/>\n");
      for (size_t i = 0; i < nbugs; i++) {
        if (bugs[i].ocase != (int)k) continue;
        junit_failure(f, &bugs[i]);
      }
      if (c->run)
        fprintf(f, "      <system-out>%" PRIu64 " executions, seed 0x%" PRIx64 "</system-out>\n", c->st.executions,
                opt->seed);
      fprintf(f, "    </testcase>\n");
    }
    fprintf(f, "  </testsuite>\n");
  }
  fprintf(f, "</testsuites>\n");
  free(nb);
}

/* ---- the end of the run ---- */

static int finish(FILE *f, const char *what, const char *path) {
  int bad = !f || ferror(f);
  if (f && fclose(f)) bad = 1;
  if (bad) fprintf(stderr, "interleave: --%s: cannot write %s: %s\n", what, path, strerror(errno ? errno : EIO));
  return bad ? -1 : 0;
}

int output_write(const struct options *opt, const struct target *t, const struct run_stats *st) {
  int rc = 0;
  if (opt->sarif) {
    FILE *f = fopen(opt->sarif, "w");
    char *text = sarif(opt, t, st);
    if (f && text) fprintf(f, "%s\n", text);
    if (!text && f) fclose(f), f = NULL;
    free(text);
    rc |= finish(f, "sarif", opt->sarif);
  }
  if (opt->junit) {
    FILE *f = fopen(opt->junit, "w");
    if (f) (ncases ? junit_cases : junit)(f, opt, t, st);
    rc |= finish(f, "junit", opt->junit);
  }
  if (opt->json) {
    FILE *f = fopen(opt->json, "w");
    for (size_t i = 0; f && i <= nbugs; i++) {
      char *line = i < nbugs ? json_bug(opt, &bugs[i]) : json_stats(opt, t, st);
      if (line) fprintf(f, "%s\n", line);
      else if (f) fclose(f), f = NULL;
      free(line);
    }
    rc |= finish(f, "json", opt->json);
  }
  for (size_t i = 0; i < nbugs; i++) {
    free(bugs[i].headline);
    free(bugs[i].summary);
    free(bugs[i].report);
    free(bugs[i].sched);
    free(bugs[i].flows);
    free(bugs[i].st);
  }
  free(bugs);
  bugs = NULL;
  nbugs = 0;
  for (size_t k = 0; k < ncases; k++) free(cases[k].suite), free(cases[k].name), free(cases[k].param);
  free(cases);
  cases = NULL;
  ncases = 0;
  return rc;
}
