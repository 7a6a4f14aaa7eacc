/* html.c: the timeline people look at (--html), and the data it and
 * --perfetto (perfetto.c) are drawn from.
 *
 * Each bug is captured right after its report is printed, through
 * report.c's accessors (the rows the report showed, its thread names,
 * event_describe and event_frame), so a step reads here as it does in the
 * terminal.  On top of the steps, the happens-before edges the report only
 * implies are worked out from the trace:
 *
 *   thread  create -> the new thread's start, exit -> the join that returned
 *   lock    a release (unlock, or a cond_wait giving its mutex up) -> the
 *           next acquisition of that lock, by another thread
 *   wake    cond_signal/broadcast -> the wait that returned because of it;
 *           sem_post -> sem_wait; futex_wake -> futex_wait
 *   waits   a thread blocked at the end -> where the holder of the lock it
 *           waits for took it (or the last step of the thread it joins)
 *
 * The page is one self-contained file: the reports as escaped text, the
 * timelines as JSON in a <script type="application/json"> block (every '<'
 * written as \u003c, so nothing in it can end the block), and a script
 * that draws them as SVG (lanes, marks, arrows; the source line on hover)
 * with text nodes only: no markup is ever built from the program's
 * strings.  No network, no external file.
 */
#include "cli.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *op_names[] = {
#define X(e, name, blocking) name,
#include "../common/events.def"
#undef X
};
const char *tl_op_name(int op) { return op >= 0 && op < IL_OP__COUNT ? op_names[op] : "?"; }

const char *tl_arrow_name(int kind) {
  static const char *n[] = {"thread", "lock", "wake", "waits"};
  return kind >= 0 && kind <= TL_WAITS ? n[kind] : "?";
}

static int wanted;
static struct tl_bug *bugs;
static size_t nbugs;

void timeline_open(const struct options *opt) {
  const char *paths[2] = {opt->html, opt->perfetto};
  const char *names[2] = {"html", "perfetto"};
  for (int i = 0; i < 2; i++) {
    if (!paths[i]) continue;
    wanted = 1;
    /* Fail now, not after the whole run; and no stale file meanwhile. */
    FILE *f = fopen(paths[i], "w");
    if (!f) die_tool("--%s: cannot write %s: %s", names[i], paths[i], strerror(errno));
    fclose(f);
  }
}

/* The report's title line, "ERROR: interleave: ..." as printed. */
static char *headline_of(const char *report) {
  for (const char *p = report ? report : ""; *p;) {
    const char *nl = strchr(p, '\n');
    int len = nl ? (int)(nl - p) : (int)strlen(p);
    if (!strncmp(p, "ERROR: ", 7) || !strncmp(p, "WARNING: ", 9)) return strndup(p, (size_t)len);
    p += len + (nl ? 1 : 0);
  }
  return strdup("interleave: a finding");
}

static struct tl_bug *new_bug(const char *kind, const char *sched, const char *report, const char *summary) {
  bugs = realloc(bugs, (nbugs + 1) * sizeof *bugs);
  struct tl_bug *b = &bugs[nbugs++];
  memset(b, 0, sizeof *b);
  snprintf(b->kind, sizeof b->kind, "%s", kind);
  b->headline = headline_of(report);
  b->summary = strdup(summary ? summary : "");
  b->report = strdup(report ? report : "");
  b->sched = sched ? strdup(sched) : NULL;
  return b;
}

void timeline_text(const char *kind, const char *sched_path, const char *report, const char *summary) {
  if (wanted) new_bug(kind, sched_path, report, summary);
}

/* ---- happens-before edges ---- */

struct raw { uint64_t obj; int32_t result; };

