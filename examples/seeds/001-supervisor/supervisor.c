/*
 * supervisor.c - model of hero_proc issue #128: multi-step RPC handlers of a
 * process supervisor are non-atomic over a pooled SQLite database.
 *
 * The real server (crates/hero_proc_server) keeps runs, jobs and actions in
 * one SQLite file in WAL mode, reached through a pool of connections
 * (deadpool-sqlite since #124).  Every `db.<api>.<op>().await` checks a
 * connection out of the pool, runs one statement in autocommit mode and
 * gives the connection back, so any other handler can run between two
 * awaits of the same handler.  run.submit is such a handler:
 *
 *     run  = db.runs.insert(..).await            -- step 1
 *     for action in actions:
 *         db.actions.get(action).await            -- step 2
 *         job = db.jobs.set(job for run).await    -- step 3
 *         db.runs.add_job(run, job).await         -- step 4
 *     reply: the run as stored, with its jobs     -- step 5 (the model reads
 *                                                    it back, as the UI does)
 *
 * while service.stop and wipe_all, in other handlers, write the same tables
 * step by step too.  Interleaved, they leave jobs whose run is gone
 * ("orphaned jobs"), a successful submit whose run has no jobs ("submitted
 * run with no jobs" in the UI), or a queued job inside a run that
 * service.stop already stopped.
 *
 * The fix (ef6d564) moves each handler body into HeroProcDb::transaction():
 * one pooled connection held for the whole handler, BEGIN IMMEDIATE ...
 * COMMIT (ROLLBACK on error), SQLITE_BUSY absorbed by the busy timeout.
 *
 * Model: real SQLite (libsqlite3), a file database in a fresh mkdtemp folder,
 * WAL, a pool of POOL_SIZE connections guarded by db_pool_mu/db_pool_cv,
 * one thread per concurrent RPC (submit_thread, stop_thread, wipe_thread).
 * main() checks the tables at the end; submit checks its own reply.
 *
 * The supervisor's job scheduler (job_runner_thread) is there too: woken by
 * a successful submit, it claims each queued job of a queued run, starts
 * the job's action script as a real child process (posix_spawn of
 * /bin/sh -c SCRIPT), waits for it (waitpid) and records its exit status
 * in the job row.  Same code in both variants: it is not part of the race
 * or of the fix, it makes the supervisor supervise (and puts real children
 * in the timeline: "spawn child N", "waitpid -> child N").
 *
 * Build: -DVARIANT=SUP_BUGGY (one pooled connection per step, as after #124)
 *        -DVARIANT=SUP_FIXED (whole handler in db_transaction(), as ef6d564)
 * Debug: -DFORCE_WINDOW (=1) sleeps in submit between the run insert and the
 *        job inserts (orphaned jobs); -DFORCE_WINDOW=2 sleeps before submit's
 *        reply and inside wipe_all between its two deletes (run with no jobs).
 *        stop/wipe then arrive FORCE_WINDOW_US/2 late, inside the window, so
 *        a native run hits it every time.  Not used by the acceptance tests.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#define SUP_BUGGY 1 /* each db.*.*().await pools its own connection (#124) */
#define SUP_FIXED 2 /* each handler is one db.transaction() (ef6d564)     */

#ifndef VARIANT
#error "build with -DVARIANT=SUP_BUGGY or -DVARIANT=SUP_FIXED"
#endif
#if VARIANT != SUP_BUGGY && VARIANT != SUP_FIXED
#error "VARIANT must be SUP_BUGGY or SUP_FIXED"
#endif

/* deadpool-sqlite pool size; fewer connections than concurrent handlers so
 * that a handler can also wait for a connection (db_pool_cv). */
#ifndef POOL_SIZE
#define POOL_SIZE 2
#endif

/* rusqlite's Connection::open sets a 5 s busy timeout; SQLite then sleeps
 * (usleep/nanosleep, virtual under the tool) and retries while another
 * connection holds the WAL write lock. */
#ifndef BUSY_TIMEOUT_MS
#define BUSY_TIMEOUT_MS 5000
#endif

/* FORCE_WINDOW: how long the forced pause lasts (the report's authors
 * reasoned about "any task can run between .await points"). */
