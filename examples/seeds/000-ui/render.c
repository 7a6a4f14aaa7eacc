/* render.c - hyper.render / hyper.server: render-tab, the per-tab renderer
 * thread (-renderer-loop!) and send! of the HTML over SSE.
 *
 * The renderer parks on a semaphore that the atom's watch releases after
 * every state change, drains extra releases (several changes, one frame),
 * re-renders the tab and sends the frame.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ui.h"

#define SSE_LOG_MAX 32

sem_t render_sem;        /* released by the atom's watch; waited on by the renderer */
atomic_bool tab_closing; /* set once the tab's SSE connection is closed */

#if TAB_RWLOCK
/* PR #36: one fair (FIFO, writer-preferring) ReentrantReadWriteLock per tab.
 * Write: cleanup + render. Read: action lookup + execution. Outermost lock:
 * registry_mu and app_state_mu are taken inside it. */
pthread_rwlock_t tab_rwlock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
#endif

/* What the browser received, in order. Written by whoever renders (main for
 * the initial page, then only the renderer thread); read by main after the
 * renderer is joined. */
static struct frame sse_log[SSE_LOG_MAX];
static int sse_sent;

void frame_printf(struct frame *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int room = HTML_MAX - f->html_len;
    int n = vsnprintf(f->html + f->html_len, (size_t)room, fmt, ap);
    va_end(ap);
    assert(n >= 0 && n < room && "frame html too long");
    f->html_len += n;
}

/* -DFORCE_WINDOW: the hand-made widening of the window. */
void force_window(void)
{
#ifdef FORCE_WINDOW
    usleep(FORCE_WINDOW_US);
#endif
}

/* render-tab: run the page function against the state, registering its
 * actions into `ids` (*registered-action-ids*). */
static __attribute__((noinline)) void render_tab(struct frame *f, struct render_ids *ids)
{
    struct timespec since;
    memset(f, 0, sizeof *f);
    const struct app_state *snapshot = atom_begin_render(&since);
    f->version = snapshot->version;
    todo_page(snapshot, f, ids);
}

/* send!: the frame goes out on the tab's SSE stream. What the client sees
 * must be a state some action meant to expose: the footer counts the rows
 * of the list it is printed under. */
static __attribute__((noinline)) void send_sse_frame(const struct frame *f)
{
    if (f->footer_count != f->n_items)
        fprintf(stderr, "torn frame v%u: list shows %d todos, footer says %d\n", f->version, f->n_items,
                f->footer_count);
    assert(f->footer_count == f->n_items && "torn frame: footer count disagrees with the rendered list");
    assert(sse_sent < SSE_LOG_MAX && "too many frames");
    sse_log[sse_sent++] = *f;
}

#if TAB_RWLOCK
static long ms_between(struct timespec a, struct timespec b)
{
    return (long)(b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

/* The frame deadline: a state change must be rendered within
 * FRAME_DEADLINE_MS. Checked where the renderer has just waited for the
 * tab's write lock, i.e. for every action holding the read lock to finish.
 * (Only a wait can miss it: a check at send time would also flag a renderer
 * that was merely not scheduled, which the tool may always choose.) */
static __attribute__((noinline)) void check_frame_deadline(struct timespec change_at)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long late = ms_between(change_at, now);
    if (late > FRAME_DEADLINE_MS)
        fprintf(stderr, "frame deadline missed: state changed %ld ms ago, renderer waited for the tab write lock\n",
                late);
    assert(late <= FRAME_DEADLINE_MS && "frame deadline missed: a slow action froze rendering");
}
#endif

/* One pass of -renderer-loop!: re-render the tab and send the frame. */
__attribute__((noinline)) void renderer_cycle(void)
{
    struct frame f;
    struct render_ids ids = { 0 };
#if TAB_RWLOCK
    struct timespec change_at = atom_pending_since();
    pthread_rwlock_wrlock(&tab_rwlock);
    check_frame_deadline(change_at);
#endif
#if FIX_SWEEP
    /* dc317a3: render first (live ids are replaced in place), then drop only
     * the ids this render did not register. No moment without actions. */
    render_tab(&f, &ids);
    force_window();
    sweep_stale_actions(&ids);
#else
    /* Original: wipe all of the tab's actions, then render re-registers
     * them. A lookup between the two finds nothing: the gap. */
    cleanup_tab_actions();
    force_window();
    render_tab(&f, &ids);
#endif
#if TAB_RWLOCK
    /* Released after render, before send: send! does not touch app-state. */
    pthread_rwlock_unlock(&tab_rwlock);
#endif
    send_sse_frame(&f);
}

/* The tab's renderer (a virtual thread in hyper): parks until the state
 * changes, renders, and stops once the tab is closed and nothing is left
 * to send. */
void *renderer_thread(void *arg)
{
    (void)arg;
    for (;;) {
        sem_wait(&render_sem);
        while (sem_trywait(&render_sem) == 0)
            ; /* coalesce: one frame for all changes so far */
        if (atom_render_pending())
            renderer_cycle();
        /* A change that lands after the render picked up its value set
         * render_pending before releasing the semaphore, so it is either
         * seen here or wakes the next sem_wait. */
        if (atomic_load(&tab_closing) && !atom_render_pending())
            break;
    }
    return NULL;
}

const struct frame *last_sent_frame(void)
{
    return sse_sent > 0 ? &sse_log[sse_sent - 1] : NULL;
}

int sent_frames(void)
{
    return sse_sent;
}
