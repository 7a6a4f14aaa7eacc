/* cond_timedwait_ok: timed condition wait on a CLOCK_MONOTONIC condvar.
 *
 * A client waits up to 1 s for a reply, using a condvar configured with
 * pthread_condattr_setclock(CLOCK_MONOTONIC) and a predicate loop around
 * pthread_cond_timedwait with an absolute deadline.  The server replies after
 * 1 s of work, so the reply and the timeout race (equal deadlines).  On
 * timeout the client records it and later collects the late reply.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t reply_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reply_cv; /* CLOCK_MONOTONIC, initialized in main */
static int reply_ready;         /* protected by reply_mu */
static int reply_value;

static void *server_thread(void *arg)
{
    (void)arg;
    usleep(1000 * 1000); /* 1 s of work */
    pthread_mutex_lock(&reply_mu);
    reply_value = 7;
    reply_ready = 1;
    pthread_cond_signal(&reply_cv);
    pthread_mutex_unlock(&reply_mu);
    return NULL;
}

/* Returns 1 if the reply arrived before the deadline, 0 on timeout. */
__attribute__((noinline)) static int wait_for_reply(int seconds)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += seconds;

    pthread_mutex_lock(&reply_mu);
    int rc = 0;
    while (!reply_ready && rc != ETIMEDOUT) {
        rc = pthread_cond_timedwait(&reply_cv, &reply_mu, &deadline);
        assert(rc == 0 || rc == ETIMEDOUT);
    }
    int got = reply_ready;
    if (got)
        assert(reply_value == 7);
    pthread_mutex_unlock(&reply_mu);
    return got;
}

int main(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&reply_cv, &attr);
    pthread_condattr_destroy(&attr);

    pthread_t server;
    pthread_create(&server, NULL, server_thread, NULL);
    int in_time = wait_for_reply(1);
    pthread_join(server, NULL);

    /* Either outcome is fine; after the join the reply is always there. */
    pthread_mutex_lock(&reply_mu);
    assert(reply_ready && reply_value == 7);
    pthread_mutex_unlock(&reply_mu);
    (void)in_time;
    pthread_cond_destroy(&reply_cv);
    return 0;
}
