/* shutdown_job_lost_bug: a job accepted during SIGTERM shutdown and never
 * processed.
 *
 * A signal thread takes SIGTERM (sigwait) and starts the shutdown: it sets
 * `stopping` and wakes the worker, which drains the queue and exits.  The
 * acceptor takes jobs; it checks `stopping`, then (BUG) enqueues in a
 * second critical section: if the shutdown ran in between, the job sits in
 * the queue after the worker is gone.  main asserts at the end that every
 * accepted job was processed.  No kill() in the program: the SIGTERM comes
 * from outside, which tests/run.sh asks for with --signal SIGTERM (and
 * without a signal the program finishes normally; it ends by itself after
 * accepting 4 jobs, telling the signal thread with pthread_kill).
 * Expected (with --signal SIGTERM): assertion failure.
 */
#include <assert.h>
#include <pthread.h>
#include <signal.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int queued, accepted, processed, stopping, worker_gone; /* protected by mu */
static pthread_t sig_thread;

static void *signal_thread(void *arg) {
  sigset_t *set = arg;
  int sig;
  sigwait(set, &sig); /* SIGTERM from outside, or SIGUSR1: normal end */
  pthread_mutex_lock(&mu);
  stopping = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void *worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  for (;;) {
    while (!queued && !stopping) pthread_cond_wait(&cv, &mu);
    if (queued) { queued--; processed++; continue; }
    break; /* stopping and the queue is empty */
  }
  worker_gone = 1;
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void *acceptor(void *arg) {
  (void)arg;
  for (int i = 0; i < 4; i++) {
    pthread_mutex_lock(&mu);
    int stop = stopping;
    pthread_mutex_unlock(&mu);
    if (stop) break;
    /* BUG: the check above and the enqueue below are two critical sections. */
    pthread_mutex_lock(&mu);
    queued++;
    accepted++;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

#ifdef SELF_KILL
/* shutdown_job_lost_kill: an operator thread in the program sends the
 * SIGTERM with kill() instead. */
#include <unistd.h>
static void *operator_thread(void *arg) {
  (void)arg;
  kill(getpid(), SIGTERM);
  return NULL;
}
#endif

int main(void) {
  static sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  pthread_t w, a;
  pthread_create(&sig_thread, NULL, signal_thread, &set);
  pthread_create(&w, NULL, worker, NULL);
  pthread_create(&a, NULL, acceptor, NULL);
#ifdef SELF_KILL
  pthread_t op;
  pthread_create(&op, NULL, operator_thread, NULL);
  pthread_join(op, NULL);
#endif
  pthread_join(a, NULL);
  pthread_kill(sig_thread, SIGUSR1); /* done accepting: shut down normally */
  pthread_join(sig_thread, NULL);
  pthread_join(w, NULL);
  assert(processed == accepted && "a job was accepted during shutdown and never processed");
  return 0;
}
