/* c11_lost_update: lost_update written with C11 <threads.h>.
 *
 * get_balance() and set_balance() each take balance_mtx, but a deposit reads
 * and writes back in two separate critical sections, so two concurrent
 * deposits can lose one increment.
 *
 * Expected under the tool: assertion failure (balance == 1).
 */
#include <assert.h>
#include <stdio.h>
#include <threads.h>

static mtx_t balance_mtx;
static int balance;

__attribute__((noinline)) static int get_balance(void)
{
    mtx_lock(&balance_mtx);
    int value = balance;
    mtx_unlock(&balance_mtx);
    return value;
}

__attribute__((noinline)) static void set_balance(int value)
{
    mtx_lock(&balance_mtx);
    balance = value;
    mtx_unlock(&balance_mtx);
}

/* BUG: read and write-back are separate critical sections. */
static int deposit_thread(void *arg)
{
    (void)arg;
    int tmp = get_balance();
    set_balance(tmp + 1);
    return 0;
}

int main(void)
{
    mtx_init(&balance_mtx, mtx_plain);
    thrd_t depositors[2];
    for (int i = 0; i < 2; i++)
        thrd_create(&depositors[i], deposit_thread, NULL);
    for (int i = 0; i < 2; i++)
        thrd_join(depositors[i], NULL);

    int final_balance = get_balance();
    assert(final_balance == 2 && "a deposit was lost");
    mtx_destroy(&balance_mtx);
    return 0;
}
