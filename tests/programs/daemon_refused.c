/* daemon_refused: daemon(3) while another thread is alive.  The daemon
 * child would keep only the calling thread (glibc forks inside daemon(),
 * past any fork() wrapper), so the execution must stop with a clear
 * refusal (exit 2 naming daemon), never a verdict over a copy that lost
 * its threads.  daemon() with no other thread alive is followed instead
 * (daemon_ok).  Expected: error, message "daemon". */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go;

static void *worker(void *arg) {
  pthread_mutex_lock(&mu);
  while (!go) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  return arg;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  if (daemon(1, 1) != 0) return 1;
  pthread_mutex_lock(&mu);
  go = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
  pthread_join(t, NULL);
  return 0;
}
