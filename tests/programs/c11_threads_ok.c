/* c11_threads_ok: the C11 <threads.h> API.
 *
 * A producer prepares a message (after a short thrd_sleep) and hands it to a
 * consumer through a mtx_t + cnd_t with a predicate loop; both lazily set up
 * a shared table with call_once.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <stdio.h>
#include <threads.h>
#include <time.h>

static once_flag table_once = ONCE_FLAG_INIT;
static int table_init_runs;
static int table[4];

static mtx_t mailbox_mtx;
static cnd_t mailbox_cnd;
static int mailbox_full; /* protected by mailbox_mtx */
static int mailbox_msg;

static void init_table(void)
{
    table_init_runs++;
    for (int i = 0; i < 4; i++)
        table[i] = i * i;
}

static int producer_thread(void *arg)
{
    (void)arg;
    call_once(&table_once, init_table);
    struct timespec delay = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
    thrd_sleep(&delay, NULL); /* 10 ms of "work" */

    mtx_lock(&mailbox_mtx);
    mailbox_msg = table[3];
    mailbox_full = 1;
    cnd_signal(&mailbox_cnd);
    mtx_unlock(&mailbox_mtx);
    return 1;
}

static int consumer_thread(void *arg)
{
    (void)arg;
    call_once(&table_once, init_table);
    mtx_lock(&mailbox_mtx);
    while (!mailbox_full)
        cnd_wait(&mailbox_cnd, &mailbox_mtx);
    int msg = mailbox_msg;
    mtx_unlock(&mailbox_mtx);
    assert(msg == table[3]);
    return msg;
}

int main(void)
{
    int rc = mtx_init(&mailbox_mtx, mtx_plain);
    assert(rc == thrd_success);
    rc = cnd_init(&mailbox_cnd);
    assert(rc == thrd_success);

    thrd_t producer, consumer;
    assert(thrd_create(&consumer, consumer_thread, NULL) == thrd_success);
    assert(thrd_create(&producer, producer_thread, NULL) == thrd_success);

    int prod_res = 0, cons_res = 0;
    assert(thrd_join(producer, &prod_res) == thrd_success);
    assert(thrd_join(consumer, &cons_res) == thrd_success);

    assert(prod_res == 1);
    assert(cons_res == 9);
    assert(table_init_runs == 1);
    cnd_destroy(&mailbox_cnd);
    mtx_destroy(&mailbox_mtx);
    return 0;
}
