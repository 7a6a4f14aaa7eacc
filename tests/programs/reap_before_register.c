/* reap_before_register: a supervisor starts a job as a child process and
 * then records it in its job table; a reaper thread waits for any child
 * and looks the pid up to mark the job done.  If the child exits and is
 * reaped before the supervisor has recorded it, the reaper finds no job
 * (the classic SIGCHLD/registration race).  Expected: assertion failure. */
#include <assert.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pid_t jobs[4];
static int njobs, done;

static void *reaper(void *arg) {
  (void)arg;
  int st;
  pid_t pid;
  while ((pid = waitpid(-1, &st, 0)) < 0) usleep(1000); /* no child yet */
  pthread_mutex_lock(&mu);
  int found = 0;
  for (int i = 0; i < njobs; i++) found |= jobs[i] == pid;
  assert(found && "child reaped before it was registered");
  done++;
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  pthread_t r;
  pthread_create(&r, NULL, reaper, NULL);
  char *argv[] = {"true", NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
  assert(rc == 0);
  pthread_mutex_lock(&mu);
  jobs[njobs++] = pid; /* too late if the reaper already took it */
  pthread_mutex_unlock(&mu);
  pthread_join(r, NULL);
  return done == 1 ? 0 : 1;
}
