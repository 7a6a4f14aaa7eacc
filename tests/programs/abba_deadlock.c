/* abba_deadlock: classic lock-order inversion.
 *
 * A transfer from account A to B locks mutex_a then mutex_b; the reverse
 * transfer locks mutex_b then mutex_a.  If each thread takes its first lock
 * before the other takes its second, both wait forever.
 *
 * Expected under the tool: deadlock (wait-for cycle mutex_a <-> mutex_b).
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t mutex_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t mutex_b = PTHREAD_MUTEX_INITIALIZER;
static int account_a = 100;
static int account_b = 100;

__attribute__((noinline)) static void move_money(int *from, int *to, int amount)
{
    *from -= amount;
    *to += amount;
}

/* Locks A then B. */
static void *transfer_a_to_b_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mutex_a);
    pthread_mutex_lock(&mutex_b);
    move_money(&account_a, &account_b, 10);
    pthread_mutex_unlock(&mutex_b);
    pthread_mutex_unlock(&mutex_a);
    return NULL;
}

/* BUG: locks B then A, the opposite order. */
static void *transfer_b_to_a_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mutex_b);
    pthread_mutex_lock(&mutex_a);
    move_money(&account_b, &account_a, 5);
    pthread_mutex_unlock(&mutex_a);
    pthread_mutex_unlock(&mutex_b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, transfer_a_to_b_thread, NULL);
    pthread_create(&t2, NULL, transfer_b_to_a_thread, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return account_a + account_b == 200 ? 0 : 1;
}