#ifndef FORCE_WINDOW_US
#define FORCE_WINDOW_US 50000
#endif
#if defined(FORCE_WINDOW) && FORCE_WINDOW != 1 && FORCE_WINDOW != 2
#error "FORCE_WINDOW must be 1 (orphaned jobs) or 2 (run with no jobs)"
#endif

/* The service being submitted and stopped, and its two actions (defined at
 * startup by service_define, as the daemon does when it loads a service). */
#define SERVICE_NAME "web"
#define NACTIONS 2
static const char *const service_actions[NACTIONS] = {"web.build", "web.deploy"};

#define MAX_RUNS 4 /* at most one run exists per execution; room to spare */
#define SCRIPT_MAX 64 /* an action's script: a tiny shell command */

extern char **environ;

/* ------------------------------------------------------------------------ */
/* Connection pool (deadpool-sqlite's Pool<Manager>)                         */
/* ------------------------------------------------------------------------ */

/* db_pool_mu protects db_pool_in_use[]; it is a leaf lock: never held while
 * a statement runs.  db_pool_cv is signalled when a connection comes back. */
pthread_mutex_t db_pool_mu = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t db_pool_cv = PTHREAD_COND_INITIALIZER;
static sqlite3 *db_pool_conns[POOL_SIZE];   /* written only by main, unthreaded */
static bool db_pool_in_use[POOL_SIZE];      /* protected by db_pool_mu */

static char db_dir[PATH_MAX - 32]; /* the mkdtemp folder; written by main only */
static char db_path[PATH_MAX]; /* db_dir/hero_proc.db */

/* Pool::get().await: waits until a connection is free and checks it out.
 * The caller owns the returned connection until pool_release(). */
__attribute__((noinline)) static sqlite3 *pool_acquire(void)
{
	pthread_mutex_lock(&db_pool_mu);
	for (;;) {
		for (int i = 0; i < POOL_SIZE; i++) {
			if (!db_pool_in_use[i]) {
				db_pool_in_use[i] = true;
				pthread_mutex_unlock(&db_pool_mu);
				return db_pool_conns[i];
			}
		}
		pthread_cond_wait(&db_pool_cv, &db_pool_mu);
	}
}

/* Dropping the pooled Object: the connection goes back to the pool. */
__attribute__((noinline)) static void pool_release(sqlite3 *conn)
{
	pthread_mutex_lock(&db_pool_mu);
	for (int i = 0; i < POOL_SIZE; i++) {
		if (db_pool_conns[i] == conn) {
			assert(db_pool_in_use[i] && "connection released twice");
			db_pool_in_use[i] = false;
		}
	}
	pthread_cond_signal(&db_pool_cv);
	pthread_mutex_unlock(&db_pool_mu);
}

/* ------------------------------------------------------------------------ */
/* Statement helper                                                          */
/* ------------------------------------------------------------------------ */

/* Prepares `sql`, binds the arguments described by `types` ('i' int64_t,
 * 's' const char *), steps it once and finalizes it.  If a row comes back
 * and `out` is set, column 0 is stored there.  Returns SQLITE_ROW,
 * SQLITE_DONE or the error code (SQLITE_BUSY once the busy timeout is
 * spent).  Busy waiting happens inside sqlite3_step via the busy handler. */
static int sql_run(sqlite3 *conn, int64_t *out, const char *sql,
		   const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(conn, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "prepare failed (%s): %s\n", sqlite3_errmsg(conn), sql);
		return rc;
	}
	va_list ap;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		else
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
					  SQLITE_STATIC);
	}
	va_end(ap);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* Runs setup SQL that cannot fail in a healthy model. */
static void sql_must(sqlite3 *conn, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(conn, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "setup failed: %s: %s\n", err ? err : "?", sql);
		abort();
	}
}

/* ------------------------------------------------------------------------ */
/* HeroProcDb sub-APIs (db.runs, db.jobs, db.actions)                        */
/* ------------------------------------------------------------------------ */

