/* dfs_block_bug: a bug the bounded search finds with no preemption at all,
 * but only through BPOR's conservative backtrack point.
 *
 * The reader must take the lock before the writer.  With 0 preemptions
 * the only choice is who runs when main blocks in its first join: the
 * default continuation runs the writer.  The race between the writer's
 * lock and the reader's is found in the writer's block, where running
 * the reader would be a preemption; BPOR (Coons, Musuvathi, McKinley,
 * OOPSLA 2013) also backtracks at the start of that block, where it is
 * free.  `--strategy dfs --preemptions 0` must report the assertion
 * (tests/run.sh: want dfs).
 */
#include <assert.h>
#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int written;

static void *writer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    written = 1;
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    int seen = written;
    pthread_mutex_unlock(&mu);
    assert(seen && "the reader ran before the writer");
    return NULL;
}

int main(void)
{
    pthread_t w, r;
    pthread_create(&w, NULL, writer, NULL);
    pthread_create(&r, NULL, reader, NULL);
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    return 0;
}
