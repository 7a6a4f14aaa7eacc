/* An emitter iterates its handler list without the lock that on() holds
 * while appending (seed 003's unsynchronized read): a data race. */
#include <pthread.h>

typedef void (*handler_fn)(int);
static pthread_mutex_t handlers_mu = PTHREAD_MUTEX_INITIALIZER;
static handler_fn handlers[4];
static int handler_count;
static int delivered;

static void on_connected(int ev) { delivered += ev; }

static void emitter_on(handler_fn h) {
  pthread_mutex_lock(&handlers_mu);
  handlers[handler_count] = h;
  handler_count++;
  pthread_mutex_unlock(&handlers_mu);
}
static void emitter_emit(int ev) {
  for (int i = 0; i < handler_count; i++) handlers[i](ev); /* no lock */
}
static void *io_thread(void *arg) {
  (void)arg;
  emitter_emit(1);
  return NULL;
}
int main(void) {
  pthread_t io;
  pthread_create(&io, NULL, io_thread, NULL);
  emitter_on(on_connected);
  pthread_join(io, NULL);
  return 0;
}
