/* forks: a threaded program that calls fork() once its helper thread is
 * gone, and waits for the child.  The child runs outside the scheduler
 * (it only _exits); its exit is an event the parent's waitpid sees once
 * the child has really ended.  Expected: no report. */
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
        _exit(7);
    int status;
    pid_t r = waitpid(child, &status, 0);
    assert(r == child);
    assert(WIFEXITED(status) && WEXITSTATUS(status) == 7);
    return counter == 1 ? 0 : 1;
}
