/* static_hello: a trivial threaded program, linked statically.
 *
 * The build links every static_* program with -static.  The tool works by
 * preloading a runtime (LD_PRELOAD), which cannot interpose on a static
 * executable, so it must detect this and refuse with a message saying the
 * binary is static -- not silently run it uncontrolled.
 *
 * Expected under the tool: error (exit 2), output mentions "static".
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t greeting_mu = PTHREAD_MUTEX_INITIALIZER;
static int greeted;

static void *greeter_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&greeting_mu);
    greeted = 1;
    pthread_mutex_unlock(&greeting_mu);
    return NULL;
}

int main(void)
{
    pthread_t greeter;
    pthread_create(&greeter, NULL, greeter_thread, NULL);
    pthread_join(greeter, NULL);
    return greeted ? 0 : 1;
}
