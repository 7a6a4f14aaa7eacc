/* signal_selfpipe_ok: a SIGUSR1 handler writes a byte to a self-pipe (the
 * classic way to turn a signal into an event-loop wake-up); the loop
 * thread poll()s the pipe and returns once it has read that byte.  Another
 * thread sends SIGUSR1 to the loop thread with pthread_kill.  The handler
 * only calls write(), which is async-signal-safe.  Correct.
 * Expected: no report.
 */
#include <assert.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

static int pipefd[2];
static pthread_t loop_thread;
static volatile sig_atomic_t handled;

static void on_usr1(int s) {
  (void)s;
  handled++;
  char c = 's';
  if (write(pipefd[1], &c, 1) != 1) { /* nothing to do in a handler */ }
}

static void *loop(void *arg) {
  (void)arg;
  for (;;) {
    struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
    if (poll(&p, 1, -1) != 1) continue;
    char c;
    if (read(pipefd[0], &c, 1) == 1 && c == 's') return NULL;
  }
}

static void *sender(void *arg) {
  (void)arg;
  pthread_kill(loop_thread, SIGUSR1);
  return NULL;
}

int main(void) {
  if (pipe(pipefd)) return 2;
  struct sigaction sa = {0};
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  pthread_create(&loop_thread, NULL, loop, NULL);
  pthread_t s;
  pthread_create(&s, NULL, sender, NULL);
  pthread_join(s, NULL);
  pthread_join(loop_thread, NULL);
  assert(handled == 1);
  return 0;
}
