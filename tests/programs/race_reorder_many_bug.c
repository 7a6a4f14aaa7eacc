/* race_reorder_many_bug: SCTBench's CS reorder_10 pattern (interleave cc
 * build).  Nine setters write `a = 1; b = -1;`, a checker created last
 * reads a and b; it fails if it sees a setter's first store but no
 * setter's second one.  With nine setters, random priorities rarely keep
 * every one of them between its two stores; race direction does: the
 * race (a setter's store to b, the checker's load of b) is seen, and a
 * directed execution holds every thread at that store until the checker
 * loaded b.  Run with --no-race: the program's own assertion must be what
 * is found.  Expected: assertion, with --strategy mutate. */
#include <assert.h>
#include <pthread.h>

#define SETTERS 9

static int a, b;

static void *setter(void *arg) {
  (void)arg;
  a = 1;
  b = -1;
  return NULL;
}

static void *checker(void *arg) {
  (void)arg;
  int x = a, y = b;
  assert(((x == 0 && y == 0) || (x == 1 && y == -1)) && "a and b seen half-updated");
  return NULL;
}

int main(void) {
  pthread_t s[SETTERS], c;
  for (int i = 0; i < SETTERS; i++) pthread_create(&s[i], NULL, setter, NULL);
  pthread_create(&c, NULL, checker, NULL);
  for (int i = 0; i < SETTERS; i++) pthread_join(s[i], NULL);
  pthread_join(c, NULL);
  return 0;
}
