/* barrier_ok: two rounds of a 3-thread pthread_barrier.
 *
 * Three solver threads each compute a partial result for a round, meet at a
 * barrier, then read everyone's partial result for that round (double-
 * buffered per round so a fast thread's next round cannot overwrite data a
 * slow thread is still reading).  Exactly one thread per round gets
 * PTHREAD_BARRIER_SERIAL_THREAD.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define SOLVERS 3
#define ROUNDS 2

static pthread_barrier_t round_barrier;
static pthread_mutex_t stats_mu = PTHREAD_MUTEX_INITIALIZER;
static int partial[ROUNDS][SOLVERS];   /* written before, read after barrier */
static int serial_count[ROUNDS];       /* protected by stats_mu */
static int sums[ROUNDS][SOLVERS];      /* each solver writes its own slot */

__attribute__((noinline)) static int partial_value(int round, int id)
{
    return (round + 1) * 100 + id;
}

static void *solver_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int round = 0; round < ROUNDS; round++) {
        partial[round][id] = partial_value(round, id);

        int rc = pthread_barrier_wait(&round_barrier);
        assert(rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD);
        if (rc == PTHREAD_BARRIER_SERIAL_THREAD) {
            pthread_mutex_lock(&stats_mu);
            serial_count[round]++;
            pthread_mutex_unlock(&stats_mu);
        }

        int sum = 0;
        for (int j = 0; j < SOLVERS; j++) {
            assert(partial[round][j] == partial_value(round, j) &&
                   "barrier let a thread through before all arrived");
            sum += partial[round][j];
        }
        sums[round][id] = sum;
    }
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&round_barrier, NULL, SOLVERS);
    pthread_t solvers[SOLVERS];
    for (int i = 0; i < SOLVERS; i++)
        pthread_create(&solvers[i], NULL, solver_thread, (void *)(intptr_t)i);
    for (int i = 0; i < SOLVERS; i++)
        pthread_join(solvers[i], NULL);

    for (int round = 0; round < ROUNDS; round++) {
        assert(serial_count[round] == 1 && "serial thread not unique");
        for (int i = 0; i < SOLVERS; i++)
            assert(sums[round][i] == sums[round][0]);
    }
    pthread_barrier_destroy(&round_barrier);
    return 0;
}
