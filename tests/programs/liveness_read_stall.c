/* A reader blocks in read() on a pipe whose writer returned early on an
 * error path without writing or closing it, while a heartbeat thread keeps
 * ticking (for 10 minutes).  The reader can never run again: a stall,
 * named at its read(). */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static int feed[2];
static pthread_mutex_t state_mu = PTHREAD_MUTEX_INITIALIZER;
static int stopping;

static void *reader_thread(void *arg) {
  (void)arg;
  char c;
  ssize_t n = read(feed[0], &c, 1);
  pthread_mutex_lock(&state_mu);
  stopping = 1;
  pthread_mutex_unlock(&state_mu);
  return (void *)n;
}
static void *writer_thread(void *arg) {
  (void)arg;
  int config_ok = 0; /* the error path: nothing is written, the pipe stays open */
  if (!config_ok) return NULL;
  if (write(feed[1], "x", 1) != 1) return NULL;
  return NULL;
}
static void *heartbeat_thread(void *arg) {
  (void)arg;
  struct timespec tick = {0, 100 * 1000 * 1000};
  for (int i = 0; i < 6000; i++) {
    pthread_mutex_lock(&state_mu);
    int s = stopping;
    pthread_mutex_unlock(&state_mu);
    if (s) break;
    nanosleep(&tick, NULL);
  }
  return NULL;
}
int main(void) {
  if (pipe(feed)) return 2;
  pthread_t r, w, h;
  pthread_create(&h, NULL, heartbeat_thread, NULL);
  pthread_create(&r, NULL, reader_thread, NULL);
  pthread_create(&w, NULL, writer_thread, NULL);
  pthread_join(w, NULL);
  pthread_join(r, NULL);
  pthread_join(h, NULL);
  return 0;
}
