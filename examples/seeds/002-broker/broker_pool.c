/*
 * Seed 002: chat-agent broker session pool (openab, "SessionPool").
 *
 * The broker keeps one ACP agent process per Discord thread in a pool:
 *     connections: RwLock<HashMap<String, AcpConnection>>
 * A Discord message is handled by get_or_create(thread_id) followed by
 * stream_prompt(), which sends session/prompt to the agent and then reads
 * notifications until the agent's end_turn.  That read loop can last for
 * minutes (the agent runs `flutter build linux`, a test suite, ...).
 * A background task runs cleanup_idle() every 60 s.
 *
 * The agents are real child processes: agent_spawn() starts one per session
 * (posix_spawn of /bin/sh running AGENT_SCRIPT, its stdin and stdout on
 * pipes), a request is one line on its stdin and the agent answers with
 * notification lines ending in "end_turn" on its stdout, and alive() is a
 * real waitpid(WNOHANG) on it.  A child takes no virtual time under
 * interleave (docs/design.md, "Child processes"): the agent answers at
 * once.  So the minutes a prompt lasts (the agent's long tool call, with no
 * notification until end_turn) stay a virtual sleep in the broker between
 * sending the prompt and reading the agent's answer from the pipe.
 *
 * Three variants, built from this one file with -DVARIANT=...:
 *
 *  VARIANT_GLOBAL_LOCK  the original code: with_connection() takes the pool
 *                       WRITE lock and holds it for the whole prompt, so any
 *                       other session's get_or_create / with_connection waits
 *                       minutes (issue #58).
 *  VARIANT_FIRST_FIX    PR #59 as first submitted: HashMap<String,
 *                       Arc<Mutex<AcpConnection>>>, the pool lock is only
 *                       taken to clone the handle.  But review found two
 *                       places that still wait on a busy connection's mutex
 *                       with the pool lock held:
 *                        P1 cleanup_idle: write lock + conn_arc.lock().await
 *                        P2 get_or_create: read lock + conn_arc.lock().await
 *  VARIANT_FINAL_FIX    what was merged (#77 and its successor): clone the
 *                       Arc under a brief read lock and drop the guard before
 *                       locking the connection; cleanup snapshots the handles
 *                       and try_lock()s them (busy == not idle, skip); the
 *                       prompt loop is a select! with a 30 s liveness check
 *                       instead of an unbounded rx.recv().await.
 *
 * Invariant (the report's symptom): session B, a different Discord thread,
 * gets its reply within REPLY_DEADLINE_MS of virtual time even while session
 * A streams a minutes-long prompt.  See the comment at session_b_thread for
 * why the deadline is only enforced when B actually queued for pool_lock
 * behind a holder that waited on a session.
 *
 * Debug options (not used by seed.mk):
 *   -DFORCE_WINDOW   session B's message arrives 90 s into A's build, the way
 *                    the report reproduces it by hand ("while thread A is
 *                    busy, open thread B and send any message").
 *   -DTIME_DIV=1000  divide every duration by 1000 for native runs.
 *   -DFOLLOWUP=0     no second message in thread A (shows flaw P1 alone).
 *   -DUNGUARDED_DEADLINE  check B's deadline unconditionally; under a
 *                    scheduler that may fire A's 180 s deadline while B is
 *                    runnable this also fails the final fix (see
 *                    session_b_thread), so it is for experiments only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define VARIANT_GLOBAL_LOCK 1
#define VARIANT_FIRST_FIX   2
#define VARIANT_FINAL_FIX   3

#ifndef VARIANT
#error "build with -DVARIANT=VARIANT_GLOBAL_LOCK, VARIANT_FIRST_FIX or VARIANT_FINAL_FIX"
#endif
#if VARIANT != VARIANT_GLOBAL_LOCK && VARIANT != VARIANT_FIRST_FIX && \
    VARIANT != VARIANT_FINAL_FIX
#error "unknown VARIANT"
#endif

/* ---- timing, in milliseconds of (virtual) time ------------------------- */
#ifndef TIME_DIV
#define TIME_DIV 1              /* native runs: -DTIME_DIV=1000 */
#endif
#ifndef PROMPT_A_MS
#define PROMPT_A_MS 180000      /* `flutter build linux`: 3 min, no ACP notifications */
#endif
#ifndef PROMPT_FOLLOWUP_MS
#define PROMPT_FOLLOWUP_MS 2000 /* second message in thread A */
#endif
#ifndef PROMPT_B_MS
#define PROMPT_B_MS 1000        /* "send any message" in thread B: short answer */
#endif
#ifndef SPAWN_MS
#define SPAWN_MS 500            /* spawn + initialize + session/new, under the write lock */
#endif
#ifndef REPLY_DEADLINE_MS
#define REPLY_DEADLINE_MS 5000  /* B must be answered within 5 s */
#endif
#ifndef CLEANUP_INTERVAL_MS
#define CLEANUP_INTERVAL_MS 60000   /* main.rs: sleep(60 s); cleanup_idle(ttl) */
#endif
#ifndef CLEANUP_PASSES
#define CLEANUP_PASSES 2
#endif
#ifndef ALIVE_CHECK_MS
#define ALIVE_CHECK_MS 30000    /* final fix: select! { rx.recv(), sleep(30 s) } */
#endif
#ifndef SESSION_TTL_MS
#define SESSION_TTL_MS (24LL * 3600 * 1000)   /* session_ttl_hours = 24 */
#endif
#ifndef FORCE_WINDOW_MS
#define FORCE_WINDOW_MS 90000   /* FORCE_WINDOW: B arrives 90 s into A's build */
#endif
#ifndef FOLLOWUP
#define FOLLOWUP 1
#endif

