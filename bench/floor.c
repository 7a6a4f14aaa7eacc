/* bench/floor.c RUNS THREADS HANDOFFS: the hardware floor for one
 * execution of a THREADS-thread program with HANDOFFS scheduling points:
 * fork a child (pinned to CPU 0, like interleave's executions) that creates
 * THREADS threads, passes a baton around them HANDOFFS times with a raw
 * futex, joins them and exits; the parent waits.  Prints executions/s. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static _Atomic unsigned turn;
static int nthreads, handoffs;
static _Atomic int done;

static void *runner(void *arg) {
  unsigned me = (unsigned)(long)arg;
  for (;;) {
    unsigned t;
    while ((t = atomic_load(&turn)) != me && !atomic_load(&done))
      syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, t, NULL, NULL, 0);
    if (atomic_load(&done)) return NULL;
    static int count;
    if (++count >= handoffs) {
      atomic_store(&done, 1);
      syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1 << 30, NULL, NULL, 0);
      return NULL;
    }
    atomic_store(&turn, (me + 1) % (unsigned)nthreads);
    syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1 << 30, NULL, NULL, 0);
  }
}

int main(int argc, char **argv) {
  int runs = argc > 1 ? atoi(argv[1]) : 1000;
  nthreads = argc > 2 ? atoi(argv[2]) : 2;
  handoffs = argc > 3 ? atoi(argv[3]) : 10;
  cpu_set_t cs;
  CPU_ZERO(&cs);
  CPU_SET(0, &cs);
  sched_setaffinity(0, sizeof cs, &cs);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int r = 0; r < runs; r++) {
    pid_t p = fork();
    if (p == 0) {
      pthread_t t[256];
      for (int i = 0; i < nthreads; i++) pthread_create(&t[i], NULL, runner, (void *)(long)i);
      for (int i = 0; i < nthreads; i++) pthread_join(t[i], NULL);
      _exit(0);
    }
    int st;
    waitpid(p, &st, 0);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  printf("%.0f\n", runs / s);
  return 0;
}
