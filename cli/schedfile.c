/* schedfile.c: the schedule file, a versioned text format that replays one
 * execution exactly:
 *
 *   interleave-schedule 1
 *   program /abs/path        (percent-escaped)
 *   argc 2
 *   arg ./prog               (one line per argument, escaped)
 *   binary-hash 0x...        (FNV-1a 64 of the program file)
 *   seed 0x... / exec N / strategy pct / depth 3 / est-steps N
 *   max-steps N / max-vtime-ns N / stall-timeout-ns N / base-realtime-ns N
 *   hold-threshold-ns N      (the lock-hold detector's threshold, 0: off)
 *   max-delay-ns N|inf       (bounded lateness; version 2 on; a version 1
 *                            file has none and replays with inf)
 *   signal N                 (--signal: the injected signal, 0: none;
 *                            version 3 on)
 *   race 0|1                 (data-race reports on; version 4 on: shared
 *                            accesses are scheduling points either way, but
 *                            a race report would end the replay first)
 *   kind deadlock / thread N / pc 0x...   (the failure it must reproduce)
 *   decisions N
 *   ... N thread indices, 32 per line ...
 *   end 0x...                (FNV-1a 64 of every byte before this line)
 *
 * The reader is strict: any unknown, missing, repeated or out-of-range
 * field, or a checksum mismatch, is an error with the line number.
 */
#include "cli.h"
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SCHED_VERSION 5

const char *bug_kind_name(int k) {
  static const char *n[] = {"none", "assertion-failure", "crash", "exit-status", "deadlock", "stall",
                            "hang", "watchdog", "unsupported", "diverged", "limit", "lock-order-inversion",
                            "lock-hold", "data-race"};
  static const char *san[] = {
#define SAN_KIND(id, name) name,
#include "sankinds.h"
#undef SAN_KIND
  };
  if (IS_SAN_KIND(k)) return san[k - BUG_SAN_FIRST];
  return k >= 0 && k < (int)(sizeof n / sizeof n[0]) ? n[k] : "?";
}

static uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
/* Execution idx of a run with this seed: the only input of its schedule
 * besides PCT's step estimate. */
uint64_t exec_seed(uint64_t seed, uint64_t idx) { return splitmix(seed ^ splitmix(idx)); }

static uint64_t fnv(const char *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
  return h;
}

static void esc(FILE *f, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c <= 0x20 || c == '%' || c >= 0x7f) fprintf(f, "%%%02x", c);
    else fputc(c, f);
  }
}

const char *strategy_name(int s) {
  return s == IL_STRAT_RANDOM ? "random" : s == IL_STRAT_POS ? "pos" : s == IL_STRAT_REPLAY ? "replay"
       : s == STRAT_MIX ? "pct+pos" : s == IL_STRAT_MUTATE || s == STRAT_MUTATE ? "mutate" : "pct";
}

