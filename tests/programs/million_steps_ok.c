/* million_steps_ok: a correct execution of about a million scheduling points.
 *
 * Two threads each add 1 to a shared counter 250,000 times, each addition in
 * its own lock/unlock of count_mu: about 1,000,000 scheduling points in one
 * execution.  Nothing is wrong with the program; it is just long.  An
 * execution that hits a *default* budget (the max-steps default) is not
 * judged, and the default must be large enough (a few million steps) that
 * this program runs to completion and its final assertion is checked.
 *
 * Expected under the tool: ok.
 */
#include <assert.h>
#include <pthread.h>

#define ITERS 250000

static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;
static long count; /* protected by count_mu */

static void *adder_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&count_mu);
        count++;
        pthread_mutex_unlock(&count_mu);
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, adder_thread, NULL);
    pthread_create(&b, NULL, adder_thread, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    assert(count == 2L * ITERS);
    return 0;
}
