/* daemon_refused: daemon(3) forks inside glibc, past any fork() wrapper.
 * Until processes are controlled, the execution must stop before the child
 * exists, with a clear refusal (exit 2 naming daemon), never a verdict over
 * an uncontrolled copy.  Expected: error, message "daemon". */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *worker(void *arg) { return arg; }

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  if (daemon(1, 1) != 0) return 1;
  return 0;
}
