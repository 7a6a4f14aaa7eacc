/* annotate_lost_update: lost_update with a hand-made spin lock.
 *
 * The lock is a C11 atomic_flag: no pthread call anywhere in the critical
 * sections, so without annotations interleave would see no scheduling
 * point between get_balance() and set_balance().  include/interleave.h's
 * interleave_acquire/interleave_release around the lock and
 * interleave_yield in its spin make the lock visible: the lost update
 * between the two critical sections is found.
 *
 * Expected under the tool: assertion failure (balance == 1).
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <interleave.h>

struct spin_lock { atomic_flag taken; };

static struct spin_lock balance_lock = {ATOMIC_FLAG_INIT};
static int balance;

static void spin_lock(struct spin_lock *l)
{
    interleave_acquire(l);
    while (atomic_flag_test_and_set_explicit(&l->taken, memory_order_acquire))
        interleave_yield();
}

static void spin_unlock(struct spin_lock *l)
{
    atomic_flag_clear_explicit(&l->taken, memory_order_release);
    interleave_release(l);
}

__attribute__((noinline)) static int get_balance(void)
{
    spin_lock(&balance_lock);
    int value = balance;
    spin_unlock(&balance_lock);
    return value;
}

__attribute__((noinline)) static void set_balance(int value)
{
    spin_lock(&balance_lock);
    balance = value;
    spin_unlock(&balance_lock);
}

/* BUG: read and write-back in two critical sections. */
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
