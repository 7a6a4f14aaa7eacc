/* i_io.c: blocking I/O on pipes and sockets.  A call that would block (a
 * blocking file descriptor that poll() says is not ready) first waits at a
 * scheduling point until the descriptor is ready (re-checked at every
 * decision, like poll), then makes the real call, which then does not
 * block.  So a thread blocked in read() is a blocked thread to the
 * scheduler (stalls, deadlocks through pipes), and a lock held across it
 * is seen by the lock-hold detector.  Calls that would not block, and
 * non-blocking descriptors, go straight through: a write to a terminal or
 * a regular file is not a scheduling point. */
#include "rt.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Wait until fd is ready for `events` if the call would block.  Only for
 * controlled callers. */
static void before_blocking(int fd, short events, int op, uint64_t pc) {
  /* Whether the call would block must not depend on how far a child has
   * got in real time: let children settle first (i_proc.c). */
  if (il.nchildren) il_children_settle();
  IL_ENTER();
  int fl = fcntl(fd, F_GETFL);
  struct pollfd p = {.fd = fd, .events = events};
  int ready = fl < 0 || (fl & O_NONBLOCK) || il_real.poll(&p, 1, 0) != 0;
  IL_LEAVE();
  if (ready) return;
  il_wait_ready(op, &p, 1, -1, pc);
}

#define IO_WRAP(ret, name, proto, args, fd, events, op)       \
  IL_EXPORT ret name proto {                                  \
    static ret (*real) proto;                                 \
    if (!real) real = il_sym(#name, NULL);                    \
    if (il_controlled()) before_blocking(fd, events, op, IL_CALLER); \
    return real args;                                         \
  }

/* read: also serves /dev/urandom descriptors from the execution's stream
 * (i_random.c).  __read_chk is _FORTIFY_SOURCE's read. */
IL_EXPORT ssize_t read(int fd, void *b, size_t n) {
  static ssize_t (*real)(int, void *, size_t);
  if (!real) real = il_sym("read", NULL);
  if (il_controlled()) {
    if (il_random_fd(fd)) return il_random_read(b, n);
    before_blocking(fd, POLLIN, IL_OP_IO_READ, IL_CALLER);
    int k = il_signalfd(fd);
    if (k >= 0) return il_signalfd_read(k, b, n);
  }
  return real(fd, b, n);
}
IL_EXPORT ssize_t __read_chk(int fd, void *b, size_t n, size_t buflen) {
  static ssize_t (*real)(int, void *, size_t, size_t);
  if (!real) real = il_sym("__read_chk", NULL);
  if (il_controlled() && n <= buflen) {
    if (il_random_fd(fd)) return il_random_read(b, n);
    before_blocking(fd, POLLIN, IL_OP_IO_READ, IL_CALLER);
  }
  return real(fd, b, n, buflen);
}
IO_WRAP(ssize_t, readv, (int fd, const struct iovec *v, int n), (fd, v, n), fd, POLLIN, IL_OP_IO_READ)
IO_WRAP(ssize_t, recv, (int fd, void *b, size_t n, int f), (fd, b, n, f), fd, POLLIN, IL_OP_IO_READ)
IO_WRAP(ssize_t, recvfrom, (int fd, void *b, size_t n, int f, struct sockaddr *a, socklen_t *l),
        (fd, b, n, f, a, l), fd, POLLIN, IL_OP_IO_READ)
IO_WRAP(ssize_t, recvmsg, (int fd, struct msghdr *m, int f), (fd, m, f), fd, POLLIN, IL_OP_IO_READ)
IO_WRAP(ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n), fd, POLLOUT, IL_OP_IO_WRITE)
IO_WRAP(ssize_t, writev, (int fd, const struct iovec *v, int n), (fd, v, n), fd, POLLOUT, IL_OP_IO_WRITE)
IO_WRAP(ssize_t, send, (int fd, const void *b, size_t n, int f), (fd, b, n, f), fd, POLLOUT, IL_OP_IO_WRITE)
IO_WRAP(ssize_t, sendto, (int fd, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l),
        (fd, b, n, f, a, l), fd, POLLOUT, IL_OP_IO_WRITE)
IO_WRAP(ssize_t, sendmsg, (int fd, const struct msghdr *m, int f), (fd, m, f), fd, POLLOUT, IL_OP_IO_WRITE)
IO_WRAP(int, accept, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l), fd, POLLIN, IL_OP_IO_ACCEPT)
IO_WRAP(int, accept4, (int fd, struct sockaddr *a, socklen_t *l, int f), (fd, a, l, f), fd, POLLIN, IL_OP_IO_ACCEPT)

/* ---- stdio input ----
 * stdio reads through libc's internal read, which no interposer sees: a
 * thread in fgets() on a pipe whose writer is another thread of the
 * program (or a child that waits for that thread) would block for real
 * while holding the baton.  So the usual input calls first look at the
 * stream: if its buffer is empty and its descriptor would block, the
 * thread waits at a scheduling point until it is readable, as read()
 * does; the real call then finds data.  Only the first refill of a call
 * is covered: a line that arrives in pieces from another thread can still
 * block in the middle (a limit; docs/design.md). */
#include <stdio.h>
static void stdio_wait(FILE *f, uint64_t pc) {
  if (!f || f->_IO_read_ptr < f->_IO_read_end) return; /* buffered: no read */
  int fd = f->_fileno; /* -1: a cookie or memory stream */
  if (fd < 0 || il_random_fd(fd)) return;
  before_blocking(fd, POLLIN, IL_OP_IO_READ, pc);
}
#define STDIO_WRAP(ret, name, proto, args, f)               \
  IL_EXPORT ret name proto {                                \
    static ret (*real) proto;                               \
    if (!real) real = il_sym(#name, NULL);                  \
    if (il_controlled()) stdio_wait(f, IL_CALLER);          \
    return real args;                                       \
  }
STDIO_WRAP(char *, fgets, (char *s, int n, FILE *f), (s, n, f), f)
STDIO_WRAP(int, fgetc, (FILE *f), (f), f)
STDIO_WRAP(int, getc, (FILE *f), (f), f)
STDIO_WRAP(size_t, fread, (void *p, size_t s, size_t n, FILE *f), (p, s, n, f), f)
STDIO_WRAP(ssize_t, getline, (char **l, size_t *n, FILE *f), (l, n, f), f)
STDIO_WRAP(ssize_t, getdelim, (char **l, size_t *n, int d, FILE *f), (l, n, d, f), f)
STDIO_WRAP(char *, __fgets_chk, (char *s, size_t sz, int n, FILE *f), (s, sz, n, f), f)
STDIO_WRAP(size_t, __fread_chk, (void *p, size_t b, size_t s, size_t n, FILE *f), (p, b, s, n, f), f)
