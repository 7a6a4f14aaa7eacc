/* pthread_exit_ok: threads (and main) ending through pthread_exit.
 *
 * A parser thread bails out with pthread_exit(value) from a nested helper
 * (holding no locks); main joins it and checks the value.  Then main starts
 * a last "final_flush" worker and ends itself with pthread_exit(NULL): the
 * process keeps running until that worker is done, then exits with status 0
 * (glibc calls exit(0) when the last thread ends, which runs the atexit
 * handler that checks the worker finished).
 *
 * Expected under the tool: ok, exit status 0, in every interleaving.
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t state_mu = PTHREAD_MUTEX_INITIALIZER;
static int records_parsed;       /* protected by state_mu */
static atomic_int flush_done;

__attribute__((noinline)) static void abort_parse(int code)
{
    pthread_exit((void *)(intptr_t)code); /* does not return */
}

__attribute__((noinline)) static void parse_record(int i)
{
    pthread_mutex_lock(&state_mu);
    records_parsed++;
    pthread_mutex_unlock(&state_mu);
    if (i == 2)
        abort_parse(42); /* nothing held here */
}

static void *parser_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++)
        parse_record(i);
    return (void *)(intptr_t)-1; /* not reached */
}

static void *final_flush_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&state_mu);
    assert(records_parsed == 3);
    pthread_mutex_unlock(&state_mu);
    atomic_store(&flush_done, 1);
    pthread_exit(NULL);
}

static void check_flush_at_exit(void)
{
    assert(atomic_load(&flush_done) == 1 && "process exited before final flush");
}

int main(void)
{
    atexit(check_flush_at_exit);

    pthread_t parser;
    pthread_create(&parser, NULL, parser_thread, NULL);
    void *ret;
    pthread_join(parser, &ret);
    assert((intptr_t)ret == 42);

    pthread_t flusher;
    pthread_create(&flusher, NULL, final_flush_thread, NULL);
    pthread_detach(flusher);
    pthread_exit(NULL); /* the process lives on until flusher is done */
}
