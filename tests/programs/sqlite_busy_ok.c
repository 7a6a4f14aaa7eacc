/* sqlite_busy_ok: two SQLite writers, each with its own connection to one
 * file database, serialized by SQLite's file locks and a 5 s busy timeout.
 *
 * Each writer opens its own connection with sqlite3_busy_timeout(5000) and
 * commits 2 transactions of 2 rows each, started with BEGIN IMMEDIATE (so the
 * write lock is taken up front and the busy handler can always wait instead
 * of failing with a deadlock-avoiding SQLITE_BUSY).  The other writer holds
 * the lock only for a few statements, never across a sleep; the busy handler
 * sleeps 1, 2, 5, 10, ... 100 ms between tries until 5 s of sleeps add up.
 * Natively no writer ever sees SQLITE_BUSY: that would need the lock holder
 * to be kept off the CPU for 5 s.  With bounded lateness (--max-delay,
 * default 10 ms) the holder runs long before the waiter's sleeps reach 5 s;
 * only unbounded lateness (--max-delay inf) can fire all the busy handler's
 * sleeps while the holder stays runnable.
 *
 * The database lives in a fresh mkdtemp directory, removed at the end (and
 * before a failed assertion).
 * Linked with -lsqlite3 (Makefile: PROG_LIBS).
 *
 * Expected under the tool: ok in every interleaving.
 */
#include <assert.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WRITERS 2
#define TXNS 2
#define ROWS 2

static char db_dir[] = "/tmp/il-sqlite-XXXXXX";
static char db_path[256];

/* Removes the database and its directory (also before failing an assertion,
 * so that a reported execution leaves nothing behind). */
static void cleanup(void)
{
    char journal[300];
    snprintf(journal, sizeof journal, "%s-journal", db_path);
    unlink(journal);
    unlink(db_path);
    rmdir(db_dir);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "sqlite_busy_ok: \"%s\": %s (%d)\n", sql,
                err ? err : sqlite3_errstr(rc), rc);
        cleanup();
    }
    assert(rc != SQLITE_BUSY && "busy timeout expired");
    assert(rc == SQLITE_OK);
    sqlite3_free(err);
}

static void *writer_thread(void *arg)
{
    int id = (int)(long)arg;
    sqlite3 *db;
    int rc = sqlite3_open(db_path, &db);
    assert(rc == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    exec_ok(db, "PRAGMA synchronous=OFF");
    for (int t = 0; t < TXNS; t++) {
        exec_ok(db, "BEGIN IMMEDIATE");
        for (int r = 0; r < ROWS; r++) {
            char sql[128];
            snprintf(sql, sizeof sql, "INSERT INTO log(writer, n) VALUES(%d, %d)",
                     id, t * ROWS + r);
            exec_ok(db, sql);
        }
        exec_ok(db, "COMMIT");
    }
    rc = sqlite3_close(db);
    assert(rc == SQLITE_OK);
    return NULL;
}

static int count_rows(void)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc = sqlite3_open(db_path, &db);
    assert(rc == SQLITE_OK);
    rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM log", -1, &st, NULL);
    assert(rc == SQLITE_OK);
    rc = sqlite3_step(st);
    assert(rc == SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

int main(void)
{
    if (!mkdtemp(db_dir)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(db_path, sizeof db_path, "%s/test.db", db_dir);

    sqlite3 *db;
    int rc = sqlite3_open(db_path, &db);
    assert(rc == SQLITE_OK);
    exec_ok(db, "CREATE TABLE log(writer INTEGER, n INTEGER)");
    sqlite3_close(db);

    pthread_t writers[WRITERS];
    for (long i = 0; i < WRITERS; i++)
        pthread_create(&writers[i], NULL, writer_thread, (void *)i);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(writers[i], NULL);

    int n = count_rows();
    cleanup();

    assert(n == WRITERS * TXNS * ROWS && "rows lost");
    return 0;
}
