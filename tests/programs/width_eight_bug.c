/* width_eight_bug: lost_update's bug in a program of eight threads, for
 * the timeline's layout at a given width (tests/run.sh, `want width`).
 *
 * Five auditor threads check in before the depositors start, then wait on
 * a semaphore posted only once the balance is checked: in the last steps
 * of the timeline they have no event (no column when the width is short)
 * but a pending wait each.  Two depositors make two deposits each, as in
 * lost_update.
 *
 * Expected under the tool: assertion failure (balance < 4).
 */
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>

static pthread_mutex_t balance_mu = PTHREAD_MUTEX_INITIALIZER;
static int balance;
static sem_t audit_ready, audit_go;

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

static void *auditor_thread(void *arg)
{
    (void)arg;
    sem_post(&audit_ready);
    sem_wait(&audit_go);
    return NULL;
}

/* BUG: another deposit can run between get_balance() and set_balance(). */
static void *deposit_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2; i++) {
        int tmp = get_balance();
        set_balance(tmp + 1);
    }
    return NULL;
}

int main(void)
{
    pthread_t auditors[5], depositors[2];
    sem_init(&audit_ready, 0, 0);
    sem_init(&audit_go, 0, 0);
    for (int i = 0; i < 5; i++)
        pthread_create(&auditors[i], NULL, auditor_thread, NULL);
    for (int i = 0; i < 5; i++)
        sem_wait(&audit_ready);
    for (int i = 0; i < 2; i++)
        pthread_create(&depositors[i], NULL, deposit_thread, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(depositors[i], NULL);

    int final_balance = get_balance();
    assert(final_balance == 4 && "a deposit was lost");
    for (int i = 0; i < 5; i++)
        sem_post(&audit_go);
    for (int i = 0; i < 5; i++)
        pthread_join(auditors[i], NULL);
    return 0;
}
