/* A worker holds registry_mu while it waits on a condition variable that
 * belongs to another mutex (job_mu), for a job posted 5 s later; a lookup
 * waits for registry_mu meanwhile.  Held across a blocking wait: report. */
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t job_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_cv = PTHREAD_COND_INITIALIZER;
static int job_ready, registry_size;

static void *worker_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&registry_mu);
  pthread_mutex_lock(&job_mu);
  while (!job_ready) pthread_cond_wait(&job_cv, &job_mu);
  pthread_mutex_unlock(&job_mu);
  registry_size++;
  pthread_mutex_unlock(&registry_mu);
  return NULL;
}

static void *lookup_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&registry_mu);
  int n = registry_size;
  pthread_mutex_unlock(&registry_mu);
  return (void *)(long)n;
}

static void *producer_thread(void *arg) {
  (void)arg;
  sleep(5);
  pthread_mutex_lock(&job_mu);
  job_ready = 1;
  pthread_cond_signal(&job_cv);
  pthread_mutex_unlock(&job_mu);
  return NULL;
}

int main(void) {
  pthread_t w, l, p;
  pthread_create(&w, NULL, worker_thread, NULL);
  pthread_create(&l, NULL, lookup_thread, NULL);
  pthread_create(&p, NULL, producer_thread, NULL);
  pthread_join(w, NULL);
  pthread_join(l, NULL);
  pthread_join(p, NULL);
  return 0;
}
