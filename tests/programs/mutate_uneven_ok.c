/* mutate_uneven_ok: a correct program whose executions take very
 * different wall times: a thread that takes a lock first under some
 * orders burns 10 ms of CPU (no scheduling point).  With -j 3, fast
 * executions then finish before a slow one with a lower index;
 * --strategy mutate must still plan every execution from the same earlier
 * ones (tests/run.sh strategies: the same plan digest, corpus and pairs
 * with -j 1 and -j 3).  Three worker functions, so that the lock orders
 * between them are distinct conflict pairs.  Expected: no bug. */
#include <pthread.h>
#include <time.h>

static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER, m2 = PTHREAD_MUTEX_INITIALIZER;
static int n1, n2;

static void burn(void) {
  struct timespec a, b;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
  do clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
  while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 10000000L);
}

#define WORKER(name, id)                          \
  static void *name(void *arg) {                  \
    (void)arg;                                    \
    pthread_mutex_lock(&m1);                      \
    int first = n1++ == 0;                        \
    pthread_mutex_unlock(&m1);                    \
    pthread_mutex_lock(&m2);                      \
    int second = n2++ == 1;                       \
    pthread_mutex_unlock(&m2);                    \
    if (first && second && id == 2) burn();       \
    return NULL;                                  \
  }
WORKER(w1, 1)
WORKER(w2, 2)
WORKER(w3, 3)

int main(void) {
  pthread_t t[3];
  pthread_create(&t[0], NULL, w1, NULL);
  pthread_create(&t[1], NULL, w2, NULL);
  pthread_create(&t[2], NULL, w3, NULL);
  for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
  return 0;
}
