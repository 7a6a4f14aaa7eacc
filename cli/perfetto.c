/* perfetto.c: --perfetto FILE, the timeline as Chrome trace-event JSON
 * (the "JSON Array/Object Format" that ui.perfetto.dev and
 * chrome://tracing open), from the bugs html.c captured.
 *
 * Each bug is a process (pid 1, 2, ...; process_name: its SUMMARY), each
 * thread a track (tid = thread index + 1: tid 0 means "no thread" to some
 * importers; thread_name: as the report names it).  Each step is a
 * complete event ("X") named as the report says it, with its op, function,
 * file:line, step number and virtual time in args; a preemption also gets
 * an instant event.  Who woke whom is flow events ("s" -> "f", bound to the
 * enclosing slices), named thread, lock, wake or waits.
 *
 * Time: virtual time often stands still across many steps, so the axis is
 * the order of the steps, 10 us each (the real order, as in the report);
 * the virtual time is in each event's args.
 */
#include "cli.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STEP_US 10
#define DUR_US 8

static void str(cJSON *o, const char *key, const char *s) {
  char *c = output_clean(s, 0);
  cJSON_AddStringToObject(o, key, c);
  free(c);
}

static cJSON *event(cJSON *arr, const char *ph, const char *name, int pid, int tid, double ts) {
  cJSON *e = cJSON_CreateObject();
  cJSON_AddStringToObject(e, "ph", ph);
  str(e, "name", name);
  cJSON_AddNumberToObject(e, "pid", pid);
  cJSON_AddNumberToObject(e, "tid", tid);
  cJSON_AddNumberToObject(e, "ts", ts);
  cJSON_AddItemToArray(arr, e);
  return e;
}

static void meta(cJSON *arr, const char *what, int pid, int tid, const char *name, int sort) {
  cJSON *e = event(arr, "M", what, pid, tid, 0);
  cJSON *a = cJSON_AddObjectToObject(e, "args");
  if (name) str(a, "name", name);
  else cJSON_AddNumberToObject(a, "sort_index", sort);
}

int perfetto_write(const char *path, const struct tl_bug *bugs, size_t n) {
  cJSON *root = cJSON_CreateObject();
  cJSON *ev = cJSON_AddArrayToObject(root, "traceEvents");
  double flow_id = 1;
  for (size_t i = 0; i < n; i++) {
    const struct tl_bug *b = &bugs[i];
    int pid = (int)i + 1;
    char pname[700];
    snprintf(pname, sizeof pname, "bug %zu: %s", i + 1, b->summary[0] ? b->summary : b->headline);
    meta(ev, "process_name", pid, 0, pname, 0);
    meta(ev, "process_sort_index", pid, 0, NULL, pid);
    for (int t = 0; t < b->nthreads; t++) {
      meta(ev, "thread_name", pid, t + 1, b->tnames[t], 0);
      meta(ev, "thread_sort_index", pid, t + 1, NULL, t);
    }
    for (size_t k = 0; k < b->nsteps; k++) {
      const struct tl_step *s = &b->steps[k];
      cJSON *e = event(ev, "X", s->what, pid, s->thread + 1, (double)(k * STEP_US));
      cJSON_AddNumberToObject(e, "dur", DUR_US);
      cJSON_AddStringToObject(e, "cat", s->step < 0 ? "pending" : tl_op_name(s->op));
      cJSON *a = cJSON_AddObjectToObject(e, "args");
      if (s->step >= 0) cJSON_AddNumberToObject(a, "step", (double)s->step);
      else cJSON_AddStringToObject(a, "step", "next (pending when the execution ended)");
      cJSON_AddStringToObject(a, "op", tl_op_name(s->op));
      if (s->fn[0]) str(a, "function", s->fn);
      if (s->loc[0]) str(a, "location", s->loc);
      cJSON_AddNumberToObject(a, "virtual_time_ns", (double)s->vtime);
      if (s->flags & IL_EV_PREEMPT) cJSON_AddTrueToObject(a, "preemption");
      if (s->flags & IL_EV_TIMEOUT) cJSON_AddTrueToObject(a, "timeout_fired");
      if (s->flags & IL_EV_LATE) cJSON_AddTrueToObject(a, "late");
      if (s->reps > 1) cJSON_AddNumberToObject(a, "repeated", s->reps);
      if (s->flags & IL_EV_PREEMPT) {
        cJSON *p = event(ev, "i", "preemption", pid, s->thread + 1, (double)(k * STEP_US));
        cJSON_AddStringToObject(p, "s", "t");
      }
    }
    for (size_t k = 0; k < b->narrows; k++) {
      /* A flow runs forward in time: a blocked thread's wait is drawn from
       * the holder's acquisition to the waiter. */
      size_t from = b->arrows[k].from, to = b->arrows[k].to;
      if (to < from) { size_t x = from; from = to; to = x; }
      const char *name = tl_arrow_name(b->arrows[k].kind);
      char cat[32];
      snprintf(cat, sizeof cat, "flow.%s", name);
      cJSON *s = event(ev, "s", name, pid, b->steps[from].thread + 1, (double)(from * STEP_US + DUR_US / 2));
      cJSON_AddStringToObject(s, "cat", cat);
      cJSON_AddNumberToObject(s, "id", flow_id);
      cJSON *f = event(ev, "f", name, pid, b->steps[to].thread + 1, (double)(to * STEP_US + DUR_US / 2));
      cJSON_AddStringToObject(f, "cat", cat);
      cJSON_AddNumberToObject(f, "id", flow_id);
      cJSON_AddStringToObject(f, "bp", "e");
      flow_id++;
    }
  }
  char *text = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  if (!text) { errno = ENOMEM; return -1; }
  FILE *f = fopen(path, "w");
  int rc = f ? 0 : -1;
  if (f) {
    fprintf(f, "%s\n", text);
    if (ferror(f) | fclose(f)) rc = -1;
  }
  free(text);
  return rc;
}
