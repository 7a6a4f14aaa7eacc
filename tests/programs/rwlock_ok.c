/* rwlock_ok: readers/writers over a pthread_rwlock.
 *
 * A routing table keeps two fields that must always agree (primary and
 * backup generation).  Writers update them one after the other under the
 * write lock, logging in between (a scheduling point while the table is
 * temporarily inconsistent); readers check the invariant under the read lock.
 * Some acquisitions go through tryrdlock/trywrlock and fall back to the
 * blocking call on EBUSY.
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define READERS 2
#define READS_PER_READER 3
#define WRITERS 2
#define WRITES_PER_WRITER 2

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int primary_gen, backup_gen; /* protected by table_lock */
static int log_entries;             /* protected by log_mu */

__attribute__((noinline)) static void log_update(void)
{
    pthread_mutex_lock(&log_mu);
    log_entries++;
    pthread_mutex_unlock(&log_mu);
}

__attribute__((noinline)) static void read_lock(int use_try)
{
    if (use_try) {
        int rc = pthread_rwlock_tryrdlock(&table_lock);
        if (rc == 0)
            return;
        assert(rc == EBUSY);
    }
    int rc = pthread_rwlock_rdlock(&table_lock);
    assert(rc == 0);
}

__attribute__((noinline)) static void write_lock(int use_try)
{
    if (use_try) {
        int rc = pthread_rwlock_trywrlock(&table_lock);
        if (rc == 0)
            return;
        assert(rc == EBUSY);
    }
    int rc = pthread_rwlock_wrlock(&table_lock);
    assert(rc == 0);
}

static void *reader_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < READS_PER_READER; i++) {
        read_lock(i % 2 == 0);
        assert(primary_gen == backup_gen && "reader saw a half-updated table");
        pthread_rwlock_unlock(&table_lock);
    }
    return NULL;
}

static void *writer_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < WRITES_PER_WRITER; i++) {
        write_lock((i + id) % 2 == 0);
        primary_gen++;
        log_update(); /* table inconsistent here, but readers are excluded */
        backup_gen++;
        pthread_rwlock_unlock(&table_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t readers[READERS], writers[WRITERS];
    for (int i = 0; i < WRITERS; i++)
        pthread_create(&writers[i], NULL, writer_thread, (void *)(intptr_t)i);
    for (int i = 0; i < READERS; i++)
        pthread_create(&readers[i], NULL, reader_thread, NULL);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(writers[i], NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(readers[i], NULL);

    assert(primary_gen == WRITERS * WRITES_PER_WRITER);
    assert(backup_gen == WRITERS * WRITES_PER_WRITER);
    assert(log_entries == WRITERS * WRITES_PER_WRITER);
    return 0;
}