static int acquires(int op, int32_t result) {
  switch (op) {
  case IL_OP_LOCK: case IL_OP_TRYLOCK: case IL_OP_RDLOCK: case IL_OP_WRLOCK: case IL_OP_TRYRDLOCK:
  case IL_OP_TRYWRLOCK: case IL_OP_SPIN_LOCK: case IL_OP_SPIN_TRY:
    return result == 0;
  case IL_OP_COND_RELOCK: /* timed out or woken, the mutex is held again */
    return 1;
  default:
    return 0;
  }
}

static void add_arrow(struct tl_bug *b, size_t from, size_t to, int kind) {
  if (b->steps[from].thread == b->steps[to].thread) return; /* program order needs no arrow */
  b->arrows = realloc(b->arrows, (b->narrows + 1) * sizeof *b->arrows);
  b->arrows[b->narrows++] = (struct tl_arrow){from, to, kind};
}

/* Edges among the first n steps (the recorded ones; pending ones follow). */
static void link_steps(struct tl_bug *b, const struct raw *rw, size_t n) {
  /* What each step released: a cond_wait gives up the mutex its own
   * cond_relock takes back, known only from that later step. */
  uint64_t *rel = calloc(n ? n : 1, sizeof *rel);
  size_t waitat[IL_MAX_THREADS];
  for (int t = 0; t < IL_MAX_THREADS; t++) waitat[t] = SIZE_MAX;
  for (size_t k = 0; k < n; k++) {
    const struct tl_step *s = &b->steps[k];
    int t = s->thread < IL_MAX_THREADS ? s->thread : 0;
    if ((s->op == IL_OP_UNLOCK || s->op == IL_OP_RWUNLOCK || s->op == IL_OP_SPIN_UNLOCK) && rw[k].result == 0)
      rel[k] = rw[k].obj;
    else if (s->op == IL_OP_COND_WAIT) waitat[t] = k;
    else if (s->op == IL_OP_COND_RELOCK && waitat[t] != SIZE_MAX) { rel[waitat[t]] = rw[k].obj; waitat[t] = SIZE_MAX; }
  }
  for (size_t k = 0; k < n; k++) {
    const struct tl_step *s = &b->steps[k];
    uint64_t obj = rw[k].obj;
    int32_t res = rw[k].result;
    if (s->op == IL_OP_START) {
      for (size_t j = k; j-- > 0;)
        if (b->steps[j].op == IL_OP_CREATE && rw[j].obj == (uint64_t)s->thread) { add_arrow(b, j, k, TL_THREAD); break; }
    } else if (s->op == IL_OP_JOIN && res == 0) {
      for (size_t j = k; j-- > 0;)
        if (b->steps[j].op == IL_OP_EXIT && (uint64_t)b->steps[j].thread == obj) { add_arrow(b, j, k, TL_THREAD); break; }
    } else if ((s->op == IL_OP_SEM_WAIT || s->op == IL_OP_SEM_TRYWAIT) && res == 0) {
      for (size_t j = k; j-- > 0;)
        if (b->steps[j].op == IL_OP_SEM_POST && rw[j].obj == obj) { add_arrow(b, j, k, TL_WAKE); break; }
    } else if (s->op == IL_OP_FUTEX_WAIT && res == 0) {
      for (size_t j = k; j-- > 0;)
        if (b->steps[j].op == IL_OP_FUTEX_WAKE && rw[j].obj == obj && rw[j].result > 0) {
          add_arrow(b, j, k, TL_WAKE);
          break;
        }
    }
    if (acquires(s->op, res))
      for (size_t j = k; j-- > 0;)
        if (rel[j] == obj) { add_arrow(b, j, k, TL_LOCK); break; }
    if (s->op == IL_OP_COND_RELOCK && res == 0) {
      /* Woken: by the latest signal on its condition variable that chose
       * it, or broadcast, since its wait began. */
      size_t w = k;
      while (w-- > 0)
        if (b->steps[w].thread == s->thread) break;
      if (w < k && b->steps[w].op == IL_OP_COND_WAIT)
        for (size_t j = k; j-- > w + 1;) {
          const struct tl_step *x = &b->steps[j];
          if (rw[j].obj == rw[w].obj && ((x->op == IL_OP_COND_SIGNAL && rw[j].result == s->thread) ||
                                         (x->op == IL_OP_COND_BCAST && rw[j].result > 0))) {
            add_arrow(b, j, k, TL_WAKE);
            break;
          }
        }
    }
  }
  free(rel);
}

