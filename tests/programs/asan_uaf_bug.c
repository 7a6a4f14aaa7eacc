/* A use-after-free that needs a race (built with -fsanitize=address):
 * the reader checks the current session under the session lock, lets go
 * of it, counts the lookup under a second lock, and only then uses the
 * session; the closer can unpublish and free it in between.  A plain
 * build rarely crashes (the freed block is still mapped); ASan names it. */
#include <pthread.h>
#include <stdlib.h>

struct session { int id, hits; };
static struct session *cur;
static pthread_mutex_t session_mu = PTHREAD_MUTEX_INITIALIZER, stats_mu = PTHREAD_MUTEX_INITIALIZER;
static int lookups;

static void *reader(void *arg) {
  (void)arg;
  pthread_mutex_lock(&session_mu);
  struct session *s = cur;             /* check... */
  pthread_mutex_unlock(&session_mu);
  if (s) {
    pthread_mutex_lock(&stats_mu);
    lookups++;
    pthread_mutex_unlock(&stats_mu);
    s->hits++;                         /* ...then act, without the lock */
  }
  return NULL;
}

static void *closer(void *arg) {
  (void)arg;
  pthread_mutex_lock(&session_mu);
  struct session *s = cur;
  cur = NULL;
  pthread_mutex_unlock(&session_mu);
  free(s);
  return NULL;
}

int main(void) {
  cur = calloc(1, sizeof *cur);
  pthread_t a, b;
  pthread_create(&a, NULL, reader, NULL);
  pthread_create(&b, NULL, closer, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
