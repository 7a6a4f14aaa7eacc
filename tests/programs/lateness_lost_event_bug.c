/* lateness_lost_event_bug: an event lost when a thread is 50 us late.
 *
 * An emitter thread starts, does 50 us of set-up (a sleep), then fires the
 * "ready" event: under bus_mu it marks the event fired and calls every
 * registered listener.  Main creates the emitter and then registers its
 * listener right away -- no sleep, just a lock -- assuming it always beats
 * a thread that first sleeps 50 us.  A listener registered after the event
 * fired is never called (BUG: registration does not check `fired`), so main
 * waits 1 s for the event and asserts it heard it.  Natively this fails only
 * when main is kept off the CPU for about 50 us after pthread_create (a
 * preemption, a page fault); under the tool main may be that late (50 us is
 * well within --max-delay, 10 ms), so the emitter's wake-up can come first.
 *
 * Expected under the tool: assertion failure (main late by 50 us).
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS 4

typedef void (*listener_fn)(void);

static pthread_mutex_t bus_mu = PTHREAD_MUTEX_INITIALIZER;
static listener_fn listeners[MAX_LISTENERS]; /* protected by bus_mu */
static int n_listeners;                      /* protected by bus_mu */
static int fired;                            /* protected by bus_mu */

static pthread_mutex_t heard_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t heard_cv = PTHREAD_COND_INITIALIZER;
static int heard;                            /* protected by heard_mu */

static void on_ready(void)
{
    pthread_mutex_lock(&heard_mu);
    heard = 1;
    pthread_cond_signal(&heard_cv);
    pthread_mutex_unlock(&heard_mu);
}

__attribute__((noinline)) static void bus_subscribe(listener_fn fn)
{
    pthread_mutex_lock(&bus_mu);
    /* BUG: no "if (fired) fn();" -- a late subscriber misses the event. */
    listeners[n_listeners++] = fn;
    pthread_mutex_unlock(&bus_mu);
}

__attribute__((noinline)) static void bus_fire(void)
{
    pthread_mutex_lock(&bus_mu);
    fired = 1;
    for (int i = 0; i < n_listeners; i++)
        listeners[i]();
    pthread_mutex_unlock(&bus_mu);
}

static void *emitter_thread(void *arg)
{
    (void)arg;
    usleep(50); /* 50 us of set-up */
    bus_fire();
    return NULL;
}

int main(void)
{
    pthread_t emitter;
    pthread_create(&emitter, NULL, emitter_thread, NULL);
    bus_subscribe(on_ready);

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 1;
    pthread_mutex_lock(&heard_mu);
    int rc = 0;
    while (!heard && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&heard_cv, &heard_mu, &deadline);
    int got = heard;
    pthread_mutex_unlock(&heard_mu);
    assert(got && "the ready event was never heard");

    pthread_join(emitter, NULL);
    return 0;
}
