/* join_deadlock: two threads join each other.
 *
 * Two peer threads each wait for the other to finish (pthread_join) before
 * cleaning up shared state.  They learn each other's pthread_t through a
 * handoff: main publishes both ids under peers_mu and broadcasts.  Each then
 * joins the other: a wait-for cycle.  main waits (on peers_cv) for both peers
 * to report that cleanup finished, so it is stuck too.  (main does not join
 * the peers itself: a thread may be joined by only one other thread.)
 *
 * Note: glibc has a best-effort EDEADLK check for mutual joins, but on
 * glibc 2.36 this program natively just hangs.  The join result is asserted
 * anyway, so an EDEADLK return would still fail loudly.
 *
 * Expected under the tool: deadlock (peer_1 <-> peer_2 join cycle).
 */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

static pthread_mutex_t peers_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t peers_cv = PTHREAD_COND_INITIALIZER;
static int peers_published;  /* protected by peers_mu */
static int peers_finished;   /* protected by peers_mu */
static pthread_t peer_ids[2]; /* protected by peers_mu */

__attribute__((noinline)) static pthread_t lookup_peer(int self)
{
    pthread_mutex_lock(&peers_mu);
    while (!peers_published)
        pthread_cond_wait(&peers_cv, &peers_mu);
    pthread_t other = peer_ids[1 - self];
    pthread_mutex_unlock(&peers_mu);
    return other;
}

static void *peer_thread(void *arg)
{
    int self = (int)(intptr_t)arg;
    pthread_t other = lookup_peer(self);
    /* BUG: both peers wait for each other to exit. */
    int rc = pthread_join(other, NULL);
    assert(rc == 0 && "pthread_join on peer failed");

    pthread_mutex_lock(&peers_mu);
    peers_finished++;
    pthread_cond_broadcast(&peers_cv);
    pthread_mutex_unlock(&peers_mu);
    return NULL;
}

int main(void)
{
    pthread_t p1, p2;
    pthread_create(&p1, NULL, peer_thread, (void *)(intptr_t)0);
    pthread_create(&p2, NULL, peer_thread, (void *)(intptr_t)1);

    pthread_mutex_lock(&peers_mu);
    peer_ids[0] = p1;
    peer_ids[1] = p2;
    peers_published = 1;
    pthread_cond_broadcast(&peers_cv);
    while (peers_finished < 2)
        pthread_cond_wait(&peers_cv, &peers_mu);
    pthread_mutex_unlock(&peers_mu);
    return 0;
}
