/* unrepro_marker: a failure that depends on something outside the schedule.
 *
 * The program fails (an assertion) only if the marker file named by its
 * argument does not exist yet, and creates it: the first execution fails,
 * and every re-run of its schedule passes.  Not a concurrency bug at all;
 * it stands for a program whose failure depends on a file, the process id
 * or the environment.  interleave must say the failure did not reproduce
 * (exit 3), not print the passing re-run under a bug's headline.
 * Run by tests/run.sh with a fresh marker path (no .expect file).
 */
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int first_time;

static void *check(void *arg) {
  const char *marker = arg;
  pthread_mutex_lock(&mu);
  int fd = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd >= 0) { first_time = 1; close(fd); }
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  pthread_t t;
  pthread_create(&t, NULL, check, argv[1]);
  pthread_join(t, NULL);
  assert(!first_time && "the marker file was missing");
  return 0;
}
