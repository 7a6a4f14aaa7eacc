/* suppress.c: suppression files, ThreadSanitizer-style: lines KIND:GLOB,
 * '#' comments.  A finding is suppressed when GLOB (fnmatch) matches one of
 * its names: for a lock hold, the lock's symbol, the function where the
 * waiter waited and the function where the holder took the lock (not the
 * blocking call's: that is what is being reported).  Findings are
 * symbolized once per distinct location and cached. */
#include "cli.h"
#include <errno.h>
#include <fnmatch.h>
#include <string.h>

void suppressions_load(struct options *opt, const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) die_usage("--suppressions %s: %s", path, strerror(errno));
  char line[256];
  int ln = 0;
  while (fgets(line, sizeof line, f)) {
    ln++;
    line[strcspn(line, "\r\n")] = 0;
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (!*p || *p == '#') continue;
    char *colon = strchr(p, ':');
    if (!colon || !colon[1]) die_usage("%s:%d: expected KIND:PATTERN", path, ln);
    *colon = 0;
    int kind = -1;
    for (int k = BUG_ASSERT; k < BUG__COUNT; k++)
      if (!strcmp(p, bug_kind_name(k))) kind = k;
    if (!strcmp(p, "race")) kind = BUG_RACE; /* ThreadSanitizer's spelling */
    if (kind < 0) die_usage("%s:%d: unknown kind '%s'", path, ln, p);
    if (opt->nsupp >= 64) die_usage("%s: more than 64 suppressions", path);
    opt->supp[opt->nsupp].kind = kind;
    snprintf(opt->supp[opt->nsupp].pattern, sizeof opt->supp[0].pattern, "%s", colon + 1);
    opt->nsupp++;
  }
  fclose(f);
}

int suppressed(const struct options *opt, int kind, const char *const *names, int n) {
  for (int i = 0; i < opt->nsupp; i++) {
    if (opt->supp[i].kind != kind) continue;
    for (int k = 0; k < n; k++)
      if (names[k] && names[k][0] && !fnmatch(opt->supp[i].pattern, names[k], 0)) return 1;
  }
  return 0;
}

/* Function name (code) or symbol (data) of an address, "" if none. */
static void name_of(uint64_t addr, int code, char *out, size_t n) {
  char loc[256];
  out[0] = 0;
  if (!addr) return;
  if (code) sym_pc(addr, 1, out, n, loc, sizeof loc);
  else sym_obj(addr, out, n);
  if (out[0] == '0' && out[1] == 'x') out[0] = 0; /* no name */
}

struct cached { uint64_t a, b, c; int supp; };
static struct cached cache[256];
static int ncache;

static int race_suppressed(const struct il_race *r, const char *maps, const struct options *opt) {
  if (!opt->nsupp) return 0;
  for (int k = 0; k < ncache; k++)
    if (cache[k].a == r->cur.pc && cache[k].b == r->prev.pc && cache[k].c == 1) return cache[k].supp;
  sym_use(maps);
  char a[128], b[128], obj[128];
  name_of(r->cur.pc, 1, a, sizeof a);
  name_of(r->prev.pc, 1, b, sizeof b);
  name_of(r->addr, 0, obj, sizeof obj);
  const char *names[] = {a, b, obj};
  int supp = suppressed(opt, BUG_RACE, names, 3);
  if (ncache < 256) cache[ncache++] = (struct cached){r->cur.pc, r->prev.pc, 1, supp};
  return supp;
}

/* The earliest unsuppressed finding (a race or a lock hold) becomes the
 * execution's bug: it happened before whatever ended the execution, and is
 * its likely cause. */
void apply_holds(struct outcome *o, const char *maps, const struct options *opt) {
  if (o->kind == BUG_UNSUPPORTED || o->kind == BUG_LIMIT || o->kind == BUG_DIVERGED) return;
  for (uint32_t i = 0; i < o->nraces; i++) {
    if (race_suppressed(&o->races[i], maps, opt)) continue;
    o->kind = BUG_RACE;
    o->race = (int)i;
    break;
  }
  for (uint32_t i = 0; i < o->nholds; i++) {
    if (o->kind == BUG_RACE && o->races[o->race].event <= o->holds[i].event) break;
    const struct il_hold *h = &o->holds[i];
    int supp = -1;
    for (int k = 0; k < ncache; k++)
      if (cache[k].a == h->lock && cache[k].b == h->wait_pc && cache[k].c == h->acq_pc) supp = cache[k].supp;
    if (supp < 0) {
      supp = 0;
      if (opt->nsupp) {
        char lock[128], waiter[128], acq[128];
        sym_use(maps);
        name_of(h->lock, 0, lock, sizeof lock);
        name_of(h->wait_pc, 1, waiter, sizeof waiter);
        name_of(h->acq_pc, 1, acq, sizeof acq);
        const char *names[] = {lock, waiter, acq};
        supp = suppressed(opt, BUG_LOCKHOLD, names, 3);
      }
      if (ncache < 256) cache[ncache++] = (struct cached){h->lock, h->wait_pc, h->acq_pc, supp};
    }
    if (!supp) {
      o->kind = BUG_LOCKHOLD;
      o->hold = (int)i;
      return;
    }
  }
}