/* ---- capture ---- */

static struct tl_step *add_step(struct tl_bug *b, size_t *cap) {
  if (b->nsteps == *cap) {
    *cap = *cap ? *cap * 2 : 64;
    b->steps = realloc(b->steps, *cap * sizeof *b->steps);
  }
  struct tl_step *st = &b->steps[b->nsteps++];
  memset(st, 0, sizeof *st);
  st->reps = 1;
  return st;
}

void timeline_bug(const struct il_shm *s, const struct outcome *o, const char *sched_path, const char *report,
                  const char *summary) {
  if (!wanted) return;
  const struct il_result *r = &o->res;
  struct tl_bug *b = new_bug(bug_kind_name(o->kind), sched_path, report, summary);
  b->exec = o->exec_index;
  sym_use(s->maps);
  /* The threads, counted as report.c counts its columns. */
  int nt = r->nthreads > 0 && r->nthreads <= IL_MAX_THREADS ? r->nthreads : 1;
  for (uint64_t i = s->nevents > IL_EVENT_RING ? s->nevents - IL_EVENT_RING : 0; i < s->nevents; i++)
    if (s->events[i % IL_EVENT_RING].thread >= nt && s->events[i % IL_EVENT_RING].thread < IL_MAX_THREADS)
      nt = s->events[i % IL_EVENT_RING].thread + 1;
  b->nthreads = nt;
  b->tnames = calloc((size_t)nt, sizeof *b->tnames);
  for (int i = 0; i < nt; i++) snprintf(b->tnames[i], sizeof b->tnames[i], "%s", report_thread_name(i));

  const struct report_row *rows;
  size_t nrows = report_shown(&rows), cap = 0, rcap = 0;
  struct raw *rw = NULL;
  for (size_t k = 0; k < nrows; k++)
    for (uint32_t j = 0; j < rows[k].period; j++) {
      uint64_t i = rows[k].at + j;
      const struct il_event *e = &s->events[i % IL_EVENT_RING];
      struct tl_step *st = add_step(b, &cap);
      st->step = e->step;
      st->thread = e->thread < nt ? e->thread : 0;
      st->op = e->op;
      st->flags = e->flags;
      st->reps = rows[k].reps;
      st->vtime = e->vtime;
      event_describe(e, st->what, sizeof st->what);
      if (e->pc) event_frame(s, i, e, st->fn, sizeof st->fn, st->loc, sizeof st->loc);
      if (b->nsteps > rcap) {
        rcap = cap;
        rw = realloc(rw, rcap * sizeof *rw);
      }
      rw[b->nsteps - 1] = (struct raw){e->obj, e->result};
    }
  size_t recorded = b->nsteps;
  link_steps(b, rw, recorded);

  /* What each live thread was about to do, as the report's "next" rows. */
  for (int i = 0; i < nt; i++) {
    const struct il_thread_info *ti = &s->threads[i];
    if (!pending_shown(s, o, i)) continue;
    struct il_event e;
    char d[160];
    pending_event(ti, &e, d, sizeof d);
    struct tl_step *st = add_step(b, &cap);
    st->step = -1;
    st->thread = i;
    st->op = ti->wait_op;
    st->vtime = ti->blocked_since;
    snprintf(st->what, sizeof st->what, "%s %s",
             ti->state == IL_T_BLOCKED ? (ti->deadline >= 0 ? "waiting:" : "blocked:") : "next:", d);
    if (e.pc) event_frame(s, 0, &e, st->fn, sizeof st->fn, st->loc, sizeof st->loc);
    if (ti->state != IL_T_BLOCKED) continue;
    /* Whom it waits for: the thread it joins, or the holder of its lock
     * (where that thread took it). */
    int h = -1;
    if (ti->wait_op == IL_OP_JOIN) h = ti->wait_obj < (uint64_t)nt ? (int)ti->wait_obj : -1;
    else
      for (int t = 0; t < nt && h < 0; t++)
        for (int k = 0; k < s->threads[t].nheld && k < IL_HELD_MAX; k++)
          if (s->threads[t].held[k].obj == ti->wait_obj) h = t;
    if (h < 0 || h == i) continue;
    size_t p = b->nsteps - 1, target = SIZE_MAX, last = SIZE_MAX;
    for (size_t j = recorded; j-- > 0;) {
      const struct tl_step *x = &b->steps[j];
      if (x->thread != h) continue;
      if (last == SIZE_MAX) last = j;
      if (ti->wait_op == IL_OP_JOIN) break;
      if (acquires(x->op, rw[j].result) && rw[j].obj == ti->wait_obj) { target = j; break; }
    }
    if (target == SIZE_MAX) target = last;
    if (target != SIZE_MAX) add_arrow(b, p, target, TL_WAITS);
  }
  free(rw);
}

