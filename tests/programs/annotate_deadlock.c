/* annotate_deadlock: abba_deadlock with hand-made spin locks.
 *
 * Two atomic_flag locks, annotated with include/interleave.h, taken in
 * opposite orders by two threads.  The annotations make each lock's holder
 * known to the scheduler: a thread acquiring a held lock waits in the
 * scheduler instead of spinning, so the wait-for cycle is reported as a
 * deadlock, with who holds which lock, not as an endless spin.
 *
 * Expected under the tool: deadlock.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <interleave.h>

struct spin_lock { atomic_flag taken; };

static struct spin_lock lock_a = {ATOMIC_FLAG_INIT};
static struct spin_lock lock_b = {ATOMIC_FLAG_INIT};

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

static void *a_then_b(void *arg)
{
    (void)arg;
    spin_lock(&lock_a);
    spin_lock(&lock_b);
    spin_unlock(&lock_b);
    spin_unlock(&lock_a);
    return NULL;
}

static void *b_then_a(void *arg)
{
    (void)arg;
    spin_lock(&lock_b);
    spin_lock(&lock_a);
    spin_unlock(&lock_a);
    spin_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, a_then_b, NULL);
    pthread_create(&t2, NULL, b_then_a, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return 0;
}
