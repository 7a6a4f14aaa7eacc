/* i_random.c: the kernel's randomness, made a function of the execution.
 *
 * A program that seeds itself from getrandom() or /dev/urandom (GLib's
 * g_rand_new, SQLite's PRNG, hash-table seeds) takes a different path in
 * every run, so a failing schedule would not replay.  rr records such
 * inputs and hands them back; we need not record anything: every byte a
 * controlled thread reads is drawn from a stream seeded by the execution's
 * seed, which the schedule file carries.  Same seed, same bytes.
 *
 * Covered: getrandom, getentropy, and open/openat/fopen of /dev/urandom and
 * /dev/random (then read() on that descriptor, fread() on that FILE).
 * Uncontrolled callers (the fork server before main, foreign threads) get
 * the kernel's bytes.
 */
#include "rt.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* Descriptors open on a random device in this execution (the bitmap is
 * cleared at the start of every execution; only the baton holder writes
 * it). */
#define RAND_FDS 4096
static uint64_t rand_fd[RAND_FDS / 64];

void il_random_reset(void) {
  memset(rand_fd, 0, sizeof rand_fd);
  il.rand_state = il.req.seed ^ 0x52414e444f4d2121ULL; /* "RANDOM!!" */
}

static void fill(void *buf, size_t n) {
  unsigned char *p = buf;
  while (n) {
    uint64_t z = il_splitmix(&il.rand_state);
    size_t k = n < 8 ? n : 8;
    memcpy(p, &z, k);
    p += k;
    n -= k;
  }
}

static int is_random_device(const char *path) {
  return path && (!strcmp(path, "/dev/urandom") || !strcmp(path, "/dev/random"));
}

int il_random_fd(int fd) {
  return fd >= 0 && fd < RAND_FDS && (rand_fd[fd / 64] >> (fd % 64) & 1);
}

ssize_t il_random_read(void *buf, size_t n) {
  fill(buf, n);
  return (ssize_t)n;
}

static int mark(int fd) {
  if (fd >= 0 && fd < RAND_FDS) rand_fd[fd / 64] |= 1ULL << (fd % 64);
  return fd;
}

IL_EXPORT ssize_t getrandom(void *buf, size_t n, unsigned flags) {
  static ssize_t (*real)(void *, size_t, unsigned);
  if (!il_controlled()) {
    if (!real) real = il_sym("getrandom", NULL);
    return real(buf, n, flags);
  }
  return il_random_read(buf, n);
}

IL_EXPORT int getentropy(void *buf, size_t n) {
  static int (*real)(void *, size_t);
  if (!il_controlled()) {
    if (!real) real = il_sym("getentropy", NULL);
    return real(buf, n);
  }
  if (n > 256) { errno = EIO; return -1; }
  fill(buf, n);
  return 0;
}

/* open and friends: the mode argument exists only with O_CREAT/O_TMPFILE. */
#define OPEN_WRAP(name, pre, preargs)                                        \
  IL_EXPORT int name(pre const char *path, int flags, ...) {                 \
    static int (*real)(pre const char *, int, ...);                          \
    if (!real) real = il_sym(#name, NULL);                                   \
    mode_t mode = 0;                                                         \
    if (flags & (O_CREAT | O_TMPFILE)) {                                     \
      va_list ap;                                                            \
      va_start(ap, flags);                                                   \
      mode = va_arg(ap, mode_t);                                             \
      va_end(ap);                                                            \
    }                                                                        \
    int fd = real(preargs path, flags, mode);                                \
    if (fd >= 0 && is_random_device(path) && il_controlled()) mark(fd);      \
    return fd;                                                               \
  }
#define NOTHING
#define COMMA ,
OPEN_WRAP(open, NOTHING, NOTHING)
OPEN_WRAP(open64, NOTHING, NOTHING)
OPEN_WRAP(openat, int dirfd COMMA, dirfd COMMA)
OPEN_WRAP(openat64, int dirfd COMMA, dirfd COMMA)

/* _FORTIFY_SOURCE's checked variants (no mode: they refuse O_CREAT). */
#define OPEN2_WRAP(name)                                                     \
  IL_EXPORT int name(const char *path, int flags) {                          \
    static int (*real)(const char *, int);                                   \
    if (!real) real = il_sym(#name, NULL);                                   \
    int fd = real(path, flags);                                              \
    if (fd >= 0 && is_random_device(path) && il_controlled()) mark(fd);      \
    return fd;                                                               \
  }
OPEN2_WRAP(__open_2)
OPEN2_WRAP(__open64_2)

IL_EXPORT int close(int fd) {
  static int (*real)(int);
  if (!real) real = il_sym("close", NULL);
  if (fd >= 0 && fd < RAND_FDS) rand_fd[fd / 64] &= ~(1ULL << (fd % 64));
  if (il.active) {
    il_timer_closed(fd); /* a timerfd's timer goes with it */
    il_signalfd_closed(fd);
  }
  return real(fd);
}

/* fopen("/dev/urandom"): glibc's fopen and fread use internal calls that
 * no interposer sees, so such a stream is a cookie stream over fill(). */
static ssize_t cookie_read(void *c, char *buf, size_t n) {
  (void)c;
  if (!il.active) return 0;
  fill(buf, n);
  return (ssize_t)n;
}
static int cookie_close(void *c) { (void)c; return 0; }

#define FOPEN_WRAP(name)                                                      \
  IL_EXPORT FILE *name(const char *path, const char *mode) {                  \
    static FILE *(*real)(const char *, const char *);                         \
    if (!real) real = il_sym(#name, NULL);                                    \
    if (is_random_device(path) && mode && mode[0] == 'r' && !strchr(mode, '+') && il_controlled()) { \
      cookie_io_functions_t io = {.read = cookie_read, .close = cookie_close}; \
      return fopencookie(NULL, "r", io);                                      \
    }                                                                         \
    return real(path, mode);                                                  \
  }
FOPEN_WRAP(fopen)
FOPEN_WRAP(fopen64)
