/* kvclient.c: a bounded client for a key-value server, run inside the
 * server's own process so that interleave controls both sides.
 *
 * Why in-process: under interleave the server is one execution of a forked
 * program, and readiness that arrives from outside the process while every
 * thread is blocked is not waited for (docs/design.md, limits).  A separate
 * client process races the server in real time, so schedules do not replay
 * (tried with memcached: "unreproducible stall", exit 3).  So this library
 * is preloaded next to libinterleave.so (LD_PRELOAD=build/real/
 * libkvclient.so; interleave puts its runtime first and keeps the rest) and
 * interposes listen(): the first time the server listens on a socket (in
 * main, so in every execution), the library starts a client thread with
 * pthread_create, which interleave controls like any thread of the program.
 * That thread starts KVCLIENT_CONNS connection threads; each connects to
 * the address the server listens on (getsockname), runs KVCLIENT_OPS
 * requests (set and get it back, a counter incremented, delete) and checks
 * every reply.  When they are done, the client thread asks the server to
 * shut down by its own protocol (memcached "shutdown", which needs -A;
 * redis "SHUTDOWN NOSAVE") and waits for EOF, so that the server's own exit
 * path (stopping its threads) runs under interleave too and the execution
 * ends with exit 0.  A wrong reply is abort(): interleave reports a crash.
 * A server that never exits leaves the client blocked in read(): a stall.
 *
 * Environment: KVCLIENT=memcached|redis (unset: the library does nothing),
 * KVCLIENT_CONNS (default 2), KVCLIENT_OPS (requests per connection,
 * default 10).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { MEMCACHED = 1, REDIS = 2 };
static int proto, conns = 2, ops = 10;
static struct sockaddr_storage addr;
static socklen_t addrlen;

static void die(const char *what, const char *detail) {
  fprintf(stderr, "kvclient: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  abort();
}

static int dial(void) {
  int fd = socket(addr.ss_family, SOCK_STREAM, 0);
  if (fd < 0) die("socket", strerror(errno));
  if (connect(fd, (struct sockaddr *)&addr, addrlen) != 0) die("connect", strerror(errno));
  return fd;
}

static void put(int fd, const char *s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die("write", strerror(errno));
    s += w;
    n -= (size_t)w;
  }
}

/* Read until the buffer ends with `tail` (the reply's last line), or EOF
 * when tail is NULL.  Returns the length read. */
static size_t get(int fd, char *buf, size_t cap, const char *tail) {
  size_t n = 0, tl = tail ? strlen(tail) : 0;
  for (;;) {
    if (tail && n >= tl && !memcmp(buf + n - tl, tail, tl)) break;
    if (n + 1 >= cap) die("reply too long", buf);
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("read", strerror(errno));
    if (r == 0) {
      if (tail) die("connection closed before the reply ended", NULL);
      break;
    }
    n += (size_t)r;
    buf[n] = 0;
  }
  buf[n] = 0;
  return n;
}

/* Read one reply: until it is as long as the wanted one, or differs from
 * it, and ends a line. */
static void expect(int fd, const char *want) {
  char buf[512];
  size_t n = 0, wl = strlen(want);
  for (;;) {
    int line = n >= 2 && buf[n - 2] == '\r' && buf[n - 1] == '\n';
    if (line && (n >= wl || memcmp(buf, want, n))) break;
    if (n + 1 >= sizeof buf) break;
    ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("read", strerror(errno));
    if (r == 0) die("connection closed before the reply ended", want);
    n += (size_t)r;
  }
  buf[n] = 0;
  if (strcmp(buf, want)) {
    char m[1200];
    snprintf(m, sizeof m, "wanted \"%s\", got \"%s\"", want, buf);
    die("wrong reply", m);
  }
}

