/* Both orders of inner_a and inner_b, but always under gate_mu: the inner
 * inversion can never deadlock, and must not be reported. */
#include <pthread.h>

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner_b = PTHREAD_MUTEX_INITIALIZER;
static int shared;

static void *ab(void *arg) {
  (void)arg;
  pthread_mutex_lock(&gate_mu);
  pthread_mutex_lock(&inner_a);
  pthread_mutex_lock(&inner_b);
  shared++;
  pthread_mutex_unlock(&inner_b);
  pthread_mutex_unlock(&inner_a);
  pthread_mutex_unlock(&gate_mu);
  return NULL;
}
static void *ba(void *arg) {
  (void)arg;
  pthread_mutex_lock(&gate_mu);
  pthread_mutex_lock(&inner_b);
  pthread_mutex_lock(&inner_a);
  shared++;
  pthread_mutex_unlock(&inner_a);
  pthread_mutex_unlock(&inner_b);
  pthread_mutex_unlock(&gate_mu);
  return NULL;
}

int main(void) {
  pthread_t t1, t2;
  pthread_create(&t1, NULL, ab, NULL);
  pthread_create(&t2, NULL, ba, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  return shared == 2 ? 0 : 1;
}
