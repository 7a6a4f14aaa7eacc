/* lockgraph.c: the lock-order graph of a whole run (lockdep's idea, over
 * every execution rather than one boot).  Nodes are lock classes (the
 * *_init call site, or the address of a statically initialized lock);
 * an edge A -> B says some thread acquired B while holding A.  A cycle is
 * a potential deadlock even if no execution deadlocked.  Two instances of
 * one class taken in both orders (transfer(a, b) against transfer(b, a))
 * are a cycle of that class with itself.  A cycle whose edges were all
 * taken under one common gate lock cannot deadlock and is not reported. */
#include "cli.h"
#include <stdlib.h>
#include <string.h>

struct gedge { struct il_lock_edge e; uint64_t exec; };
static struct gedge *g;
static size_t ng, capg;
static uint64_t reported[256];
static int nreported;

static int same_edge(const struct il_lock_edge *a, const struct il_lock_edge *b) {
  if (a->from_key != b->from_key || a->to_key != b->to_key) return 0;
  return a->from_key != a->to_key || (a->from_obj == b->from_obj && a->to_obj == b->to_obj);
}

/* Depth-first search for a path from `at` to `goal` over class edges
 * (self-class edges excluded); path[] gets edge indices. */
static int dfs(uint64_t at, uint64_t goal, size_t *path, int depth, int max, uint64_t *seen, int *nseen) {
  if (depth >= max) return -1;
  for (int i = 0; i < *nseen; i++)
    if (seen[i] == at) return -1;
  if (*nseen < 512) seen[(*nseen)++] = at;
  for (size_t i = 0; i < ng; i++) {
    if (g[i].e.from_key != at || g[i].e.from_key == g[i].e.to_key) continue;
    path[depth] = i;
    if (g[i].e.to_key == goal) return depth + 1;
    int r = dfs(g[i].e.to_key, goal, path, depth + 1, max, seen, nseen);
    if (r > 0) return r;
  }
  return -1;
}

static uint64_t cycle_sig(size_t *idx, int n) {
  uint64_t s = 0;
  for (int i = 0; i < n; i++) s += g[idx[i]].e.from_key * 0x9e3779b97f4a7c15ULL ^ g[idx[i]].e.to_key;
  return s;
}

/* A new campaign (interleave gtest's next test): a graph of its own.  Two
 * tests never run at once, so their edges cannot form a deadlock together. */
void lockgraph_reset(void) {
  free(g);
  g = NULL;
  ng = capg = 0;
  nreported = 0;
}

/* Add one execution's edges; returns the number of cycles found, each
 * written to out[] as edge copies (at most 8 edges per cycle, one cycle). */
int lockgraph_add(const struct il_lock_edge *es, uint32_t n, uint64_t exec, struct il_lock_edge *out,
                  uint64_t *out_exec, int *out_n) {
  int found = 0;
  *out_n = 0;
  for (uint32_t k = 0; k < n; k++) {
    int dup = 0;
    for (size_t i = 0; i < ng && !dup; i++) dup = same_edge(&g[i].e, &es[k]);
    if (dup) continue;
    if (ng == capg) {
      capg = capg ? capg * 2 : 64;
      g = realloc(g, capg * sizeof *g);
    }
    g[ng].e = es[k];
    g[ng].exec = exec;
    size_t me = ng++;
    if (found) continue;
    size_t path[9];
    int len;
    const struct il_lock_edge *e = &es[k];
    if (e->from_key == e->to_key) {
      /* Same class: look for the two instances in the other order. */
      len = -1;
      for (size_t i = 0; i < me; i++)
        if (g[i].e.from_key == e->from_key && g[i].e.to_key == e->to_key && g[i].e.from_obj == e->to_obj &&
            g[i].e.to_obj == e->from_obj) {
          path[0] = i;
          len = 1;
          break;
        }
    } else {
      uint64_t seen[512];
      int nseen = 0;
      len = dfs(e->to_key, e->from_key, path, 0, 7, seen, &nseen);
    }
    if (len < 1) continue;
    size_t cyc[9];
    cyc[0] = me;
    for (int i = 0; i < len; i++) cyc[i + 1] = path[i];
    int clen = len + 1;
    uint64_t gate = g[cyc[0]].e.gate_key;
    int gated = gate != 0;
    for (int i = 1; i < clen && gated; i++) gated = g[cyc[i]].e.gate_key == gate;
    if (gated) continue;
    uint64_t sig = cycle_sig(cyc, clen);
    int seen = 0;
    for (int i = 0; i < nreported; i++) seen |= reported[i] == sig;
    if (seen) continue;
    if (nreported < 256) reported[nreported++] = sig;
    /* Print in acquisition order: start from the earlier-found edge. */
    for (int i = 0; i < clen; i++) {
      out[i] = g[cyc[(i + 1) % clen]].e;
      out_exec[i] = g[cyc[(i + 1) % clen]].exec;
    }
    *out_n = clen;
    found = 1;
  }
  return found;
}
