/* merge.c: `interleave merge DIR...`: the folders of a sharded campaign
 * (each with its bugs.tsv and stats) become one report: every distinct bug
 * once (by its SUMMARY signature, which names source locations and not
 * addresses), the lowest execution index that found it, and the command
 * that replays it on any machine with the same binary. */
#include "cli.h"
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct bug { char sig[600]; uint64_t exec; char path[4096]; };

static int load(const char *dir, struct bug **b, size_t *n, size_t *cap, uint64_t *execs, int depth) {
  char p[4200];
  int found = 0;
  snprintf(p, sizeof p, "%s/stats", dir);
  FILE *f = fopen(p, "r");
  if (f) {
    char line[1024];
    found = 1;
    while (fgets(line, sizeof line, f)) {
      uint64_t v;
      if (sscanf(line, "execs_done : %" SCNu64, &v) == 1) *execs += v;
    }
    fclose(f);
  }
  snprintf(p, sizeof p, "%s/bugs.tsv", dir);
  f = fopen(p, "r");
  if (f) {
    char line[6000];
    while (fgets(line, sizeof line, f)) {
      char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
      if (!t1 || !t2) continue;
      *t1 = *t2 = 0;
      line[strcspn(line, "\n")] = 0;
      t2[1 + strcspn(t2 + 1, "\n")] = 0;
      if (*n == *cap) { *cap = *cap ? *cap * 2 : 16; *b = realloc(*b, *cap * sizeof **b); }
      struct bug *x = &(*b)[(*n)++];
      snprintf(x->sig, sizeof x->sig, "%s", line);
      x->exec = strtoull(t1 + 1, NULL, 10);
      snprintf(x->path, sizeof x->path, "%s", t2 + 1);
    }
    fclose(f);
  }
  /* A campaign folder holds shard-I-of-N folders: look one level down. */
  if (depth == 0) {
    DIR *d = opendir(dir);
    if (!d) die_usage("%s: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)))
      if (!strncmp(e->d_name, "shard-", 6)) {
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        found |= load(p, b, n, cap, execs, 1);
      }
    closedir(d);
  }
  return found;
}

static int by_sig_exec(const void *a, const void *b) {
  const struct bug *x = a, *y = b;
  int c = strcmp(x->sig, y->sig);
  return c ? c : (x->exec < y->exec ? -1 : x->exec > y->exec);
}

int cmd_merge(int argc, char **argv) {
  if (argc < 1) die_usage("usage: interleave merge DIR...");
  struct bug *b = NULL;
  size_t n = 0, cap = 0;
  uint64_t execs = 0;
  for (int i = 0; i < argc; i++)
    if (!load(argv[i], &b, &n, &cap, &execs, 0)) die_usage("%s: no interleave results (no stats file)", argv[i]);
  qsort(b, n, sizeof *b, by_sig_exec);
  size_t distinct = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || strcmp(b[i].sig, b[i - 1].sig)) distinct++;
  printf("interleave merge: %" PRIu64 " executions, %zu distinct bug%s\n", execs, distinct, distinct == 1 ? "" : "s");
  for (size_t i = 0; i < n; i++) {
    if (i && !strcmp(b[i].sig, b[i - 1].sig)) continue;
    printf("\nSUMMARY: interleave: %s\n  first found in execution %" PRIu64 "\n  Replay:  interleave replay %s\n",
           b[i].sig, b[i].exec, b[i].path);
  }
  free(b);
  return distinct ? EXIT_BUG : EXIT_OK;
}
