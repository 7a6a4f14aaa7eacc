/* spin_plain: busy-waiting on a volatile flag with no pthread call.
 *
 * A spinner waits for go_flag with a bare `while (!go_flag) ;` loop.  Natively
 * the setter runs on another core and the loop ends.  Under a scheduler that
 * runs one thread at a time and only switches at pthread/sem/sleep calls,
 * the spinner never gives up the CPU once it runs first, so the setter never
 * runs.  The tool must notice with its CPU-time watchdog and preempt the
 * spinner there (a `spin` step), so the setter runs and the loop ends.
 *
 * (Deliberately breaks the "never busy-wait without a blocking call" rule.)
 *
 * Expected under the tool: no bug (with --spin 0: a watchdog report).
 */
#include <pthread.h>
#include <stdio.h>

static volatile int go_flag;

static void *spinner_thread(void *arg)
{
    (void)arg;
    while (!go_flag)
        ; /* BUG: spins without ever calling into pthreads */
    return NULL;
}

static void *setter_thread(void *arg)
{
    (void)arg;
    go_flag = 1;
    return NULL;
}

int main(void)
{
    pthread_t spinner, setter;
    pthread_create(&spinner, NULL, spinner_thread, NULL);
    pthread_create(&setter, NULL, setter_thread, NULL);
    pthread_join(spinner, NULL);
    pthread_join(setter, NULL);
    return 0;
}
