/* sqlite_threads.c: the packaged libsqlite3 used from several threads, the
 * two ways SQLite documents (https://sqlite.org/threadsafe.html):
 *   1. serialized mode: one connection (SQLITE_OPEN_FULLMUTEX) shared by
 *      THREADS threads, each inserting ROWS rows; SQLite's own recursive
 *      pthread mutexes serialize them;
 *   2. one connection per thread on the same database file in WAL mode,
 *      with a busy timeout: each thread inserts ROWS rows, one transaction
 *      each, and retries when the other holds the write lock (SQLite's
 *      busy handler sleeps: virtual time under interleave).
 * Then main checks every row is there.  Correct: any interleaving passes.
 * Usage: sqlite_threads DBFILE   (the file and its -wal/-shm are removed
 * first, so every execution starts from nothing).
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 2
#define ROWS 5

static const char *path;
static sqlite3 *shared;

static void check(int rc, sqlite3 *db, const char *what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    fprintf(stderr, "sqlite_threads: %s: %s (%d)\n", what, db ? sqlite3_errmsg(db) : "", rc);
    abort();
  }
}

static void *shared_writer(void *arg) {
  int id = (int)(long)arg;
  for (int i = 0; i < ROWS; i++) {
    sqlite3_stmt *st;
    check(sqlite3_prepare_v2(shared, "INSERT INTO t(thread, i) VALUES (?, ?)", -1, &st, NULL), shared, "prepare");
    sqlite3_bind_int(st, 1, id);
    sqlite3_bind_int(st, 2, i);
    check(sqlite3_step(st), shared, "insert");
    sqlite3_finalize(st);
  }
  return NULL;
}

static void *own_writer(void *arg) {
  int id = (int)(long)arg;
  sqlite3 *db;
  check(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL), NULL, "open");
  sqlite3_busy_timeout(db, 10000);
  for (int i = 0; i < ROWS; i++) {
    char sql[128];
    snprintf(sql, sizeof sql, "BEGIN IMMEDIATE; INSERT INTO u(thread, i) VALUES (%d, %d); COMMIT;", id, i);
    check(sqlite3_exec(db, sql, NULL, NULL, NULL), db, "transaction");
  }
  /* and read back what this thread wrote */
  sqlite3_stmt *st;
  check(sqlite3_prepare_v2(db, "SELECT count(*) FROM u WHERE thread = ?", -1, &st, NULL), db, "prepare");
  sqlite3_bind_int(st, 1, id);
  check(sqlite3_step(st), db, "count");
  if (sqlite3_column_int(st, 0) != ROWS) {
    fprintf(stderr, "sqlite_threads: thread %d sees %d of its rows\n", id, sqlite3_column_int(st, 0));
    abort();
  }
  sqlite3_finalize(st);
  check(sqlite3_close(db), NULL, "close");
  return NULL;
}

static int count(const char *table) {
  char sql[64];
  sqlite3_stmt *st;
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
  check(sqlite3_prepare_v2(shared, sql, -1, &st, NULL), shared, "prepare");
  check(sqlite3_step(st), shared, "count");
  int n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return n;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: sqlite_threads DBFILE\n");
    return 2;
  }
  path = argv[1];
  char f[4096];
  unlink(path);
  snprintf(f, sizeof f, "%s-wal", path), unlink(f);
  snprintf(f, sizeof f, "%s-shm", path), unlink(f);
  snprintf(f, sizeof f, "%s-journal", path), unlink(f);
  if (!sqlite3_threadsafe()) {
    fprintf(stderr, "sqlite_threads: libsqlite3 was built without threads\n");
    return 2;
  }
  check(sqlite3_open_v2(path, &shared, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL),
        NULL, "open");
  check(sqlite3_exec(shared,
                     "PRAGMA journal_mode=WAL; CREATE TABLE t(thread INT, i INT); CREATE TABLE u(thread INT, i INT);",
                     NULL, NULL, NULL),
        shared, "schema");
  pthread_t t[THREADS];
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, shared_writer, (void *)i);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, own_writer, (void *)i);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  int a = count("t"), b = count("u");
  if (a != THREADS * ROWS || b != THREADS * ROWS) {
    fprintf(stderr, "sqlite_threads: %d and %d rows, wanted %d\n", a, b, THREADS * ROWS);
    abort();
  }
  check(sqlite3_close(shared), NULL, "close");
  return 0;
}