/* ---- the page ---- */

/* Escaped HTML text (element content and quoted attribute values). */
static void esc(FILE *f, const char *s) {
  char *c = output_clean(s, 1);
  for (const char *p = c; *p; p++) switch (*p) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&#39;", f); break;
    default: fputc(*p, f);
    }
  free(c);
}

static cJSON *jstr(cJSON *obj, const char *key, const char *s) {
  char *c = output_clean(s, 0);
  cJSON *it = cJSON_AddStringToObject(obj, key, c);
  free(c);
  return it;
}

/* The timelines, as the page's script reads them. */
static char *page_data(void) {
  cJSON *all = cJSON_CreateArray();
  for (size_t i = 0; i < nbugs; i++) {
    const struct tl_bug *b = &bugs[i];
    cJSON *jb = cJSON_CreateObject(), *th = cJSON_AddArrayToObject(jb, "threads");
    for (int t = 0; t < b->nthreads; t++) {
      char *c = output_clean(b->tnames[t], 0);
      cJSON_AddItemToArray(th, cJSON_CreateString(c));
      free(c);
    }
    cJSON *st = cJSON_AddArrayToObject(jb, "steps");
    for (size_t k = 0; k < b->nsteps; k++) {
      const struct tl_step *s = &b->steps[k];
      cJSON *js = cJSON_CreateObject();
      char fl[8];
      snprintf(fl, sizeof fl, "%s%s%s", (s->flags & IL_EV_PREEMPT) ? "*" : "", (s->flags & IL_EV_TIMEOUT) ? "T" : "",
               (s->flags & IL_EV_LATE) ? "L" : "");
      cJSON_AddNumberToObject(js, "s", (double)s->step);
      cJSON_AddNumberToObject(js, "t", s->thread);
      jstr(js, "w", s->what);
      jstr(js, "f", s->fn);
      jstr(js, "l", s->loc);
      jstr(js, "fl", fl);
      cJSON_AddNumberToObject(js, "v", (double)s->vtime);
      cJSON_AddNumberToObject(js, "r", s->reps);
      cJSON_AddItemToArray(st, js);
    }
    cJSON *ar = cJSON_AddArrayToObject(jb, "arrows");
    for (size_t k = 0; k < b->narrows; k++) {
      cJSON *ja = cJSON_CreateObject();
      cJSON_AddNumberToObject(ja, "a", (double)b->arrows[k].from);
      cJSON_AddNumberToObject(ja, "b", (double)b->arrows[k].to);
      cJSON_AddStringToObject(ja, "k", tl_arrow_name(b->arrows[k].kind));
      cJSON_AddItemToArray(ar, ja);
    }
    cJSON_AddItemToArray(all, jb);
  }
  char *text = cJSON_PrintUnformatted(all);
  cJSON_Delete(all);
  return text;
}

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0;padding:16px 24px;color:#1d2330;background:#fafbfc}\n"
    "h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:0 0 6px;color:#b3261e}\n"
    "h2.warning{color:#9a5b00}header p{margin:2px 0;color:#4a5568}\n"
    "section.bug{background:#fff;border:1px solid #d8dee6;border-radius:6px;padding:14px 16px;margin:16px 0}\n"
    "code,pre,.tl text{font-family:ui-monospace,'DejaVu Sans Mono',monospace}\n"
    "p.summary{font-weight:600;margin:4px 0}p.replay code{background:#eef1f5;padding:1px 5px;border-radius:3px}\n"
    ".timeline{overflow:auto;max-height:80vh;border:1px solid #e2e6ec;border-radius:4px;margin:10px 0}\n"
    ".timeline svg{display:block}.timeline .head{position:sticky;top:0;z-index:1;background:#fff}\n"
    "pre{background:#f4f6f8;border:1px solid #e2e6ec;border-radius:4px;padding:10px;overflow:auto;font-size:12px}\n"
    ".legend span{display:inline-block;margin-right:14px;font-size:12px}\n"
    ".legend i{display:inline-block;width:22px;height:3px;vertical-align:middle;margin-right:5px}\n"
    ".legend i.pre{height:12px;background:#ffe3c2;border:1px solid #f0a040}\n"
    ".tl .lane{fill:#f7f9fb}.tl .lane.odd{fill:#eef2f6}.tl .lname{font-weight:700;font-size:12px;fill:#1d2330}\n"
    ".tl .stepno{font-size:11px;fill:#6b7686}.tl .stepno.pre{fill:#c25e00;font-weight:700}\n"
    ".tl .preempt{fill:#ffe3c2;opacity:.8}\n"
    ".tl .step circle{fill:#2f5d9b;stroke:#fff;stroke-width:1.5}\n"
    ".tl .step text{font-size:11.5px;fill:#1d2330;paint-order:stroke;stroke:rgba(255,255,255,.85);stroke-width:3px}\n"
    ".tl .step.pre circle{fill:#e8710a;stroke:#8a3b00;stroke-width:2}\n"
    ".tl .step.pending circle{fill:#fff;stroke:#b3261e;stroke-width:2}.tl .step.pending text{fill:#b3261e;font-style:italic}\n"
    ".tl .step:hover text,.tl .step:focus text{font-weight:700}\n"
    ".tl path.arrow{fill:none;stroke-width:1.6;opacity:.8}.tl path.waits{stroke-dasharray:5 3}\n"
    ".tl.focus path.arrow{opacity:.12}.tl.focus path.arrow.hl{opacity:1;stroke-width:2.6}\n"
    ".note{color:#4a5568;font-style:italic}\n";

