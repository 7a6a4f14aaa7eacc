/* The same accesses as race_counter and race_handler_list, correctly
 * synchronized: a mutex, a rwlock, a semaphore handoff, a condition
 * variable with a predicate, and data written before create / read after
 * join.  No race in any interleaving. */
#include <pthread.h>
#include <semaphore.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static sem_t handoff;
static long counter, table, mailbox, before_create, after_work[2];
static int posted;

static void *worker(void *arg) {
  int id = (int)(long)arg;
  long b = before_create; /* written before pthread_create */
  pthread_mutex_lock(&mu);
  counter += b;
  pthread_mutex_unlock(&mu);
  pthread_rwlock_rdlock(&rw);
  long t = table;
  pthread_rwlock_unlock(&rw);
  sem_wait(&handoff);
  long m = mailbox; /* written before sem_post */
  pthread_mutex_lock(&mu);
  while (!posted) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  after_work[id] = t + m; /* read by main after join */
  return NULL;
}

int main(void) {
  sem_init(&handoff, 0, 0);
  before_create = 1;
  pthread_t w[2];
  for (int i = 0; i < 2; i++) pthread_create(&w[i], NULL, worker, (void *)(long)i);
  pthread_rwlock_wrlock(&rw);
  table = 5;
  pthread_rwlock_unlock(&rw);
  mailbox = 7;
  sem_post(&handoff);
  sem_post(&handoff);
  pthread_mutex_lock(&mu);
  posted = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  for (int i = 0; i < 2; i++) pthread_join(w[i], NULL);
  /* table may be read before or after main writes it: 7 or 12 */
  for (int i = 0; i < 2; i++)
    if (after_work[i] != 7 && after_work[i] != 12) return 1;
  return counter == 2 ? 0 : 1;
}
