/* race_wild_crash: in an interleave cc build, a worker reads through a
 * pointer that another thread may already have freed and poisoned (set to
 * a wild address).  The crash must be reported at the program's own line,
 * not inside interleave's memory hook, which reads the value for spin
 * detection just before the program does.  Expected: crash, located in
 * race_wild_crash.c. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

static int value = 42;
static int *volatile shared = &value;

static void *reader(void *arg) {
  (void)arg;
  int v = *shared; /* BUG: may read through the poisoned pointer */
  printf("%d\n", v);
  return NULL;
}

static void *poisoner(void *arg) {
  (void)arg;
  shared = (int *)(uintptr_t)0x10; /* "freed": a wild address */
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, reader, NULL);
  pthread_create(&b, NULL, poisoner, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
