/* mutate_twostage_bug: SCTBench's CS twostage pattern, with locks only
 * (a plain build).  Each of 30 writers publishes stage 1 under one lock,
 * then stage 2 under another; the reader, created last, checks that
 * stage 2 is there once stage 1 is.  It fails only if every writer that
 * did stage 1 is still between its two critical sections when the reader
 * runs both of its own: random priorities (PCT, POS) almost never hold
 * back 30 threads at once.  --strategy mutate does: the pair (a writer's
 * lock of l2, the reader's lock of l2) is learned, and a directed
 * execution keeps writers at that lock until the reader took it.
 * Expected: assertion, with --strategy mutate, within a few dozen
 * executions (tests/run.sh strategies: pct+pos does not find it in as
 * many). */
#include <assert.h>
#include <pthread.h>

#define WRITERS 30

static pthread_mutex_t l1 = PTHREAD_MUTEX_INITIALIZER, l2 = PTHREAD_MUTEX_INITIALIZER;
static int stage1, stage2;

static void *writer(void *arg) {
  (void)arg;
  pthread_mutex_lock(&l1);
  stage1 = 1;
  pthread_mutex_unlock(&l1);
  pthread_mutex_lock(&l2);
  stage2 = stage1 + 1;
  pthread_mutex_unlock(&l2);
  return NULL;
}

static void *reader(void *arg) {
  (void)arg;
  pthread_mutex_lock(&l1);
  int s1 = stage1;
  pthread_mutex_unlock(&l1);
  if (!s1) return NULL;
  pthread_mutex_lock(&l2);
  int s2 = stage2;
  pthread_mutex_unlock(&l2);
  assert(s2 == s1 + 1 && "stage 1 published without stage 2");
  return NULL;
}

int main(void) {
  pthread_t w[WRITERS], r;
  for (int i = 0; i < WRITERS; i++) pthread_create(&w[i], NULL, writer, NULL);
  pthread_create(&r, NULL, reader, NULL);
  for (int i = 0; i < WRITERS; i++) pthread_join(w[i], NULL);
  pthread_join(r, NULL);
  return 0;
}
