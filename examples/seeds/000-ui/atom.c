/* atom.c - hyper's app-state* atom, its cursors, the render snapshot and
 * h/batch.
 *
 * Clojure's swap! is a compare-and-set retry loop on an immutable map; here
 * it is "lock app_state_mu, copy the current value, apply f, publish the new
 * pointer, unlock": the same one-step publication. Published values are never
 * changed or freed (Clojure's GC keeps old maps alive for their readers), so
 * a reader may keep using the pointer it got after dropping the lock.
 *
 * The atom's watch releases the tab renderer's semaphore after every swap
 * (the "semaphore pattern" of -renderer-loop!).
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"

#define STATE_POOL 32

/* app_state_mu: the atom. Protects app_state, states_used, render_pending
 * and pending_since. Innermost lock: nothing is taken while it is held
 * (tab_rwlock, when present, is taken before it, registry_mu never with it). */
pthread_mutex_t app_state_mu = PTHREAD_MUTEX_INITIALIZER;
static struct app_state state_pool[STATE_POOL]; /* published values */
static unsigned states_used;
static const struct app_state *app_state;
static bool render_pending;           /* a change no render has picked up */
static struct timespec pending_since; /* when the oldest such change landed */

/* The binding of h/batch on this thread (a Clojure dynamic var). */
static _Thread_local struct batch *current_batch;

void atom_init(void)
{
    memset(&state_pool[0], 0, sizeof state_pool[0]);
    app_state = &state_pool[0];
    states_used = 1;
    /* The page request itself is the first change to render. */
    render_pending = true;
    clock_gettime(CLOCK_MONOTONIC, &pending_since);
}

/* The (swap! cursor f args) functions, applied to a private copy. */
static __attribute__((noinline)) void apply_cursor_write(struct app_state *s, const struct cursor_write *w)
{
    size_t len;
    switch (w->op) {
    case OP_DRAFT_KEY: /* on-input sends one key; '\b' is backspace */
        len = strlen(s->draft);
        if (w->text[0] == '\b') {
            if (len > 0)
                s->draft[len - 1] = '\0';
        } else if (len + 1 < DRAFT_MAX) {
            s->draft[len] = w->text[0];
            s->draft[len + 1] = '\0';
        }
        break;
    case OP_DRAFT_CLEAR:
        s->draft[0] = '\0';
        break;
    case OP_SLIDER_SET:
        s->slider = w->n;
        break;
    case OP_TODOS_CONJ:
        assert(s->n_items < MAX_ITEMS && "todo list full");
        snprintf(s->items[s->n_items], ITEM_MAX, "%s", w->text);
        s->n_items++;
        break;
    case OP_TODO_COUNT_INC:
        s->item_count++;
        break;
    }
}

/* swap!: one atomic publication of all `n` writes. Takes app_state_mu;
 * releases the renderer's semaphore after dropping it (the atom's watch). */
static __attribute__((noinline)) void atom_swap(const struct cursor_write *writes, int n)
{
    pthread_mutex_lock(&app_state_mu);
    assert(states_used < STATE_POOL && "state pool exhausted");
    struct app_state *next = &state_pool[states_used++];
    *next = *app_state;
    for (int i = 0; i < n; i++)
        apply_cursor_write(next, &writes[i]);
    next->version = app_state->version + 1;
    app_state = next;
    if (!render_pending) {
        render_pending = true;
        clock_gettime(CLOCK_MONOTONIC, &pending_since);
    }
    pthread_mutex_unlock(&app_state_mu);
    sem_post(&render_sem);
}

/* (reset!/swap! cursor ...): lands at once, unless inside h/batch, where it
 * only joins the batch's shadow writes. */
void cursor_swap(enum cursor_op op, const char *text, int n)
{
    struct cursor_write w = { op, text, n };
    if (current_batch != NULL) {
        assert(current_batch->n < BATCH_MAX && "batch too large");
        current_batch->writes[current_batch->n++] = w;
        return;
    }
    atom_swap(&w, 1);
}

void batch_begin(struct batch *b)
{
    assert(current_batch == NULL && "nested batch");
    b->n = 0;
    current_batch = b;
}

/* End of h/batch: the shadow writes land in one swap!, so the renderer sees
 * all of them or none. */
__attribute__((noinline)) void batch_commit(struct batch *b)
{
    assert(current_batch == b);
    current_batch = NULL;
    if (b->n > 0)
        atom_swap(b->writes, b->n);
}

/* @app-state*: the newest published value. */
const struct app_state *atom_deref(void)
{
    pthread_mutex_lock(&app_state_mu);
    const struct app_state *s = app_state;
    pthread_mutex_unlock(&app_state_mu);
    return s;
}

/* The renderer picks up all pending changes: returns the value this render
 * starts from and when the oldest change it covers landed. */
__attribute__((noinline)) const struct app_state *atom_begin_render(struct timespec *since)
{
    pthread_mutex_lock(&app_state_mu);
    const struct app_state *s = app_state;
    *since = pending_since;
    render_pending = false;
    pthread_mutex_unlock(&app_state_mu);
    return s;
}

struct timespec atom_pending_since(void)
{
    pthread_mutex_lock(&app_state_mu);
    struct timespec t = pending_since;
    pthread_mutex_unlock(&app_state_mu);
    return t;
}

bool atom_render_pending(void)
{
    pthread_mutex_lock(&app_state_mu);
    bool p = render_pending;
    pthread_mutex_unlock(&app_state_mu);
    return p;
}

/* @cursor inside the page function. Before 3c6e730 every deref read the atom
 * as it was at that moment, so two cursors read during one render could come
 * from different values; since then they all read the render's snapshot. */
__attribute__((noinline)) const struct app_state *cursor_deref(const struct app_state *render_snapshot)
{
#if FIX_SNAPSHOT
    return render_snapshot;
#else
    (void)render_snapshot;
    return atom_deref();
#endif
}
