/* Creates 600 short-lived threads one after another: more than the 512 an
 * execution can track.  interleave must say the executions were incomplete
 * (a warning and the final line), never report a bug or "no bug" silently.
 * tests/run.sh checks the wording. */
#include <pthread.h>

static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;
static int count;

static void *tick(void *arg) {
  (void)arg;
  pthread_mutex_lock(&count_mu);
  count++;
  pthread_mutex_unlock(&count_mu);
  return NULL;
}

int main(void) {
  for (int i = 0; i < 600; i++) {
    pthread_t t;
    pthread_create(&t, NULL, tick, NULL);
    pthread_join(t, NULL);
  }
  return count == 600 ? 0 : 1;
}
