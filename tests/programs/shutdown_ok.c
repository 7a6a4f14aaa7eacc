/* shutdown_ok: shutdown_job_lost_bug fixed.  The acceptor checks `stopping`
 * and enqueues in one critical section, so a job is accepted only before
 * the shutdown began, and the worker drains every accepted job before it
 * exits.  Run with --signal SIGTERM (the SIGTERM from outside at a step the
 * strategy draws): no job is ever lost.  Expected: no report.
 */
#include <assert.h>
#include <pthread.h>
#include <signal.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int queued, accepted, processed, stopping; /* protected by mu */
static pthread_t sig_thread;

static void *signal_thread(void *arg) {
  sigset_t *set = arg;
  int sig;
  sigwait(set, &sig);
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
    break;
  }
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void *acceptor(void *arg) {
  (void)arg;
  for (int i = 0; i < 4; i++) {
    pthread_mutex_lock(&mu);
    int stop = stopping;
    if (!stop) { queued++; accepted++; pthread_cond_signal(&cv); }
    pthread_mutex_unlock(&mu);
    if (stop) break;
  }
  return NULL;
}

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
  pthread_join(a, NULL);
  pthread_kill(sig_thread, SIGUSR1);
  pthread_join(sig_thread, NULL);
  pthread_join(w, NULL);
  assert(processed == accepted);
  return 0;
}
