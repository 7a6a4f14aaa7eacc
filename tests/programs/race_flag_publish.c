/* Message passing through a plain (non-atomic) ready flag: the consumer
 * polls `ready` with sleeps and reads `payload`; nothing orders the
 * producer's write of payload before the consumer's read. */
#include <pthread.h>
#include <unistd.h>

static int payload;
static int ready;

static void *producer(void *arg) {
  (void)arg;
  payload = 42;
  ready = 1;
  return NULL;
}
static void *consumer(void *arg) {
  (void)arg;
  while (!ready) usleep(1000);
  return (void *)(long)payload;
}
int main(void) {
  pthread_t p, c;
  pthread_create(&c, NULL, consumer, NULL);
  pthread_create(&p, NULL, producer, NULL);
  pthread_join(p, NULL);
  pthread_join(c, NULL);
  return 0;
}
