/* forks: a threaded program that calls fork().
 *
 * The tool does not support fork (the child would inherit a serialized
 * runtime with one thread).  It must refuse the program with a message
 * naming fork, rather than misbehave.
 *
 * Expected under the tool: error (exit 2), output mentions "fork".
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t counter_mu = PTHREAD_MUTEX_INITIALIZER;
static int counter;

static void *helper_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&counter_mu);
    counter++;
    pthread_mutex_unlock(&counter_mu);
    return NULL;
}

int main(void)
{
    pthread_t helper;
    pthread_create(&helper, NULL, helper_thread, NULL);
    pthread_join(helper, NULL);

    pid_t child = fork();
    assert(child >= 0);
    if (child == 0)
        _exit(0);
    int status;
    pid_t r = waitpid(child, &status, 0);
    assert(r == child);
    assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return counter == 1 ? 0 : 1;
}
