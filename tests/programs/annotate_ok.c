/* annotate_ok: a hand-made spin lock and a spin-wait, annotated with
 * include/interleave.h, used correctly.
 *
 * Two workers add to a total, read-modify-write inside one critical
 * section of an atomic_flag lock (interleave_acquire/release around it,
 * interleave_yield in its spin); main spin-waits on an atomic counter of
 * finished workers with interleave_yield, not with a pthread call (without
 * the yield, interleave's watchdog would stop that spin).  The same binary
 * runs on its own (the annotations are no-ops): `annotate_ok native` checks
 * interleave_active() is 0 there, `annotate_ok interleave` that it is 1.
 *
 * Expected under the tool: ok in every interleaving; natively: exit 0.
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <interleave.h>

struct spin_lock { atomic_flag taken; };

static struct spin_lock total_lock = {ATOMIC_FLAG_INIT};
static int total;                 /* protected by total_lock */
static atomic_int workers_done;

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

static void *worker(void *arg)
{
    int amount = *(int *)arg;
    for (int i = 0; i < 2; i++) {
        spin_lock(&total_lock);
        int t = total;
        total = t + amount;
        spin_unlock(&total_lock);
    }
    atomic_fetch_add_explicit(&workers_done, 1, memory_order_release);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        assert(interleave_active() == (strcmp(argv[1], "interleave") == 0));
    static int amounts[2] = {1, 10};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        pthread_create(&t[i], NULL, worker, &amounts[i]);
        pthread_detach(t[i]);
    }
    while (atomic_load_explicit(&workers_done, memory_order_acquire) < 2)
        interleave_yield();
    spin_lock(&total_lock);
    assert(total == 22);
    spin_unlock(&total_lock);
    return 0;
}