#define POOL_MAX  4             /* map capacity (max_sessions is never reached) */
#define KEY_LEN   16
#define LINE_MAX_ 128           /* one ACP message line */

/* The agent (claude-agent-acp in the report): one request per line on its
 * stdin; for each it writes its answer and then "end_turn" on its stdout.
 * It exits when its stdin is closed (the broker dropped the connection). */
#define AGENT_SCRIPT \
    "while read -r req; do printf '%s\\n' \"agent_message_chunk: $req\" end_turn; done"

extern char **environ;

static int64_t ms_to_ns(int64_t ms) { return ms * 1000000LL / TIME_DIV; }

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ns(int64_t ns)
{
    if (ns <= 0)
        return;
    struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* ---- AcpConnection ----------------------------------------------------- */

/* One agent process (claude-agent-acp) bound to one Discord thread.
 * In VARIANT_GLOBAL_LOCK the map owns it directly and every access happens
 * under pool_lock; in the fixes it is an Arc<Mutex<AcpConnection>>: `refs` is
 * the Arc strong count and `mu` the tokio Mutex that stream_prompt holds for
 * the whole prompt. */
struct acp_conn {
    char thread_key[KEY_LEN];
    pthread_mutex_t mu;             /* Arc<Mutex<..>>'s Mutex (fixes only) */
    atomic_int refs;                /* Arc strong count (map holds one) */
    atomic_bool agent_running;      /* not yet seen exited (reaped) */
    bool dropped;                   /* Drop ran: process group killed */
    int64_t last_active_ns;         /* guarded by mu (fixes) / pool_lock (global) */
    int64_t reply_due_ns;           /* when the agent sends end_turn */
    /* The agent process and its stdio; used by whoever owns the connection
     * (mu in the fixes, pool_lock in the global-lock variant). */
    pid_t pid;
    int to_agent;                   /* its stdin (write end), -1 once closed */
    int from_agent;                 /* its stdout (read end) */
    char rbuf[2 * LINE_MAX_];       /* bytes read from the agent, not yet a line */
    size_t rlen;
};

/* Storage for connections; slots are never reused so a use after Drop is
 * caught by the `dropped` flag instead of being undefined behaviour. */
static struct acp_conn conn_storage[POOL_MAX + 2];
static int conn_storage_used;       /* guarded by pool_lock (write) */

/* ---- SessionPool ------------------------------------------------------- */

struct pool_entry {
    char key[KEY_LEN];
    struct acp_conn *conn;          /* the map's reference */
};

/* SessionPool.connections: tokio::sync::RwLock<HashMap<..>> */
static pthread_rwlock_t pool_lock;
static struct pool_entry pool_entries[POOL_MAX];   /* guarded by pool_lock */
static int pool_len;                                /* guarded by pool_lock */

/* ---- bookkeeping: was pool_lock held across a wait on a session? -------
 * Stand-in for the tool's future lock-hold detector, used only to attribute
 * B's delay (see session_b_thread).  A thread that, while holding pool_lock,
 * streams a prompt or waits for a connection's mutex bumps the counter when
 * it releases pool_lock; a thread that observes the counter move while it
 * was acquiring pool_lock queued behind such a holder. */
static atomic_uint pool_releases_after_session_wait;
static _Thread_local char pool_held;                 /* 0, 'r' or 'w' */
static _Thread_local bool session_wait_under_pool;
static _Thread_local bool queued_behind_session_wait;

static void note_session_wait(void)
{
    if (pool_held)
        session_wait_under_pool = true;
}

static void pool_read_lock(void)
{
    unsigned before = atomic_load(&pool_releases_after_session_wait);
    pthread_rwlock_rdlock(&pool_lock);                /* connections.read().await */
    if (atomic_load(&pool_releases_after_session_wait) != before)
        queued_behind_session_wait = true;
    pool_held = 'r';
}

static void pool_write_lock(void)
{
    unsigned before = atomic_load(&pool_releases_after_session_wait);
    pthread_rwlock_wrlock(&pool_lock);                /* connections.write().await */
    if (atomic_load(&pool_releases_after_session_wait) != before)
        queued_behind_session_wait = true;
    pool_held = 'w';
}

static void pool_unlock(void)                        /* guard dropped */
{
    if (session_wait_under_pool) {
        atomic_fetch_add(&pool_releases_after_session_wait, 1);
        session_wait_under_pool = false;
    }
    pool_held = 0;
    pthread_rwlock_unlock(&pool_lock);
}

/* ---- connection primitives --------------------------------------------- */

/* AcpConnection::alive(): child.try_wait() == Ok(None), a real
 * waitpid(WNOHANG) on the agent (which reaps it once it has exited). */
static __attribute__((noinline)) bool conn_alive(struct acp_conn *c)
{
    if (!atomic_load(&c->agent_running))
        return false;
    int st;
    pid_t r = waitpid(c->pid, &st, WNOHANG);
    if (r == c->pid || (r < 0 && errno == ECHILD))
        atomic_store(&c->agent_running, false);
    return atomic_load(&c->agent_running);
}

/* Sends one request line to the agent's stdin.  -1 if the agent is gone
 * (EPIPE: SIGPIPE is ignored, as in a Rust program). */
static int agent_send(struct acp_conn *c, const char *text)
{
    char line[LINE_MAX_];
    int n = snprintf(line, sizeof line, "%s\n", text);
    assert(n > 0 && n < (int)sizeof line);
    for (int off = 0; off < n;) {
        ssize_t w = c->to_agent < 0 ? -1 : write(c->to_agent, line + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (int)w;
    }
    return 0;
}

/* Reads one line of the agent's stdout (without its newline).  -1 on EOF:
 * the agent exited. */
static int agent_read_line(struct acp_conn *c, char *line, size_t len)
{
    for (;;) {
        char *nl = memchr(c->rbuf, '\n', c->rlen);
        if (nl) {
            size_t k = (size_t)(nl - c->rbuf);
            snprintf(line, len, "%.*s", (int)k, c->rbuf);
            c->rlen -= k + 1;
            memmove(c->rbuf, nl + 1, c->rlen);
            return 0;
        }
        if (c->rlen == sizeof c->rbuf)
            return -1;                              /* no line that long */
        ssize_t r = read(c->from_agent, c->rbuf + c->rlen, sizeof c->rbuf - c->rlen);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        c->rlen += (size_t)r;
    }
}

/* The notification loop: reads the agent's notifications for `text` until
 * end_turn; the answer must be the one to this request (one prompt at a
 * time per connection, so no other session's answer is ever read here).
 * -1 if the agent exited first. */
static int agent_read_reply(struct acp_conn *c, const char *text)
{
    char line[LINE_MAX_], want[LINE_MAX_];
    bool answered = false;
    snprintf(want, sizeof want, "agent_message_chunk: %s", text);
    for (;;) {
        if (agent_read_line(c, line, sizeof line) != 0)
            return -1;
        if (strcmp(line, "end_turn") == 0)
            break;
        if (strcmp(line, want) == 0)
            answered = true;
    }
    assert(answered && "the agent's answer is not for this prompt");
    return 0;
}

#if VARIANT != VARIANT_GLOBAL_LOCK
/* conn_arc.lock().await: waits as long as the holder streams its prompt. */
static __attribute__((noinline)) void conn_lock(struct acp_conn *c)
{
    note_session_wait();
    pthread_mutex_lock(&c->mu);
}

static void conn_unlock(struct acp_conn *c)
{
    pthread_mutex_unlock(&c->mu);
}

static void conn_clone(struct acp_conn *c)           /* Arc::clone */
{
    atomic_fetch_add(&c->refs, 1);
}
#endif

/* impl Drop for AcpConnection: kill the agent's process group.  Here:
 * close its stdin (the agent's read loop ends and it exits) and reap it. */
static __attribute__((noinline)) void conn_drop(struct acp_conn *c)
{
    assert(!c->dropped && "AcpConnection dropped twice");
    c->dropped = true;
    if (c->to_agent >= 0)
        close(c->to_agent);
    c->to_agent = -1;
    if (atomic_load(&c->agent_running)) {
        int st;
        while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
            ;
        atomic_store(&c->agent_running, false);
    }
    close(c->from_agent);
    c->from_agent = -1;
}

static void conn_release(struct acp_conn *c)         /* drop(Arc) */
{
    if (atomic_fetch_sub(&c->refs, 1) == 1)
        conn_drop(c);
}

/* AcpConnection::spawn + initialize + session_new.  The real code awaits
 * these round trips with the pool write lock held (in all variants).  The
 * agent is a real child process; its start-up (node, the ACP handshake)
 * takes SPAWN_MS, a virtual sleep, because a child takes no virtual time. */
static __attribute__((noinline)) struct acp_conn *agent_spawn(const char *key)
{
    assert(conn_storage_used < (int)(sizeof conn_storage / sizeof conn_storage[0]));
    struct acp_conn *c = &conn_storage[conn_storage_used++];
    snprintf(c->thread_key, sizeof c->thread_key, "%s", key);
    pthread_mutex_init(&c->mu, NULL);
    atomic_init(&c->refs, 1);
    c->dropped = false;
    c->rlen = 0;

    /* Command::new(agent).stdin(piped()).stdout(piped()).spawn().  The
     * pipes are close-on-exec, so no other agent inherits them (each agent
     * sees EOF when its own stdin is closed). */
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        perror("pipe2");
        assert(!"pipe2 failed");
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    char *argv[] = {"sh", "-c", AGENT_SCRIPT, NULL};
    int rc = posix_spawn(&c->pid, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    assert(rc == 0 && "could not spawn the agent");
    close(in[0]);
    close(out[1]);
    c->to_agent = in[1];
    c->from_agent = out[0];
    atomic_init(&c->agent_running, true);

    /* initialize + session/new: one round trip with the agent, answered
     * after its start-up.  (A read right after a write, with no scheduling
     * point between them, would race with the child under interleave: see
     * stream_prompt_locked.) */
    rc = agent_send(c, "session/new");
    sleep_ns(ms_to_ns(SPAWN_MS));
    if (rc == 0)
        rc = agent_read_reply(c, "session/new");
    assert(rc == 0 && "the agent died during initialize");
    c->last_active_ns = now_ns();
    return c;
}

/* ---- HashMap operations (caller holds pool_lock) ------------------------ */

static struct acp_conn *map_get_locked(const char *key)
{
    for (int i = 0; i < pool_len; i++)
        if (strcmp(pool_entries[i].key, key) == 0)
            return pool_entries[i].conn;
    return NULL;
}

static void map_insert_locked(const char *key, struct acp_conn *c)
{
    assert(pool_held == 'w');
    assert(pool_len < POOL_MAX);
    snprintf(pool_entries[pool_len].key, KEY_LEN, "%s", key);
    pool_entries[pool_len].conn = c;
    pool_len++;
}

/* Remove `key` if it still maps to `expected` (NULL: whatever it maps to);
 * returns the map's reference, or NULL. */
static struct acp_conn *map_remove_locked(const char *key, struct acp_conn *expected)
{
    assert(pool_held == 'w');
    for (int i = 0; i < pool_len; i++) {
        if (strcmp(pool_entries[i].key, key) != 0)
            continue;
        struct acp_conn *c = pool_entries[i].conn;
        if (expected && c != expected)                 /* Arc::ptr_eq */
            return NULL;
        pool_entries[i] = pool_entries[pool_len - 1];
        pool_len--;
        return c;
    }
    return NULL;
}

/* suspend_locked: save the ACP sessionId (not modelled) and remove the entry;
 * the agent is killed when the last reference goes. */
static void suspend_locked(const char *key, struct acp_conn *expected)
{
    struct acp_conn *c = map_remove_locked(key, expected);
    if (c)
        conn_release(c);
}

/* ---- SessionPool methods ------------------------------------------------ */

#if VARIANT != VARIANT_GLOBAL_LOCK
/* get_connection(): brief read lock, clone the Arc, drop the guard. */
static __attribute__((noinline)) struct acp_conn *pool_get_connection(const char *key)
{
    pool_read_lock();
    struct acp_conn *c = map_get_locked(key);
    if (c)
        conn_clone(c);
    pool_unlock();
    return c;
}
#endif

static __attribute__((noinline)) void pool_get_or_create(const char *key)
{
    /* Fast path: an alive connection already exists. */
#if VARIANT == VARIANT_GLOBAL_LOCK
    pool_read_lock();
    struct acp_conn *c = map_get_locked(key);
    bool ok = c && conn_alive(c);
    pool_unlock();
    if (ok)
        return;
#elif VARIANT == VARIANT_FIRST_FIX
    pool_read_lock();
    struct acp_conn *c = map_get_locked(key);
    if (c) {
        /* FLAW P2: `let conn = conn_arc.lock().await` with the read guard
         * still alive.  If thread A is mid-prompt, this read lock is held
         * for minutes and every writer (creating B's session) waits. */
        conn_lock(c);
        bool ok = conn_alive(c);
        conn_unlock(c);
        if (ok) {
            pool_unlock();
            return;
        }
    }
    pool_unlock();
#else
    /* Clone the handle under a brief read lock, release, then lock it. */
    struct acp_conn *c = pool_get_connection(key);
    if (c) {
        conn_lock(c);
        bool ok = conn_alive(c);
        conn_unlock(c);
        conn_release(c);
        if (ok)
            return;
    }
#endif

    /* Need to create or rebuild: write lock, double-check, spawn, insert. */
    pool_write_lock();
    struct acp_conn *cur = map_get_locked(key);
    if (cur) {
        bool alive;
#if VARIANT == VARIANT_GLOBAL_LOCK
        alive = conn_alive(cur);
#elif VARIANT == VARIANT_FIRST_FIX
        conn_lock(cur);                 /* same pattern, under the write lock */
        alive = conn_alive(cur);
        conn_unlock(cur);
#else
        /* never await a connection mutex under pool_lock: busy == alive */
        if (pthread_mutex_trylock(&cur->mu) == 0) {
            alive = conn_alive(cur);
            conn_unlock(cur);
        } else {
            alive = true;
        }
#endif
        if (alive) {
            pool_unlock();
            return;
        }
        suspend_locked(key, cur);       /* "stale connection, rebuilding" */
    }
    struct acp_conn *fresh = agent_spawn(key);
    map_insert_locked(key, fresh);
    pool_unlock();
}

/* The body of stream_prompt() once it owns the connection: session/prompt
 * on the agent's stdin, then read notifications from its stdout until
 * end_turn.  The agent runs a long tool call, so end_turn comes prompt_ms
 * later with nothing in between: the agent process answers at once (a child
 * takes no virtual time), so the tool call's duration is a virtual sleep
 * here, before the notifications are read.  That sleep is also a scheduling
 * point between the write and the read, where interleave lets the child
 * answer: the read then never waits on the child's real speed (a read
 * right after the write would be a scheduling point or not depending on
 * whether the child had answered yet, and replay could diverge). */
static __attribute__((noinline)) void stream_prompt_locked(struct acp_conn *c, int64_t prompt_ms,
                                                           const char *text)
{
    assert(!c->dropped && "prompt sent to an agent whose process was killed");
    note_session_wait();                        /* the prompt is a session wait */
    c->last_active_ns = now_ns();
    c->reply_due_ns = c->last_active_ns + ms_to_ns(prompt_ms);
    bool alive = agent_send(c, text) == 0;      /* session/prompt */
#if VARIANT == VARIANT_FINAL_FIX
    /* loop { select! { msg = rx.recv() => .., _ = sleep(30 s) => if !alive break } } */
    while (alive) {
        int64_t left = c->reply_due_ns - now_ns();
        if (left <= 0)
            break;                              /* end_turn is due */
        sleep_ns(left < ms_to_ns(ALIVE_CHECK_MS) ? left : ms_to_ns(ALIVE_CHECK_MS));
        alive = conn_alive(c);                  /* "agent process died during prompt" */
    }
#else
    /* while let Some(n) = rx.recv().await { .. if end_turn { break } } */
    sleep_ns(c->reply_due_ns - now_ns());
#endif
    if (alive) {
        int rc = agent_read_reply(c, text);     /* the notifications, up to end_turn */
        assert(rc == 0 && "the agent exited during the prompt");
    }
    c->last_active_ns = now_ns();               /* prompt_done() */
}

#if VARIANT == VARIANT_GLOBAL_LOCK
/* with_connection(): `let mut conns = self.connections.write().await;
 * let conn = conns.get_mut(thread_id)?; f(conn).await` -- the write guard
 * lives until the whole prompt has streamed. */
static __attribute__((noinline)) int pool_with_connection(const char *key, int64_t prompt_ms,
                                                          const char *text)
{
    pool_write_lock();
    struct acp_conn *c = map_get_locked(key);
    if (!c) {
        pool_unlock();
        return -1;                              /* "no connection for thread" */
    }
    stream_prompt_locked(c, prompt_ms, text);
    pool_unlock();
    return 0;
}
#endif

/* discord.rs stream_prompt() */
static __attribute__((noinline)) int stream_prompt(const char *key, int64_t prompt_ms,
                                                   const char *text)
{
#if VARIANT == VARIANT_GLOBAL_LOCK
    return pool_with_connection(key, prompt_ms, text);
#else
    struct acp_conn *c = pool_get_connection(key);   /* brief read lock */
    if (!c)
        return -1;
    conn_lock(c);                                    /* only THIS connection */
    stream_prompt_locked(c, prompt_ms, text);
    conn_unlock(c);                                  /* drop(conn) after prompt_done() */
    conn_release(c);
    return 0;
#endif
}

/* cleanup_idle(ttl): remove sessions idle for longer than the TTL or whose
 * agent process has exited. */
static __attribute__((noinline)) void pool_cleanup_idle(void)
{
    int64_t cutoff = now_ns() - ms_to_ns(SESSION_TTL_MS);
#if VARIANT == VARIANT_GLOBAL_LOCK
    pool_write_lock();
    char stale[POOL_MAX][KEY_LEN];
    int n = 0;
    for (int i = 0; i < pool_len; i++) {
        struct acp_conn *c = pool_entries[i].conn;
        if (c->last_active_ns < cutoff || !conn_alive(c))
            memcpy(stale[n++], pool_entries[i].key, KEY_LEN);
    }
    for (int i = 0; i < n; i++)
        suspend_locked(stale[i], NULL);
    pool_unlock();
#elif VARIANT == VARIANT_FIRST_FIX
    pool_write_lock();
    char stale[POOL_MAX][KEY_LEN];
    int n = 0;
    for (int i = 0; i < pool_len; i++) {
        struct acp_conn *c = pool_entries[i].conn;
        /* FLAW P1: `let conn = conn_arc.lock().await` with the WRITE guard
         * held.  A connection that is mid-prompt keeps this waiting for
         * minutes, and every session's get_or_create / get_connection
         * queues behind the write lock. */
        conn_lock(c);
        if (c->last_active_ns < cutoff || !conn_alive(c))
            memcpy(stale[n++], pool_entries[i].key, KEY_LEN);
        conn_unlock(c);
    }
    for (int i = 0; i < n; i++)
        suspend_locked(stale[i], NULL);
    pool_unlock();
#else
    /* Snapshot the handles under the read lock, release it, then probe each
     * connection with try_lock: a busy connection is by definition not idle. */
    char keys[POOL_MAX][KEY_LEN];
    struct acp_conn *snap[POOL_MAX];
    bool is_stale[POOL_MAX];
    int n = 0, n_stale = 0;
    pool_read_lock();
    for (int i = 0; i < pool_len; i++) {
        memcpy(keys[n], pool_entries[i].key, KEY_LEN);
        snap[n] = pool_entries[i].conn;
        conn_clone(snap[n]);
        n++;
    }
    pool_unlock();
    for (int i = 0; i < n; i++) {
        is_stale[i] = false;
        if (pthread_mutex_trylock(&snap[i]->mu) != 0)
            continue;                                /* busy streaming: skip */
        is_stale[i] = snap[i]->last_active_ns < cutoff || !conn_alive(snap[i]);
        conn_unlock(snap[i]);
        n_stale += is_stale[i];
    }
    if (n_stale > 0) {                               /* write lock only to remove */
        pool_write_lock();
        for (int i = 0; i < n; i++)
            if (is_stale[i])
                suspend_locked(keys[i], snap[i]);    /* only if still the same Arc */
        pool_unlock();
    }
    for (int i = 0; i < n; i++)
        conn_release(snap[i]);
#endif
}

/* ---- Discord side ------------------------------------------------------ */

/* Handler::message(): one Discord message in one thread. */
static __attribute__((noinline)) int handle_message(const char *thread_key, int64_t prompt_ms,
                                                    const char *text)
{
    pool_get_or_create(thread_key);
    return stream_prompt(thread_key, prompt_ms, text);
}

/* Thread A: "run flutter build linux" -- a prompt that streams for minutes. */
static void *session_a_thread(void *arg)
{
    (void)arg;
    int rc = handle_message("thread-A", PROMPT_A_MS, "run flutter build linux");
    assert(rc == 0 && "no connection for thread-A");
    return NULL;
}

#if FOLLOWUP
/* A second message in thread A while its build runs: it must queue behind
 * A's own prompt (same connection), which is expected and not checked. */
static void *session_a_followup_thread(void *arg)
{
    (void)arg;
    int rc = handle_message("thread-A", PROMPT_FOLLOWUP_MS, "is it done yet?");
    assert(rc == 0 && "no connection for thread-A");
    return NULL;
}
#endif

static int64_t b_elapsed_ns = -1;
static bool b_queued_behind_session_wait;

/* Thread B: a different user opens a new thread and sends any message.
 *
 * The deadline is checked only when B queued for pool_lock behind a holder
 * that waited on a session (A's prompt, or a busy connection's mutex) while
 * holding it.  Virtual time may legitimately move on while B is merely
 * runnable (the scheduler may fire A's 180 s deadline before it runs B
 * again); that delay is not the bug and no design can rule it out, so a
 * bare elapsed-time check would also fail the final fix.  In the final fix
 * no thread ever waits on a session while holding pool_lock, so the check
 * can never fire there; in the buggy variants it fires exactly when B's
 * request came in while A's prompt (directly or through cleanup / the
 * follow-up message) kept pool_lock busy. */
static void *session_b_thread(void *arg)
{
    (void)arg;
#ifdef FORCE_WINDOW
    sleep_ns(ms_to_ns(FORCE_WINDOW_MS));    /* arrive while A's build runs */
#endif
    queued_behind_session_wait = false;
    int64_t t0 = now_ns();
    int rc = handle_message("thread-B", PROMPT_B_MS, "hello");
    int64_t elapsed = now_ns() - t0;
    assert(rc == 0 && "no connection for thread-B");
    b_elapsed_ns = elapsed;
    b_queued_behind_session_wait = queued_behind_session_wait;
#ifndef UNGUARDED_DEADLINE
    if (queued_behind_session_wait)
#endif
        assert(elapsed < ms_to_ns(REPLY_DEADLINE_MS) &&
               "session B stalled behind another session's prompt");
    return NULL;
}

/* main.rs cleanup task: loop { sleep(60 s).await; cleanup_idle(ttl).await } */
static void *cleanup_thread(void *arg)
{
    (void)arg;
    for (int pass = 0; pass < CLEANUP_PASSES; pass++) {
        sleep_ns(ms_to_ns(CLEANUP_INTERVAL_MS));
        pool_cleanup_idle();
    }
    return NULL;
}

/* pool.shutdown(): drop every connection (kills the process groups). */
static void pool_shutdown(void)
{
    pool_write_lock();
    while (pool_len > 0)
        suspend_locked(pool_entries[0].key, NULL);
    pool_unlock();
}

int main(void)
{
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    /* tokio's RwLock is fair: a queued writer blocks new readers. */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&pool_lock, &attr);
    pthread_rwlockattr_destroy(&attr);

    /* Rust ignores SIGPIPE: a write to an exited agent fails with EPIPE. */
    signal(SIGPIPE, SIG_IGN);

    /* An older thread whose agent process has exited: cleanup's work item.
     * Its agent really exits (its stdin is closed, its read loop ends);
     * alive() then finds it gone. */
    pool_get_or_create("thread-C");
    pool_read_lock();
    struct acp_conn *old = map_get_locked("thread-C");
    close(old->to_agent);
    old->to_agent = -1;
    pool_unlock();

    /* Three Discord messages arrive together, plus the cleanup task. */
    pthread_t b, a, cleanup;
#if FOLLOWUP
    pthread_t a2;
#endif
    pthread_create(&b, NULL, session_b_thread, NULL);
    pthread_create(&a, NULL, session_a_thread, NULL);
#if FOLLOWUP
    pthread_create(&a2, NULL, session_a_followup_thread, NULL);
#endif
    pthread_create(&cleanup, NULL, cleanup_thread, NULL);

    pthread_join(b, NULL);
    pthread_join(a, NULL);
#if FOLLOWUP
    pthread_join(a2, NULL);
#endif
    pthread_join(cleanup, NULL);

    pool_shutdown();
    pthread_rwlock_destroy(&pool_lock);
    printf("broker: B replied in %lld ms of virtual time%s\n",
           (long long)(b_elapsed_ns * TIME_DIV / 1000000),
           b_queued_behind_session_wait ? " (queued behind a session wait)" : "");
    return 0;
}