/* Draws each .timeline from the data; sets data-il-rendered on <html>
 * once every one is drawn (the tests read it). */
static const char script[] =
    "(function () {\n"
    "  'use strict';\n"
    "  var NS = 'http://www.w3.org/2000/svg';\n"
    "  var LANE = 260, GUT = 58, ROW = 24, TOP = 6, HEAD = 30;\n"
    "  var COLOR = {thread: '#5b6b7f', lock: '#7b3fb5', wake: '#1a8a4a', waits: '#c62828'};\n"
    "  var VERB = {thread: 'happens before', lock: 'released, then taken by', wake: 'woke',\n"
    "              waits: 'waits for the lock (or thread) taken at'};\n"
    "  var data = JSON.parse(document.getElementById('il-data').textContent);\n"
    "  function el(tag, attrs, parent) {\n"
    "    var e = document.createElementNS(NS, tag);\n"
    "    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });\n"
    "    if (parent) parent.appendChild(e);\n"
    "    return e;\n"
    "  }\n"
    "  function title(e, s) { var t = el('title', {}); t.textContent = s; e.insertBefore(t, e.firstChild); }\n"
    "  function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + '\\u2026' : s; }\n"
    "  function vt(ns) { return (ns / 1e9).toFixed(3) + 's'; }\n"
    "  function stepName(b, s) {\n"
    "    return (s.s < 0 ? 'next' : 'step ' + s.s + s.fl) + ' ' + b.threads[s.t] + ': ' + s.w;\n"
    "  }\n"
    "  function tip(b, s) {\n"
    "    var t = stepName(b, s);\n"
    "    if (s.r > 1) t += '\\n(repeated ' + s.r + ' times)';\n"
    "    if (s.fl.indexOf('*') >= 0) t += '\\npreemption: ' + b.threads[s.t].split(' ')[0] +\n"
    "      ' ran while the previous thread could still run';\n"
    "    t += '\\n' + (s.l ? 'in ' + (s.f || '?') + ' ' + s.l : 'no source line');\n"
    "    return t + '\\nvirtual time ' + vt(s.v);\n"
    "  }\n"
    "  function draw(b, bi, box) {\n"
    "    var nt = b.threads.length, n = b.steps.length;\n"
    "    var W = GUT + nt * LANE + 12, H = TOP + n * ROW + 10;\n"
    "    var svg = el('svg', {width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, 'class': 'tl', role: 'img'});\n"
    "    var defs = el('defs', {}, svg);\n"
    "    Object.keys(COLOR).forEach(function (k) {\n"
    "      var m = el('marker', {id: 'il-ah-' + bi + '-' + k, viewBox: '0 0 10 10', refX: 9, refY: 5,\n"
    "                            markerWidth: 7, markerHeight: 7, orient: 'auto'}, defs);\n"
    "      el('path', {d: 'M0,0 L10,5 L0,10 z', fill: COLOR[k]}, m);\n"
    "    });\n"
    "    var head = document.createElement('div');\n"
    "    head.className = 'head';\n"
    "    var hs = el('svg', {width: W, height: HEAD, 'class': 'tl'});\n"
    "    head.appendChild(hs);\n"
    "    for (var t = 0; t < nt; t++) {\n"
    "      var x0 = GUT + t * LANE, cls = 'lane' + (t % 2 ? ' odd' : '');\n"
    "      el('rect', {x: x0, y: 0, width: LANE - 6, height: H, 'class': cls}, svg);\n"
    "      el('rect', {x: x0, y: 0, width: LANE - 6, height: HEAD, 'class': cls}, hs);\n"
    "      var h = el('text', {x: x0 + 8, y: 20, 'class': 'lname'}, hs);\n"
    "      h.textContent = clip(b.threads[t], 36);\n"
    "      title(h, b.threads[t]);\n"
    "    }\n"
    "    el('text', {x: GUT - 8, y: 20, 'class': 'stepno', 'text-anchor': 'end'}, hs).textContent = 'step';\n"
    "    var pos = b.steps.map(function (s, i) { return [GUT + s.t * LANE + 14, TOP + i * ROW + ROW / 2]; });\n"
    "    b.steps.forEach(function (s, i) {\n"
    "      var y = pos[i][1], pre = s.fl.indexOf('*') >= 0;\n"
    "      if (pre) el('rect', {x: 0, y: y - ROW / 2, width: W, height: ROW, 'class': 'preempt'}, svg);\n"
    "      var no = el('text', {x: GUT - 8, y: y + 4, 'class': 'stepno' + (pre ? ' pre' : ''), 'text-anchor': 'end'}, svg);\n"
    "      no.textContent = s.s < 0 ? 'next' : s.r > 1 ? '' : s.s + s.fl;\n"
    "    });\n"
    "    var g = el('g', {'class': 'arrows'}, svg), touch = b.steps.map(function () { return []; });\n"
    "    b.arrows.forEach(function (a) {\n"
    "      var p = pos[a.a], q = pos[a.b], dir = q[1] >= p[1] ? 1 : -1;\n"
    "      var y1 = p[1] + 6 * dir, y2 = q[1] - 8 * dir, mid = (y1 + y2) / 2;\n"
    "      var d = 'M' + p[0] + ',' + y1 + ' C' + p[0] + ',' + mid + ' ' + q[0] + ',' + mid + ' ' + q[0] + ',' + y2;\n"
    "      var e = el('path', {d: d, 'class': 'arrow ' + a.k, stroke: COLOR[a.k],\n"
    "                          'marker-end': 'url(#il-ah-' + bi + '-' + a.k + ')'}, g);\n"
    "      title(e, stepName(b, b.steps[a.a]) + '\\n' + VERB[a.k] + '\\n' + stepName(b, b.steps[a.b]));\n"
    "      touch[a.a].push(e);\n"
    "      touch[a.b].push(e);\n"
    "    });\n"
    "    b.steps.forEach(function (s, i) {\n"
    "      var cls = 'step' + (s.fl.indexOf('*') >= 0 ? ' pre' : '') + (s.s < 0 ? ' pending' : '');\n"
    "      var sg = el('g', {'class': cls, tabindex: 0}, svg);\n"
    "      el('circle', {cx: pos[i][0], cy: pos[i][1], r: 5.5}, sg);\n"
    "      var label = el('text', {x: pos[i][0] + 11, y: pos[i][1] + 4}, sg);\n"
    "      label.textContent = clip((s.r > 1 ? '[' + s.r + '\\u00d7] ' : '') + s.w, 36);\n"
    "      title(sg, tip(b, s));\n"
    "      function on() { svg.classList.add('focus'); touch[i].forEach(function (e) { e.classList.add('hl'); }); }\n"
    "      function off() { svg.classList.remove('focus'); touch[i].forEach(function (e) { e.classList.remove('hl'); }); }\n"
    "      sg.addEventListener('mouseenter', on);\n"
    "      sg.addEventListener('mouseleave', off);\n"
    "      sg.addEventListener('focus', on);\n"
    "      sg.addEventListener('blur', off);\n"
    "    });\n"
    "    box.appendChild(head);\n"
    "    box.appendChild(svg);\n"
    "  }\n"
    "  var boxes = document.querySelectorAll('.timeline[data-bug]');\n"
    "  for (var i = 0; i < boxes.length; i++) {\n"
    "    var bi = Number(boxes[i].getAttribute('data-bug'));\n"
    "    draw(data[bi], bi, boxes[i]);\n"
    "  }\n"
    "  document.documentElement.setAttribute('data-il-rendered', String(boxes.length));\n"
    "})();\n";

