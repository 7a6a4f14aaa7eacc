/* lost_update: a read-modify-write split across two critical sections.
 *
 * Models an account service where get_balance() and set_balance() are each
 * individually thread-safe, but a deposit does "read, then write back + 1"
 * as two separate locked operations.  Two concurrent deposits can both read
 * the old balance and one increment is lost.
 *
 * Expected under the tool: assertion failure (balance == 1).
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t balance_mu = PTHREAD_MUTEX_INITIALIZER;
static int balance;

__attribute__((noinline)) static int get_balance(void)
{
    pthread_mutex_lock(&balance_mu);
    int value = balance;
    pthread_mutex_unlock(&balance_mu);
    return value;
}

__attribute__((noinline)) static void set_balance(int value)
{
    pthread_mutex_lock(&balance_mu);
    balance = value;
    pthread_mutex_unlock(&balance_mu);
}

/* BUG: check-then-act across two critical sections; another deposit can
 * run between get_balance() and set_balance(). */
static void *deposit_thread(void *arg)
{
    (void)arg;
    int tmp = get_balance();
    set_balance(tmp + 1);
    return NULL;
}

int main(void)
{
    pthread_t depositors[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&depositors[i], NULL, deposit_thread, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(depositors[i], NULL);

    int final_balance = get_balance();
    assert(final_balance == 2 && "a deposit was lost");
    return 0;
}
