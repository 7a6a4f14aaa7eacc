/* timedlock_ok: pthread_mutex_timedlock / pthread_mutex_clocklock.
 *
 * A maintenance thread holds db_mu for a 5 s compaction (sleep while holding
 * it).  A request thread tries to get db_mu with a 1 s deadline, first with
 * pthread_mutex_timedlock (CLOCK_REALTIME) and then with
 * pthread_mutex_clocklock (CLOCK_MONOTONIC).  Depending on who gets the lock
 * first, each attempt either succeeds (0) or times out (ETIMEDOUT); both are
 * handled.  With virtual time the 5 s sleep costs nothing.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t db_mu = PTHREAD_MUTEX_INITIALIZER;
static int compactions;  /* protected by db_mu */
static int requests_served, requests_rejected;

static struct timespec deadline_in(clockid_t clock, int seconds)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    ts.tv_sec += seconds;
    return ts;
}

static void *compactor_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&db_mu);
    sleep(5); /* long compaction while holding the lock */
    compactions++;
    pthread_mutex_unlock(&db_mu);
    return NULL;
}

__attribute__((noinline)) static void handle_result(int rc)
{
    if (rc == 0) {
        int seen = compactions; /* we hold db_mu */
        assert(seen == 0 || seen == 1);
        requests_served++;
        pthread_mutex_unlock(&db_mu);
    } else {
        assert(rc == ETIMEDOUT);
        requests_rejected++;
    }
}

static void *request_thread(void *arg)
{
    (void)arg;
    struct timespec rt = deadline_in(CLOCK_REALTIME, 1);
    handle_result(pthread_mutex_timedlock(&db_mu, &rt));

    struct timespec mono = deadline_in(CLOCK_MONOTONIC, 1);
    handle_result(pthread_mutex_clocklock(&db_mu, CLOCK_MONOTONIC, &mono));
    return NULL;
}

int main(void)
{
    pthread_t compactor, request;
    pthread_create(&compactor, NULL, compactor_thread, NULL);
    pthread_create(&request, NULL, request_thread, NULL);
    pthread_join(compactor, NULL);
    pthread_join(request, NULL);

    assert(compactions == 1);
    assert(requests_served + requests_rejected == 2);
    return 0;
}
