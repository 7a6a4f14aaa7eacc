/* Three threads always take outer_mu before inner_mu, and a reader takes a
 * read lock inside and outside a mutex in both orders (a reader-preferring
 * rwlock cannot deadlock readers against each other): no report. */
#include <pthread.h>

static pthread_mutex_t outer_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t table_rw = PTHREAD_RWLOCK_INITIALIZER;
static int value;

static void *ordered(void *arg) {
  (void)arg;
  pthread_mutex_lock(&outer_mu);
  pthread_mutex_lock(&inner_mu);
  value++;
  pthread_mutex_unlock(&inner_mu);
  pthread_mutex_unlock(&outer_mu);
  return NULL;
}
static void *reader_then_mutex(void *arg) {
  (void)arg;
  pthread_rwlock_rdlock(&table_rw);
  pthread_mutex_lock(&inner_mu);
  value++;
  pthread_mutex_unlock(&inner_mu);
  pthread_rwlock_unlock(&table_rw);
  return NULL;
}
static void *mutex_then_reader(void *arg) {
  (void)arg;
  pthread_mutex_lock(&inner_mu);
  pthread_rwlock_rdlock(&table_rw);
  value++;
  pthread_rwlock_unlock(&table_rw);
  pthread_mutex_unlock(&inner_mu);
  return NULL;
}

int main(void) {
  pthread_t t[4];
  pthread_create(&t[0], NULL, ordered, NULL);
  pthread_create(&t[1], NULL, ordered, NULL);
  pthread_create(&t[2], NULL, reader_then_mutex, NULL);
  pthread_create(&t[3], NULL, mutex_then_reader, NULL);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  return value == 4 ? 0 : 1;
}