static void session(int fd, int id) {
  char req[256], want[256];
  for (int i = 0; i < ops; i++) {
    char key[32], val[32];
    snprintf(key, sizeof key, "c%d-k%d", id, i % 4);
    snprintf(val, sizeof val, "v%d-%d", id, i);
    switch (i % 3) {
    case 0: /* set */
      if (proto == MEMCACHED) {
        snprintf(req, sizeof req, "set %s 0 0 %zu\r\n%s\r\n", key, strlen(val), val);
        snprintf(want, sizeof want, "STORED\r\n");
      } else {
        snprintf(req, sizeof req, "*3\r\n$3\r\nSET\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n", strlen(key), key,
                 strlen(val), val);
        snprintf(want, sizeof want, "+OK\r\n");
      }
      put(fd, req);
      expect(fd, want);
      /* and read it back */
      if (proto == MEMCACHED) {
        snprintf(req, sizeof req, "get %s\r\n", key);
        snprintf(want, sizeof want, "VALUE %s 0 %zu\r\n%s\r\nEND\r\n", key, strlen(val), val);
      } else {
        snprintf(req, sizeof req, "*2\r\n$3\r\nGET\r\n$%zu\r\n%s\r\n", strlen(key), key);
        snprintf(want, sizeof want, "$%zu\r\n%s\r\n", strlen(val), val);
      }
      put(fd, req);
      expect(fd, want);
      break;
    case 1: /* a counter of this connection's own: incr twice */
      snprintf(key, sizeof key, "c%d-n", id);
      if (i == 1) { /* the counter starts at 0 */
        if (proto == MEMCACHED)
          snprintf(req, sizeof req, "set %s 0 0 1\r\n0\r\n", key);
        else
          snprintf(req, sizeof req, "*3\r\n$3\r\nSET\r\n$%zu\r\n%s\r\n$1\r\n0\r\n", strlen(key), key);
        put(fd, req);
        expect(fd, proto == MEMCACHED ? "STORED\r\n" : "+OK\r\n");
      }
      if (proto == MEMCACHED) {
        snprintf(req, sizeof req, "incr %s 1\r\n", key);
        snprintf(want, sizeof want, "%d\r\n", i / 3 + 1);
      } else {
        snprintf(req, sizeof req, "*2\r\n$4\r\nINCR\r\n$%zu\r\n%s\r\n", strlen(key), key);
        snprintf(want, sizeof want, ":%d\r\n", i / 3 + 1);
      }
      put(fd, req);
      expect(fd, want);
      break;
    case 2: /* delete a key that may or may not exist */
      snprintf(key, sizeof key, "c%d-k%d", id, (i + 1) % 4);
      if (proto == MEMCACHED) {
        snprintf(req, sizeof req, "delete %s noreply\r\nget nosuchkey\r\n", key);
        put(fd, req);
        expect(fd, "END\r\n");
      } else {
        snprintf(req, sizeof req, "*2\r\n$6\r\nUNLINK\r\n$%zu\r\n%s\r\n", strlen(key), key);
        put(fd, req);
        char buf[64];
        get(fd, buf, sizeof buf, "\r\n");
        if (buf[0] != ':') die("wrong reply to UNLINK", buf);
      }
      break;
    }
  }
}

static void *conn_thread(void *arg) {
  int id = (int)(long)arg;
  int fd = dial();
  session(fd, id);
  close(fd);
  return NULL;
}

static void *client_thread(void *arg) {
  (void)arg;
  pthread_t t[16];
  int n = conns < 16 ? conns : 16;
  for (int i = 0; i < n; i++)
    if (pthread_create(&t[i], NULL, conn_thread, (void *)(long)i)) die("pthread_create", NULL);
  for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
  /* Every connection done: stop the server by its own protocol, and wait
   * for it to close the connection (the server then exits). */
  int fd = dial();
  char buf[256];
  if (proto == MEMCACHED) {
    put(fd, "shutdown\r\n");
  } else {
    put(fd, "*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n");
  }
  get(fd, buf, sizeof buf, NULL);
  if (buf[0]) die("unexpected reply to shutdown", buf);
  close(fd);
  return NULL;
}

int listen(int fd, int backlog) {
  static int (*real)(int, int);
  static int started;
  if (!real) real = (int (*)(int, int))dlsym(RTLD_NEXT, "listen");
  int r = real(fd, backlog);
  if (r != 0 || started || !proto) return r;
  addrlen = sizeof addr;
  if (getsockname(fd, (struct sockaddr *)&addr, &addrlen) != 0) return r;
  if (addr.ss_family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&addr;
    if (a->sin_addr.s_addr == htonl(INADDR_ANY)) a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  } else if (addr.ss_family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&addr;
    if (!memcmp(&a->sin6_addr, &in6addr_any, sizeof in6addr_any)) a->sin6_addr = in6addr_loopback;
  } else if (addr.ss_family != AF_UNIX) {
    return r;
  }
  started = 1;
  pthread_t t;
  if (pthread_create(&t, NULL, client_thread, NULL)) die("pthread_create", NULL);
  pthread_detach(t);
  return r;
}

__attribute__((constructor)) static void kvclient_init(void) {
  const char *p = getenv("KVCLIENT");
  if (!p) return;
  if (!strcmp(p, "memcached")) proto = MEMCACHED;
  else if (!strcmp(p, "redis")) proto = REDIS;
  else return;
  const char *c = getenv("KVCLIENT_CONNS"), *o = getenv("KVCLIENT_OPS");
  if (c && atoi(c) > 0) conns = atoi(c);
  if (o && atoi(o) > 0) ops = atoi(o);
}
