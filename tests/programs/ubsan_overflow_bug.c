/* A signed overflow that needs a race (built with -fsanitize=undefined):
 * two threads each check that the budget has room, then, after logging
 * under a lock, add to it; when both pass the check first, the second
 * addition overflows INT_MAX.  UBSan's report is the verdict. */
#include <limits.h>
#include <pthread.h>

static int budget = INT_MAX - 1;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int logged;

static void *grow(void *arg) {
  (void)arg;
  if (budget < INT_MAX) {         /* check... */
    pthread_mutex_lock(&log_mu);
    logged++;
    pthread_mutex_unlock(&log_mu);
    budget++;                     /* ...then act */
  }
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, grow, NULL);
  pthread_create(&b, NULL, grow, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
