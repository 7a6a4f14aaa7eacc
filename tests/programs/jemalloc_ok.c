/* jemalloc_ok: a correct two-thread program linked with jemalloc.
 *
 * Two workers build and tear down small linked lists of malloc'd nodes,
 * publishing each node's value into a shared total under total_mu, with a
 * few calloc/realloc calls thrown in.  jemalloc replaces malloc/free and
 * takes its own internal pthread mutexes (arenas, tcache flushes), from
 * inside allocation calls made both inside and outside the program's
 * critical sections; the tool must run such a program normally.
 * Linked with -ljemalloc (Makefile: PROG_LIBS).
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS 4
#define NODES 8

struct node {
    struct node *next;
    long value;
    char pad[40];
};

static pthread_mutex_t total_mu = PTHREAD_MUTEX_INITIALIZER;
static long total;                /* protected by total_mu */
static char *journal;             /* protected by total_mu */
static size_t journal_len;        /* protected by total_mu */

static void *worker_thread(void *arg)
{
    long base = (long)arg;
    for (int r = 0; r < ROUNDS; r++) {
        struct node *head = NULL;
        for (int i = 0; i < NODES; i++) {
            struct node *n = malloc(sizeof *n);
            assert(n);
            n->value = base + i;
            memset(n->pad, 'x', sizeof n->pad);
            n->next = head;
            head = n;
        }
        while (head) {
            struct node *n = head;
            head = n->next;
            pthread_mutex_lock(&total_mu);
            total += n->value;
            char *j = realloc(journal, journal_len + 1);
            assert(j);
            journal = j;
            journal[journal_len++] = (char)('a' + base / 100);
            pthread_mutex_unlock(&total_mu);
            free(n);
        }
        long *scratch = calloc(64, sizeof *scratch);
        assert(scratch && scratch[63] == 0);
        free(scratch);
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, worker_thread, (void *)0L);
    pthread_create(&b, NULL, worker_thread, (void *)100L);
    pthread_join(a, NULL);
    pthread_join(b, NULL);

    long per_round = 0;
    for (int i = 0; i < NODES; i++)
        per_round += i;
    assert(total == ROUNDS * (per_round + (per_round + 100L * NODES)));
    assert(journal_len == 2 * ROUNDS * NODES);
    free(journal);
    return 0;
}
