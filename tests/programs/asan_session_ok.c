/* asan_uaf_bug fixed (built with -fsanitize=address): the session is
 * used under the lock that guards its lifetime, and the heap is busy
 * (each thread allocates, shares and frees blocks), so ASan has plenty
 * to check and must find nothing. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct session { int id, hits; char *log; };
static struct session *cur;
static pthread_mutex_t session_mu = PTHREAD_MUTEX_INITIALIZER;

static void *reader(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) {
    char *note = malloc(16);
    strcpy(note, "lookup");
    pthread_mutex_lock(&session_mu);
    if (cur) {
      cur->hits++;
      memcpy(cur->log, note, 7);
    }
    pthread_mutex_unlock(&session_mu);
    free(note);
  }
  return NULL;
}

static void *closer(void *arg) {
  (void)arg;
  pthread_mutex_lock(&session_mu);
  struct session *s = cur;
  cur = NULL;
  pthread_mutex_unlock(&session_mu);
  if (s) { free(s->log); free(s); }
  return NULL;
}

int main(void) {
  cur = calloc(1, sizeof *cur);
  cur->log = calloc(1, 16);
  pthread_t t[3];
  pthread_create(&t[0], NULL, reader, NULL);
  pthread_create(&t[1], NULL, reader, NULL);
  pthread_create(&t[2], NULL, closer, NULL);
  for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
  return 0;
}
