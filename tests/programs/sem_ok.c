/* sem_ok: semaphore ping-pong.
 *
 * Two stages of a pipeline hand a token back and forth through two unnamed
 * semaphores (ping_sem starts at 1, pong_sem at 0), so their steps strictly
 * alternate.  The pinger uses sem_wait; the ponger first tries sem_trywait,
 * then sem_timedwait with a 1 s deadline, and on timeout falls back to
 * sem_wait.  The shared turn counter must alternate 0,1,2,...
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

#define ROUNDS 3

static sem_t ping_sem, pong_sem;
static int turn; /* ordered by the semaphores */

static void *pinger_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        while (sem_wait(&ping_sem) != 0)
            assert(errno == EINTR);
        assert(turn == 2 * i && "pinger out of turn");
        turn++;
        sem_post(&pong_sem);
    }
    return NULL;
}

__attribute__((noinline)) static void acquire_pong(void)
{
    if (sem_trywait(&pong_sem) == 0)
        return;
    assert(errno == EAGAIN);

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 1;
    while (sem_timedwait(&pong_sem, &deadline) != 0) {
        if (errno == EINTR)
            continue;
        assert(errno == ETIMEDOUT);
        /* Slow peer: stop polling and block. */
        while (sem_wait(&pong_sem) != 0)
            assert(errno == EINTR);
        return;
    }
}

static void *ponger_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        acquire_pong();
        assert(turn == 2 * i + 1 && "ponger out of turn");
        turn++;
        sem_post(&ping_sem);
    }
    return NULL;
}

int main(void)
{
    sem_init(&ping_sem, 0, 1);
    sem_init(&pong_sem, 0, 0);

    pthread_t pinger, ponger;
    pthread_create(&ponger, NULL, ponger_thread, NULL);
    pthread_create(&pinger, NULL, pinger_thread, NULL);
    pthread_join(pinger, NULL);
    pthread_join(ponger, NULL);

    assert(turn == 2 * ROUNDS);
    int v;
    sem_getvalue(&ping_sem, &v);
    assert(v == 1);
    sem_getvalue(&pong_sem, &v);
    assert(v == 0);
    sem_destroy(&ping_sem);
    sem_destroy(&pong_sem);
    return 0;
}