int sched_write(const char *path, const struct schedule *s) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return -1;
  char delay[32];
  if (s->req.max_delay_ns < 0) snprintf(delay, sizeof delay, "inf");
  else snprintf(delay, sizeof delay, "%" PRId64, s->req.max_delay_ns);
  fprintf(f, "interleave-schedule %d\nprogram ", SCHED_VERSION);
  esc(f, s->program);
  fprintf(f, "\nargc %d\n", s->argc);
  for (int i = 0; i < s->argc; i++) { fputs("arg ", f); esc(f, s->argv[i]); fputc('\n', f); }
  fprintf(f, "binary-hash 0x%016" PRIx64 "\nseed 0x%" PRIx64 "\nexec %" PRIu64 "\nstrategy %s\ndepth %u\n"
             "est-steps %" PRIu64 "\nmax-steps %" PRIu64 "\nmax-vtime-ns %" PRId64 "\nstall-timeout-ns %" PRId64
             "\nbase-realtime-ns %" PRId64 "\nhold-threshold-ns %" PRId64 "\nmax-delay-ns %s\nsignal %d\nrace %d\nspin-ms %u\nkind %s\nthread %d\npc 0x%" PRIx64
             "\ndecisions %u\n",
          s->hash, s->seed, s->exec_index, strategy_name(s->strategy), s->req.depth, s->req.est_steps,
          s->req.max_steps, s->req.max_vtime_ns, s->req.stall_timeout_ns, s->req.base_realtime_ns,
          s->req.hold_threshold_ns, delay, s->req.inject_signal, (s->req.flags & IL_F_RACE) ? 1 : 0,
          s->req.spin_ms, bug_kind_name(s->kind), s->thread, s->pc, s->n);
  for (uint32_t i = 0; i < s->n; i++) fprintf(f, "%u%c", s->decisions[i], (i % 32 == 31 || i + 1 == s->n) ? '\n' : ' ');
  fflush(f);
  fprintf(f, "end 0x%016" PRIx64 "\n", fnv(buf, len));
  fclose(f);
  /* Write to a temporary name and rename: a crash never leaves half a file. */
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *o = fopen(tmp, "w");
  if (!o) { free(buf); return -1; }
  size_t w = fwrite(buf, 1, len, o);
  int bad = w != len || fflush(o) != 0;
  bad |= fclose(o) != 0;
  free(buf);
  if (bad || rename(tmp, path)) { remove(tmp); return -1; }
  return 0;
}

void sched_free(struct schedule *s) {
  if (s->argv) for (int i = 0; i < s->argc; i++) free(s->argv[i]);
  free(s->argv);
  free(s->decisions);
  s->argv = NULL;
  s->decisions = NULL;
}

struct cursor { const char *p, *end; int line; char *err; size_t errn; };

static int fail(struct cursor *c, const char *fmt, ...) {
  char m[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m, sizeof m, fmt, ap);
  va_end(ap);
  snprintf(c->err, c->errn, "line %d: %s", c->line, m);
  return -1;
}

/* Next line into buf (without newline); -1 at end or on a bad line. */
static int next_line(struct cursor *c, char *buf, size_t n) {
  if (c->p >= c->end) return -1;
  const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
  if (!nl) { c->line++; return fail(c, "truncated (no newline at end)"); }
  size_t len = (size_t)(nl - c->p);
  c->line++;
  if (len >= n) return fail(c, "line too long");
  if (memchr(c->p, 0, len)) return fail(c, "NUL byte");
  memcpy(buf, c->p, len);
  buf[len] = 0;
  c->p = nl + 1;
  return 0;
}

static int unesc(const char *in, char *out, size_t n) {
  size_t j = 0;
  for (size_t i = 0; in[i]; i++) {
    if (j + 1 >= n) return -1;
    if ((unsigned char)in[i] <= 0x20 || (unsigned char)in[i] >= 0x7f) return -1;
    if (in[i] == '%') {
      unsigned v;
      if (!in[i + 1] || !in[i + 2] || sscanf(in + i + 1, "%2x", &v) != 1 || v == 0) return -1;
      out[j++] = (char)v;
      i += 2;
    } else {
      out[j++] = in[i];
    }
  }
  out[j] = 0;
  return 0;
}

/* The next line, which must be "key VALUE"; returns VALUE inside l. */
static const char *field(struct cursor *c, const char *key, char *l, size_t n) {
  if (next_line(c, l, n)) {
    if (c->p >= c->end) fail(c, "missing field %s (truncated)", key);
    return NULL;
  }
  size_t k = strlen(key);
  if (strncmp(l, key, k) || l[k] != ' ') {
    fail(c, "expected %s", key);
    return NULL;
  }
  return l + k + 1;
}