/*
 * A sub-API call runs on `tx` when the handler is inside db_transaction()
 * (fixed variant).  Without a transaction (tx == NULL, buggy variant) every
 * call is its own `.await`: it checks a connection out of the pool, runs one
 * autocommit statement and gives the connection back -- the interleaving
 * point the report is about.
 */
struct db_tx {
	sqlite3 *conn; /* held, with BEGIN IMMEDIATE open, for the whole handler */
};

static sqlite3 *api_conn(struct db_tx *tx)
{
	return tx ? tx->conn : pool_acquire();
}

static void api_done(struct db_tx *tx, sqlite3 *conn)
{
	if (!tx)
		pool_release(conn);
}

/* db.runs.insert(Run{service, status: Queued}) -> run id; 0 on success. */
__attribute__((noinline)) static int runs_insert(struct db_tx *tx,
						 const char *service, int64_t *run_id)
{
	sqlite3 *c = api_conn(tx);
	int rc = sql_run(c, NULL,
			 "INSERT INTO runs(service, status) VALUES(?1, 'queued')",
			 "s", service);
	if (rc == SQLITE_DONE)
		*run_id = sqlite3_last_insert_rowid(c);
	api_done(tx, c);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* db.actions.get(name): 0 when the action is defined, -1 otherwise. */
__attribute__((noinline)) static int actions_get(struct db_tx *tx, const char *name)
{
	sqlite3 *c = api_conn(tx);
	int rc = sql_run(c, NULL, "SELECT script FROM actions WHERE name = ?1",
			 "s", name);
	api_done(tx, c);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* db.jobs.set(Job{run_id, action, status: Queued}) -> job id.  Like the real
 * sub-API it stores the run id it is given; it knows nothing of the run. */
__attribute__((noinline)) static int jobs_set(struct db_tx *tx, int64_t run_id,
					      const char *action, int64_t *job_id)
{
	sqlite3 *c = api_conn(tx);
	int rc = sql_run(c, NULL,
			 "INSERT INTO jobs(run_id, action, status)"
			 " VALUES(?1, ?2, 'queued')",
			 "is", run_id, action);
	if (rc == SQLITE_DONE)
		*job_id = sqlite3_last_insert_rowid(c);
	api_done(tx, c);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* db.runs.add_job(run, job): links the job into the run's job list. */
__attribute__((noinline)) static int runs_add_job(struct db_tx *tx, int64_t run_id,
						  int64_t job_id)
{
	sqlite3 *c = api_conn(tx);
	int rc = sql_run(c, NULL,
			 "INSERT INTO run_jobs(run_id, job_id) VALUES(?1, ?2)",
			 "ii", run_id, job_id);
	api_done(tx, c);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* db.runs.get(run) with its jobs, for the RPC reply: returns the number of
 * jobs linked to the run, or -1 when the run does not exist. */
__attribute__((noinline)) static int64_t runs_get_njobs(struct db_tx *tx,
							int64_t run_id)
{
	sqlite3 *c = api_conn(tx);
	int64_t njobs = -1;
	int rc = sql_run(c, &njobs,
			 "SELECT (SELECT count(*) FROM run_jobs l"
			 "        JOIN jobs j ON j.id = l.job_id"
			 "        WHERE l.run_id = r.id)"
			 " FROM runs r WHERE r.id = ?1",
			 "i", run_id);
	api_done(tx, c);
	return rc == SQLITE_ROW ? njobs : -1;
}

/* db.jobs.delete(job) */
__attribute__((noinline)) static void jobs_delete(struct db_tx *tx, int64_t job_id)
{
	sqlite3 *c = api_conn(tx);
	sql_run(c, NULL, "DELETE FROM jobs WHERE id = ?1", "i", job_id);
	api_done(tx, c);
}

/* db.runs.delete(run): the run and its job links. */
__attribute__((noinline)) static void runs_delete(struct db_tx *tx, int64_t run_id)
{
	sqlite3 *c = api_conn(tx);
	sql_run(c, NULL, "DELETE FROM run_jobs WHERE run_id = ?1", "i", run_id);
	sql_run(c, NULL, "DELETE FROM runs WHERE id = ?1", "i", run_id);
	api_done(tx, c);
}

/* db.runs.list(service, Queued): up to `max` run ids; returns how many. */
__attribute__((noinline)) static int runs_list_queued(struct db_tx *tx,
						      const char *service,
						      int64_t *ids, int max)
{
	sqlite3 *c = api_conn(tx);
	sqlite3_stmt *st = NULL;
	int n = 0;
	if (sqlite3_prepare_v2(c, "SELECT id FROM runs WHERE service = ?1"
				  " AND status = 'queued' ORDER BY id",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, service, -1, SQLITE_STATIC);
		while (n < max && sqlite3_step(st) == SQLITE_ROW)
			ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	api_done(tx, c);
	return n;
}

/* db.jobs.set_status for every queued job of a run (stop's loop site). */
__attribute__((noinline)) static int jobs_stop_for_run(struct db_tx *tx, int64_t run_id)
{
	sqlite3 *c = api_conn(tx);
	int rc = sql_run(c, NULL,
			 "UPDATE jobs SET status = 'stopped'"
			 " WHERE run_id = ?1 AND status = 'queued'",
			 "i", run_id);
	api_done(tx, c);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* db.runs.set_status(run, Stopped) */
__attribute__((noinline)) static int runs_set_stopped(struct db_tx *tx, int64_t run_id)
{
	sqlite3 *c = api_conn(tx);
	int rc = sql_run(c, NULL, "UPDATE runs SET status = 'stopped' WHERE id = ?1",
			 "i", run_id);
	api_done(tx, c);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* db.jobs.delete_all() */
__attribute__((noinline)) static int jobs_delete_all(struct db_tx *tx)
{
	sqlite3 *c = api_conn(tx);
	int rc = sql_run(c, NULL, "DELETE FROM jobs", "");
	api_done(tx, c);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* db.runs.delete_all(): the runs and their job links. */
__attribute__((noinline)) static int runs_delete_all(struct db_tx *tx)
{
	sqlite3 *c = api_conn(tx);
	int rc = sql_run(c, NULL, "DELETE FROM run_jobs", "");
	if (rc == SQLITE_DONE)
		rc = sql_run(c, NULL, "DELETE FROM runs", "");
	api_done(tx, c);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The job scheduler's sub-APIs.  Each is one statement, so atomic on its
 * own; the scheduler never holds a connection while a job runs. */

/* Claims the oldest queued job of a queued run (queued -> running).
 * Returns 0 with *job_id and action[] set, -1 when there is none (or the
 * database stayed locked past the busy timeout: the next kick retries). */
__attribute__((noinline)) static int jobs_claim_next(struct db_tx *tx, int64_t *job_id,
						     char *action, size_t action_len)
{
	sqlite3 *c = api_conn(tx);
	sqlite3_stmt *st = NULL;
	int res = -1;
	if (sqlite3_prepare_v2(c, "UPDATE jobs SET status = 'running'"
				  " WHERE id = (SELECT j.id FROM jobs j"
				  "             JOIN runs r ON r.id = j.run_id"
				  "             WHERE j.status = 'queued'"
				  "               AND r.status = 'queued'"
				  "             ORDER BY j.id LIMIT 1)"
				  " RETURNING id, action",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*job_id = sqlite3_column_int64(st, 0);
		snprintf(action, action_len, "%s",
			 (const char *)sqlite3_column_text(st, 1));
		res = 0;
	}
	sqlite3_finalize(st); /* runs the UPDATE to completion */
	api_done(tx, c);
	return res;
}

/* db.actions.get(name).script: 0 with script[] set, -1 if undefined. */
__attribute__((noinline)) static int actions_get_script(struct db_tx *tx, const char *name,
							char *script, size_t script_len)
{
	sqlite3 *c = api_conn(tx);
	sqlite3_stmt *st = NULL;
	int res = -1;
	if (sqlite3_prepare_v2(c, "SELECT script FROM actions WHERE name = ?1", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(script, script_len, "%s",
				 (const char *)sqlite3_column_text(st, 0));
			res = 0;
		}
	}
	sqlite3_finalize(st);
	api_done(tx, c);
	return res;
}

/* db.jobs.set_status(job, Succeeded | Failed) with the child's exit code.
 * A job deleted meanwhile (wipe_all) updates nothing. */
__attribute__((noinline)) static int jobs_set_exit(struct db_tx *tx, int64_t job_id,
						   int64_t exit_code)
{
	sqlite3 *c = api_conn(tx);
	int rc = sql_run(c, NULL,
			 "UPDATE jobs SET exit_code = ?2, status = CASE ?2"
			 " WHEN 0 THEN 'succeeded' ELSE 'failed' END WHERE id = ?1",
			 "ii", job_id, exit_code);
	api_done(tx, c);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* HeroProcDb::transaction(|tx| ...) -- the fix vehicle shipped with #124    */
/* ------------------------------------------------------------------------ */

typedef int (*tx_body_fn)(struct db_tx *tx, void *arg);

/* Checks one connection out for the whole handler, BEGIN IMMEDIATE (takes
 * the WAL write lock up front, so no statement inside can hit SQLITE_BUSY
 * or a stale snapshot), runs the body, COMMIT on 0 or ROLLBACK otherwise.
 * If the write lock stays busy past BUSY_TIMEOUT_MS the handler fails with
 * "database is locked" having written nothing -- an error reply, never a
 * half-written run.  Returns the body's result, or -1. */
/* Shipped with #124, so present (unused) in the buggy variant too. */
__attribute__((noinline, unused)) static int db_transaction(tx_body_fn body,
							   void *arg)
{
	struct db_tx tx = {.conn = pool_acquire()};
	int rc = sql_run(tx.conn, NULL, "BEGIN IMMEDIATE", "");
	if (rc != SQLITE_DONE) {
		pool_release(tx.conn);
		return -1;
	}
	int res = body(&tx, arg);
	if (res == 0 && sql_run(tx.conn, NULL, "COMMIT", "") != SQLITE_DONE)
		res = -1;
	if (res != 0)
		sql_run(tx.conn, NULL, "ROLLBACK", "");
	pool_release(tx.conn);
	return res;
}

/* ------------------------------------------------------------------------ */
/* RPC handlers                                                              */
/* ------------------------------------------------------------------------ */

struct submit_req {
	const char *service;
	const char *const *actions;
	int nactions;
	/* reply */
	int64_t run_id;
	int64_t njobs;
};

/* rollback_submit: the hand-rolled async undo of handle_submit, itself one
 * pooled step per delete -- so it can race like the handler it undoes. */
__attribute__((noinline)) static void rollback_submit(int64_t run_id,
						      const int64_t *job_ids, int njobs)
{
	for (int i = 0; i < njobs; i++)
		jobs_delete(NULL, job_ids[i]);
	runs_delete(NULL, run_id);
}

/* Body of run.rs::handle_submit.  Returns 0 with req->run_id/njobs set when
 * the RPC replies success, -1 when it replies an error. */
__attribute__((noinline)) static int submit_body(struct db_tx *tx, void *arg)
{
	struct submit_req *req = arg;
	int64_t run_id = 0, job_ids[NACTIONS];
	int njobs = 0;

	if (runs_insert(tx, req->service, &run_id) != 0)
		return -1;
#if defined(FORCE_WINDOW) && FORCE_WINDOW == 1
	/* Window 1: the run is committed, none of its jobs yet.  wipe_all and
	 * service.stop run here; the jobs below then point at a deleted run. */
	usleep(FORCE_WINDOW_US);
#endif
	for (int i = 0; i < req->nactions; i++) {
		int64_t job_id = 0;
		if (actions_get(tx, req->actions[i]) != 0 ||
		    jobs_set(tx, run_id, req->actions[i], &job_id) != 0) {
			if (!tx) /* inside db.transaction() the ROLLBACK undoes it */
				rollback_submit(run_id, job_ids, njobs);
			return -1;
		}
		job_ids[njobs++] = job_id;
		if (runs_add_job(tx, run_id, job_id) != 0) {
			if (!tx)
				rollback_submit(run_id, job_ids, njobs);
			return -1;
		}
	}
#if defined(FORCE_WINDOW) && FORCE_WINDOW == 2
	/* Window 2: all jobs linked; wipe_all deletes the jobs here and pauses
	 * before deleting the runs, so the reply below reads a bare run. */
	usleep(FORCE_WINDOW_US);
#endif
	/* The reply carries the run as stored, with its jobs. */
	int64_t stored = runs_get_njobs(tx, run_id);
	if (stored < 0)
		return -1; /* "run not found": an error reply, not a success */
	req->run_id = run_id;
	req->njobs = stored;
	return 0;
}

/* rpc/run.rs::handle_submit */
__attribute__((noinline)) static int rpc_run_submit(struct submit_req *req)
{
#if VARIANT == SUP_FIXED
	return db_transaction(submit_body, req);
#else
	return submit_body(NULL, req); /* each step pools its own connection */
#endif
}

/* Body of service.stop: every queued run of the service, and its queued
 * jobs, becomes stopped, so the supervisor starts none of them. */
__attribute__((noinline)) static int stop_body(struct db_tx *tx, void *arg)
{
	const char *service = arg;
	int64_t runs[MAX_RUNS];
	int n = runs_list_queued(tx, service, runs, MAX_RUNS);
	for (int i = 0; i < n; i++) {
		if (jobs_stop_for_run(tx, runs[i]) != 0 ||
		    runs_set_stopped(tx, runs[i]) != 0)
			return -1;
	}
	return 0;
}

/* service.stop */
__attribute__((noinline)) static int rpc_service_stop(const char *service)
{
#if VARIANT == SUP_FIXED
	return db_transaction(stop_body, (void *)service);
#else
	return stop_body(NULL, (void *)service);
#endif
}

/* Body of wipe_all: drop every job, then every run (with its links). */
__attribute__((noinline)) static int wipe_body(struct db_tx *tx, void *arg)
{
	(void)arg;
	if (jobs_delete_all(tx) != 0)
		return -1;
#if defined(FORCE_WINDOW) && FORCE_WINDOW == 2
	usleep(2 * FORCE_WINDOW_US); /* jobs gone, runs not yet */
#endif
	return runs_delete_all(tx);
}

/* wipe_all */
__attribute__((noinline)) static int rpc_wipe_all(void)
{
#if VARIANT == SUP_FIXED
	return db_transaction(wipe_body, NULL);
#else
	return wipe_body(NULL, NULL);
#endif
}

/* ------------------------------------------------------------------------ */
/* Job scheduler: runs queued jobs as child processes                        */
/* ------------------------------------------------------------------------ */

/* sched_mu guards sched_kicks and sched_stopping; sched_cv is signalled on
 * either.  A leaf lock: never held across a statement or a child. */
static pthread_mutex_t sched_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sched_cv = PTHREAD_COND_INITIALIZER;
static int sched_kicks;      /* jobs were queued since the scheduler last looked */
static bool sched_stopping;  /* the daemon shuts down: drain, then exit */

/* Wakes the scheduler: a handler queued jobs, or the daemon stops. */
static void scheduler_kick(bool stopping)
{
	pthread_mutex_lock(&sched_mu);
	if (stopping)
		sched_stopping = true;
	else
		sched_kicks++;
	pthread_cond_signal(&sched_cv);
	pthread_mutex_unlock(&sched_mu);
}

/* Starts one job's script as a child process (/bin/sh -c SCRIPT) and waits
 * for it.  Returns its exit code (128 + signal if it was killed). */
__attribute__((noinline)) static int64_t job_exec(const char *script)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr, "spawn %s: %s\n", script, strerror(rc));
		return 127;
	}
	int st = 0;
	pid_t w;
	while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	assert(w == pid && "waitpid lost the job's child");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* One scheduler step: claim a queued job, run it, record its exit.  Every
 * database step is its own pooled call; no connection is held while the
 * child runs.  Returns 0 when a job ran, -1 when none was queued. */
__attribute__((noinline)) static int run_next_job(void)
{
	int64_t job_id = 0;
	char action[SCRIPT_MAX], script[SCRIPT_MAX];
	if (jobs_claim_next(NULL, &job_id, action, sizeof action) != 0)
		return -1;
	int64_t code = 127; /* "command not found": the action was undefined */
	if (actions_get_script(NULL, action, script, sizeof script) == 0)
		code = job_exec(script);
	jobs_set_exit(NULL, job_id, code);
	return 0;
}

/* The supervisor's job scheduler: drains the queue whenever it is kicked;
 * on shutdown it drains once more and exits. */
static void *job_runner_thread(void *arg)
{
	(void)arg;
	for (;;) {
		while (run_next_job() == 0)
			;
		pthread_mutex_lock(&sched_mu);
		while (sched_kicks == 0 && !sched_stopping)
			pthread_cond_wait(&sched_cv, &sched_mu);
		bool kicked = sched_kicks > 0, stopping = sched_stopping;
		sched_kicks = 0;
		pthread_mutex_unlock(&sched_mu);
		if (!kicked && stopping)
			return NULL;
	}
}

/* ------------------------------------------------------------------------ */
/* Client connections: one thread per concurrent RPC                         */
/* ------------------------------------------------------------------------ */

static void *submit_thread(void *arg)
{
	(void)arg;
	struct submit_req req = {.service = SERVICE_NAME,
				 .actions = service_actions,
				 .nactions = NACTIONS};
	if (rpc_run_submit(&req) == 0) {
		/* The UI renders the reply: a submitted run must carry its jobs. */
		if (req.njobs != NACTIONS)
			fprintf(stderr, "run.submit: run %lld replied with %lld of %d jobs\n",
				(long long)req.run_id, (long long)req.njobs, NACTIONS);
		assert(req.njobs == NACTIONS &&
		       "run.submit returned success for a run with no jobs");
		scheduler_kick(false); /* jobs are queued: start them */
	}
	return NULL;
}

static void *stop_thread(void *arg)
{
	(void)arg;
#if defined(FORCE_WINDOW) && FORCE_WINDOW == 1
	usleep(FORCE_WINDOW_US / 2); /* arrive inside window 1 */
#elif defined(FORCE_WINDOW) && FORCE_WINDOW == 2
	usleep(20 * FORCE_WINDOW_US); /* keep stop out of window 2's way */
#endif
	rpc_service_stop(SERVICE_NAME);
	return NULL;
}

static void *wipe_thread(void *arg)
{
	(void)arg;
#if defined(FORCE_WINDOW)
	usleep(FORCE_WINDOW_US / 2); /* arrive inside the forced window */
#endif
	rpc_wipe_all();
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Setup, invariant, teardown                                                */
/* ------------------------------------------------------------------------ */

/* Opens the pool on a fresh database in a fresh folder, creates the schema
 * (the tables hero_proc keeps for runs, jobs, their links and actions) and
 * defines the service's actions.  Runs before any thread starts. */
static void db_open_pool(void)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(db_dir, sizeof db_dir, "%s/hero_proc-XXXXXX", tmp);
	if (!mkdtemp(db_dir)) {
		perror("mkdtemp");
		abort();
	}
	snprintf(db_path, sizeof db_path, "%s/hero_proc.db", db_dir);

	for (int i = 0; i < POOL_SIZE; i++) {
		/* rusqlite opens with SQLITE_OPEN_NO_MUTEX: the pool guarantees
		 * one user per connection at a time. */
		if (sqlite3_open_v2(db_path, &db_pool_conns[i],
				    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					    SQLITE_OPEN_NOMUTEX,
				    NULL) != SQLITE_OK) {
			fprintf(stderr, "open %s failed\n", db_path);
			abort();
		}
		sqlite3_busy_timeout(db_pool_conns[i], BUSY_TIMEOUT_MS);
		if (i == 0) {
			sql_must(db_pool_conns[0],
				 "PRAGMA journal_mode = WAL;"
				 "CREATE TABLE actions(name TEXT PRIMARY KEY,"
				 "  service TEXT NOT NULL, script TEXT NOT NULL);"
				 "CREATE TABLE runs(id INTEGER PRIMARY KEY,"
				 "  service TEXT NOT NULL, status TEXT NOT NULL);"
				 "CREATE TABLE jobs(id INTEGER PRIMARY KEY,"
				 "  run_id INTEGER NOT NULL, action TEXT NOT NULL,"
				 "  status TEXT NOT NULL, exit_code INTEGER);"
				 "CREATE TABLE run_jobs(run_id INTEGER NOT NULL,"
				 "  job_id INTEGER NOT NULL,"
				 "  PRIMARY KEY(run_id, job_id));"
				 "INSERT INTO actions VALUES"
				 "  ('web.build', 'web', 'exit 0'),"
				 "  ('web.deploy', 'web', 'true');");
		}
		/* Per-connection settings, applied by the pool's manager; the
		 * query also loads the schema before the handlers start. */
		sql_must(db_pool_conns[i], "PRAGMA synchronous = NORMAL;"
					   "SELECT count(*) FROM runs;");
	}
}

/* The supervisor's consistency, as the UI and the job scheduler rely on it:
 *   - every job, and every job link, belongs to an existing run;
 *   - every run carries all its jobs;
 *   - a run that service.stop stopped holds no queued job. */
__attribute__((noinline)) static void check_invariants(void)
{
	sqlite3 *c = pool_acquire();
	int64_t orphans = -1, bare_runs = -1, queued_in_stopped = -1;

	sql_run(c, &orphans,
		"SELECT (SELECT count(*) FROM jobs"
		"        WHERE run_id NOT IN (SELECT id FROM runs))"
		"     + (SELECT count(*) FROM run_jobs"
		"        WHERE run_id NOT IN (SELECT id FROM runs)"
		"           OR job_id NOT IN (SELECT id FROM jobs))",
		"");
	if (orphans != 0)
		fprintf(stderr, "%lld orphaned job(s)/link(s)\n", (long long)orphans);
	assert(orphans == 0 && "orphaned job: its run was deleted");

	sql_run(c, &bare_runs,
		"SELECT count(*) FROM runs r WHERE"
		" (SELECT count(*) FROM run_jobs l JOIN jobs j ON j.id = l.job_id"
		"  WHERE l.run_id = r.id AND j.run_id = r.id) != ?1",
		"i", (int64_t)NACTIONS);
	if (bare_runs != 0)
		fprintf(stderr, "%lld run(s) without all their jobs\n",
			(long long)bare_runs);
	assert(bare_runs == 0 && "submitted run with no jobs");

	sql_run(c, &queued_in_stopped,
		"SELECT count(*) FROM jobs j JOIN runs r ON r.id = j.run_id"
		" WHERE r.status = 'stopped' AND j.status = 'queued'",
		"");
	if (queued_in_stopped != 0)
		fprintf(stderr, "%lld queued job(s) in stopped runs\n",
			(long long)queued_in_stopped);
	assert(queued_in_stopped == 0 && "service.stop left a queued job behind");

	pool_release(c);
}

/* Closes the pool (the last close checkpoints and removes the WAL) and
 * removes the database folder.  Only reached when the run passed. */
static void db_close_pool(void)
{
	char path[PATH_MAX + 8];
	for (int i = 0; i < POOL_SIZE; i++)
		sqlite3_close(db_pool_conns[i]);
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(path, sizeof path, "%s%s", db_path, suffixes[i]);
		if (unlink(path) != 0 && errno != ENOENT)
			perror(path);
	}
	if (rmdir(db_dir) != 0)
		perror(db_dir);
}

int main(void)
{
	pthread_t runner, submit, stop, wipe;

	/* SQLite's recommended SQLITE_DEFAULT_MEMSTATUS=0: without it every
	 * allocation takes the memory-statistics mutex, ~15x more lock calls
	 * per execution, none of them part of the race. */
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
		abort();
	db_open_pool();

	/* The daemon's job scheduler, then three RPCs that arrive together: a
	 * run.submit of the service, a service.stop of it and an admin
	 * wipe_all. */
	pthread_create(&runner, NULL, job_runner_thread, NULL);
	pthread_create(&submit, NULL, submit_thread, NULL);
	pthread_create(&stop, NULL, stop_thread, NULL);
	pthread_create(&wipe, NULL, wipe_thread, NULL);
	pthread_join(submit, NULL);
	pthread_join(stop, NULL);
	pthread_join(wipe, NULL);
	scheduler_kick(true); /* shutdown: the scheduler drains and exits */
	pthread_join(runner, NULL);

	check_invariants();
	db_close_pool();
	return 0;
}
