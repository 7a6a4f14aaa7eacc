/* A session thread holds session_mu while it blocks in read() on the pipe
 * from its agent, which answers after a 3 s computation; a status request
 * waits for session_mu meanwhile.  A lock held across blocking I/O (the
 * shape of seed 002 with a real pipe instead of a sleep): report. */
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t session_mu = PTHREAD_MUTEX_INITIALIZER;
static int agent_pipe[2];
static char reply;

static void *session_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&session_mu);
  if (read(agent_pipe[0], &reply, 1) != 1) reply = '?'; /* blocks until the agent answers */
  pthread_mutex_unlock(&session_mu);
  return NULL;
}
static void *agent_thread(void *arg) {
  (void)arg;
  sleep(3);
  if (write(agent_pipe[1], "y", 1) != 1) return NULL;
  return NULL;
}
static void *status_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&session_mu);
  char r = reply;
  pthread_mutex_unlock(&session_mu);
  return (void *)(long)r;
}
int main(void) {
  if (pipe(agent_pipe)) return 2;
  pthread_t s, a, q;
  pthread_create(&s, NULL, session_thread, NULL);
  pthread_create(&a, NULL, agent_thread, NULL);
  pthread_create(&q, NULL, status_thread, NULL);
  pthread_join(s, NULL);
  pthread_join(a, NULL);
  pthread_join(q, NULL);
  return 0;
}