/* "key value" with a number that must parse completely. */
static int field_u64(struct cursor *c, const char *key, uint64_t *v, uint64_t max) {
  char l[256], *e;
  const char *s = field(c, key, l, sizeof l);
  if (!s) return -1;
  if (*s == '-' || *s == ' ' || !*s) return fail(c, "bad value for %s", key);
  errno = 0;
  unsigned long long x = strtoull(s, &e, 0);
  if (errno || *e || x > max) return fail(c, "bad value for %s", key);
  *v = x;
  return 0;
}
static int field_str(struct cursor *c, const char *key, char *out, size_t n) {
  char l[4200];
  const char *s = field(c, key, l, sizeof l);
  if (!s) return -1;
  if (unesc(s, out, n)) return fail(c, "bad value for %s", key);
  return 0;
}

int sched_parse(const char *buf, size_t len, struct schedule *s, char *err, size_t errn) {
  memset(s, 0, sizeof *s);
  struct cursor c = {buf, buf + len, 0, err, errn};
  char l[4200];
  uint64_t v;
  if (next_line(&c, l, sizeof l)) return fail(&c, "empty or not a schedule file");
  if (strncmp(l, "interleave-schedule ", 20)) return fail(&c, "not an interleave schedule file");
  int version = !strcmp(l + 20, "1") ? 1 : !strcmp(l + 20, "2") ? 2 : !strcmp(l + 20, "3") ? 3 : !strcmp(l + 20, "4") ? 4 : !strcmp(l + 20, "5") ? 5 : 0;
  if (!version) return fail(&c, "unsupported schedule version %s (this interleave reads versions 1 to 5)", l + 20);
  if (field_str(&c, "program", s->program, sizeof s->program)) return -1;
  if (s->program[0] != '/') return fail(&c, "program path is not absolute");
  if (field_u64(&c, "argc", &v, 4096) ) return -1;
  if (v < 1) return fail(&c, "argc must be at least 1");
  s->argc = (int)v;
  s->argv = calloc((size_t)s->argc + 1, sizeof *s->argv);
  for (int i = 0; i < s->argc; i++) {
    char a[4096];
    if (field_str(&c, "arg", a, sizeof a)) { sched_free(s); return -1; }
    s->argv[i] = strdup(a);
  }
#define U(key, dst, max) do { if (field_u64(&c, key, &v, max)) { sched_free(s); return -1; } dst = v; } while (0)
  U("binary-hash", s->hash, UINT64_MAX);
  U("seed", s->seed, UINT64_MAX);
  U("exec", s->exec_index, UINT64_MAX);
  if (next_line(&c, l, sizeof l)) { sched_free(s); return c.p >= c.end ? fail(&c, "missing field strategy (truncated)") : -1; }
  if (!strcmp(l, "strategy pct")) s->strategy = IL_STRAT_PCT;
  else if (!strcmp(l, "strategy random")) s->strategy = IL_STRAT_RANDOM;
  else if (!strcmp(l, "strategy pos")) s->strategy = IL_STRAT_POS;
  else if (!strcmp(l, "strategy mutate")) s->strategy = IL_STRAT_MUTATE; /* replayed from its decisions alone */
  else { sched_free(s); return fail(&c, "expected strategy pct, random, pos or mutate"); }
  U("depth", s->req.depth, 16);
  U("est-steps", s->req.est_steps, UINT64_MAX);
  U("max-steps", s->req.max_steps, UINT64_MAX);
  U("max-vtime-ns", s->req.max_vtime_ns, INT64_MAX);
  U("stall-timeout-ns", s->req.stall_timeout_ns, INT64_MAX);
  U("base-realtime-ns", s->req.base_realtime_ns, INT64_MAX);
  U("hold-threshold-ns", s->req.hold_threshold_ns, INT64_MAX);
  s->req.max_delay_ns = -1;
  if (version >= 2) {
    char *e;
    const char *val = field(&c, "max-delay-ns", l, sizeof l);
    if (!val) { sched_free(s); return -1; }
    if (strcmp(val, "inf")) {
      errno = 0;
      unsigned long long x = strtoull(val, &e, 10);
      if (*val < '0' || *val > '9' || errno || *e || x > (unsigned long long)INT64_MAX) { sched_free(s); return fail(&c, "bad value for max-delay-ns"); }
      s->req.max_delay_ns = (int64_t)x;
    }
  }
  if (version >= 3) U("signal", s->req.inject_signal, 64);
  uint32_t race = 1; /* before version 4: always on */
  if (version >= 4) U("race", race, 1);
  if (race) s->req.flags |= IL_F_RACE;
  if (version >= 5) U("spin-ms", s->req.spin_ms, 3600000); /* before: no spin preemption */
  if (next_line(&c, l, sizeof l)) { sched_free(s); return c.p >= c.end ? fail(&c, "missing field kind (truncated)") : -1; }
  s->kind = -1;
  if (!strncmp(l, "kind ", 5))
    for (int k = BUG_ASSERT; k < BUG__COUNT; k++)
      if (!strcmp(l + 5, bug_kind_name(k))) s->kind = k;
  if (s->kind < 0) { sched_free(s); return fail(&c, "expected kind"); }
  U("thread", s->thread, IL_MAX_THREADS);
  U("pc", s->pc, UINT64_MAX);
  U("decisions", s->n, IL_MAX_DECISIONS);
#undef U
  s->decisions = malloc((s->n ? s->n : 1) * sizeof *s->decisions);
  uint32_t got = 0;
  while (got < s->n) {
    if (next_line(&c, l, sizeof l)) { sched_free(s); return c.p >= c.end ? fail(&c, "truncated: %u of %u decisions", got, s->n) : -1; }
    char *p = l;
    int inrow = 0;
    while (*p) {
      char *e;
      if (*p < '0' || *p > '9') { sched_free(s); return fail(&c, "bad decision"); }
      errno = 0;
      unsigned long d = strtoul(p, &e, 10);
      if (errno || d >= IL_MAX_THREADS || got >= s->n) { sched_free(s); return fail(&c, "bad decision"); }
      s->decisions[got++] = (uint16_t)d;
      inrow++;
      p = e;
      if (*p == ' ') p++;
      else if (*p) { sched_free(s); return fail(&c, "bad decision"); }
    }
    if (inrow == 0 || inrow > 32) { sched_free(s); return fail(&c, "bad decision line"); }
  }
  size_t body = (size_t)(c.p - buf);
  if (next_line(&c, l, sizeof l)) { sched_free(s); return c.p >= c.end ? fail(&c, "truncated: no end line") : -1; }
  uint64_t sum;
  char *e;
  if (strncmp(l, "end 0x", 6)) { sched_free(s); return fail(&c, "expected end"); }
  errno = 0;
  sum = strtoull(l + 4, &e, 16);
  if (errno || *e || strlen(l) != 22) { sched_free(s); return fail(&c, "bad checksum field"); }
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION /* let the fuzzer past the checksum */
  if (sum != fnv(buf, body)) { sched_free(s); return fail(&c, "checksum mismatch: the file is corrupt"); }
#endif
  if (c.p != c.end) { sched_free(s); return fail(&c, "trailing data after end"); }
  s->req.strategy = IL_STRAT_REPLAY;
  s->req.exec_index = s->exec_index;
  s->req.seed = exec_seed(s->seed, s->exec_index);
  return 0;
}

int sched_read(const char *path, struct schedule *s, char *err, size_t errn) {
  FILE *f = fopen(path, "rb");
  if (!f) { snprintf(err, errn, "%s", strerror(errno)); return -1; }
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  size_t k;
  while ((k = fread(buf + len, 1, cap - len, f)) > 0) {
    len += k;
    if (len == cap) {
      if (cap > (64u << 20)) { fclose(f); free(buf); snprintf(err, errn, "file too large"); return -1; }
      buf = realloc(buf, cap *= 2);
    }
  }
  fclose(f);
  int r = sched_parse(buf, len, s, err, errn);
  free(buf);
  return r;
}
