/* daemonize_ok: a server that daemonizes the classic way before it starts
 * its threads: fork, the parent exits, setsid, fork again, the first
 * child exits, and the grandchild (the daemon) runs the server: two
 * workers add to a counter under a mutex.  interleave follows the child
 * each time its parent exits, so the daemon is the program under test.
 * With -DUSE_DAEMON3 it calls daemon(3) instead; with -DBUG the workers
 * update the counter in two critical sections (daemonize_bug).
 * Expected: no report. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int counter;

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 2; i++) {
#ifdef BUG
    pthread_mutex_lock(&mu);
    int v = counter;
    pthread_mutex_unlock(&mu);
    pthread_mutex_lock(&mu);
    counter = v + 1;
    pthread_mutex_unlock(&mu);
#else
    pthread_mutex_lock(&mu);
    counter++;
    pthread_mutex_unlock(&mu);
#endif
  }
  return NULL;
}

static void daemonize(void) {
#ifdef USE_DAEMON3
  if (daemon(1, 1) != 0) exit(1);
#else
  pid_t p = fork();
  if (p < 0) exit(1);
  if (p > 0) _exit(0); /* the parent returns to the shell */
  if (setsid() < 0) exit(1);
  p = fork();
  if (p < 0) exit(1);
  if (p > 0) exit(0); /* the session leader goes too */
#endif
}

int main(void) {
  daemonize();
  pthread_t a, b;
  pthread_create(&a, NULL, worker, NULL);
  pthread_create(&b, NULL, worker, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(counter == 4 && "the daemon lost an update");
  return 0;
}
