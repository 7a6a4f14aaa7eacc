/* join_deadlock: two threads join each other.
 *
 * Two peer threads each wait for the other to finish (pthread_join) before
 * cleaning up shared state.  They learn each other's pthread_t through a
 * handoff: main publishes both ids under peers_mu and broadcasts.  Each then
 * joins the other: a wait-for cycle (main, joining peer 1, is stuck too).
 *
 * Note: glibc may detect this particular cycle and return EDEADLK from the
 * second pthread_join (it documents this as a "may"; a simultaneous join can
 * also hang for real).  The program asserts a successful join, so natively it
 * fails either by that assertion or by hanging.
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
    pthread_mutex_unlock(&peers_mu);

    pthread_join(p1, NULL);
    return 0;
}
