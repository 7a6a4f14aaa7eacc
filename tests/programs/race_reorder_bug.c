/* reorder_bug: SCTBench's CS reorder pattern.  Setter threads write
 * `a = 1; b = -1;`; a checker reads a and b and asserts they are seen
 * either both before or both after a setter's writes.  The window is
 * between two plain stores: only an instrumented build (interleave cc),
 * whose shared loads and stores are scheduling points, can put the
 * checker there.  Run with --no-race, the program's own assertion must
 * be what is found, not only the data race.  Expected: assertion. */
#include <assert.h>
#include <pthread.h>

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
  pthread_t s[2], c;
  pthread_create(&s[0], NULL, setter, NULL);
  pthread_create(&s[1], NULL, setter, NULL);
  pthread_create(&c, NULL, checker, NULL);
  for (int i = 0; i < 2; i++) pthread_join(s[i], NULL);
  pthread_join(c, NULL);
  return 0;
}