static void legend(FILE *f) {
  fputs("<div class=\"legend\">"
        "<span><i style=\"background:#5b6b7f\"></i>create &rarr; start, exit &rarr; join</span>"
        "<span><i style=\"background:#7b3fb5\"></i>lock released &rarr; taken by another thread</span>"
        "<span><i style=\"background:#1a8a4a\"></i>signal/broadcast/post &rarr; the wait it ended</span>"
        "<span><i style=\"background:repeating-linear-gradient(90deg,#c62828 0 5px,transparent 5px 8px)\"></i>"
        "blocked &rarr; the lock's holder</span>"
        "<span><i class=\"pre\"></i>preemption (* in the report)</span>"
        "</div>\n", f);
}

static void write_page(FILE *f, const struct options *opt, const struct target *t, const struct run_stats *st) {
  const char *title = nbugs ? bugs[0].headline : "interleave: no bug found";
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'\">\n<title>", f);
  esc(f, title);
  fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>interleave</h1>\n<p>Program: <code>", css);
  for (int i = 0; t && i < t->argc; i++) {
    if (i) fputc(' ', f);
    esc(f, i ? t->argv[i] : t->path);
  }
  fputs("</code></p>\n<p>", f);
  if (st)
    fprintf(f, "Seed 0x%" PRIx64 ", %" PRIu64 " execution%s, %" PRIu64 " bug%s found%s.", opt->seed, st->executions,
            st->executions == 1 ? "" : "s", st->bugs, st->bugs == 1 ? "" : "s",
            st->unreproducible ? " (and failures that did not reproduce)" : "");
  else
    fprintf(f, "Replay of a recorded schedule (seed 0x%" PRIx64 ").", opt->seed);
  fputs("</p>\n", f);
  if (nbugs > 1) {
    fputs("<nav><ol>\n", f);
    for (size_t i = 0; i < nbugs; i++) {
      fprintf(f, "<li><a href=\"#bug%zu\">", i + 1);
      esc(f, bugs[i].summary[0] ? bugs[i].summary : bugs[i].headline);
      fputs("</a></li>\n", f);
    }
    fputs("</ol></nav>\n", f);
  }
  fputs("</header>\n", f);
  if (!nbugs) fputs("<p class=\"note\">No bug found: no timeline to show.</p>\n", f);
  for (size_t i = 0; i < nbugs; i++) {
    const struct tl_bug *b = &bugs[i];
    fprintf(f, "<section class=\"bug\" id=\"bug%zu\">\n<h2%s>", i + 1,
            !strncmp(b->headline, "WARNING", 7) ? " class=\"warning\"" : "");
    esc(f, b->headline);
    fputs("</h2>\n", f);
    if (b->summary[0]) {
      fputs("<p class=\"summary\">SUMMARY: interleave: ", f);
      esc(f, b->summary);
      fputs("</p>\n", f);
    }
    if (b->sched) {
      fputs("<p class=\"replay\">Replay: <code>interleave replay ", f);
      esc(f, b->sched);
      fputs("</code> &nbsp; <code>interleave replay --gdb ", f);
      esc(f, b->sched);
      fputs("</code></p>\n", f);
    }
    if (b->nsteps) {
      legend(f);
      fprintf(f, "<div class=\"timeline\" data-bug=\"%zu\"></div>\n", i);
    } else {
      fputs("<p class=\"note\">No single interleaving to draw for this finding; the report says why.</p>\n", f);
    }
    fputs("<details open>\n<summary>Report</summary>\n<pre>", f);
    esc(f, b->report);
    fputs("</pre>\n</details>\n</section>\n", f);
  }
  /* JSON in a script block: '<' only occurs inside its strings, where
   * \u003c means the same and cannot end the block or open a comment. */
  char *data = page_data();
  fputs("<script type=\"application/json\" id=\"il-data\">", f);
  for (const char *p = data ? data : "[]"; *p; p++)
    if (*p == '<') fputs("\\u003c", f);
    else fputc(*p, f);
  free(data);
  fprintf(f, "</script>\n<script>\n%s</script>\n</body>\n</html>\n", script);
}

int timeline_write(const struct options *opt, const struct target *t, const struct run_stats *st) {
  int rc = 0;
  if (opt->html) {
    FILE *f = fopen(opt->html, "w");
    if (f) write_page(f, opt, t, st);
    if (!f || ferror(f) | fclose(f)) {
      fprintf(stderr, "interleave: --html: cannot write %s: %s\n", opt->html, strerror(errno));
      rc = -1;
    }
  }
  if (opt->perfetto && perfetto_write(opt->perfetto, bugs, nbugs)) {
    fprintf(stderr, "interleave: --perfetto: cannot write %s: %s\n", opt->perfetto, strerror(errno));
    rc = -1;
  }
  for (size_t i = 0; i < nbugs; i++) {
    free(bugs[i].headline);
    free(bugs[i].summary);
    free(bugs[i].report);
    free(bugs[i].sched);
    free(bugs[i].tnames);
    free(bugs[i].steps);
    free(bugs[i].arrows);
  }
  free(bugs);
  bugs = NULL;
  nbugs = 0;
  return rc;
}
