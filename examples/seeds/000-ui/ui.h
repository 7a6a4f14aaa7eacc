/* ui.h - shared declarations of the model of hyper's "Action not found" race
 * (seed 000, dynamic-alpha/hyper PR #36 and its follow-ups).
 *
 * hyper is a server-rendered UI framework: per browser tab one renderer
 * (a virtual thread) re-renders the page whenever the app state atom changes
 * and pushes the HTML over SSE; every rendered button registers an action
 * under a deterministic id "a_<tab>_<n>", and HTTP handler threads look the
 * id up and run the action when the browser posts it.
 *
 * Files, one per namespace of the real code:
 *   atom.c     app-state* atom, cursors, swap!, the render snapshot, h/batch
 *   actions.c  the action registry (:actions) and the HTTP action handler
 *   render.c   render-tab, -renderer-loop!, send! over SSE
 *   app.c      the user's page (example.app): view and actions
 *   server.c   main: opens the tab, runs the HTTP workers, closes the tab
 *
 * Build with -DVARIANT=<one of the names below>; see README.md.
 */
#ifndef UI_H
#define UI_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

/* ---- variants: one source, the diff between variants is the fix ------- */
#define UI_GAP_BUGGY     1 /* original code: cleanup-tab-actions! then render */
#define UI_GAP_FIXED     2 /* dc317a3: render first, then sweep stale ids */
#define UI_TORN_BUGGY    3 /* dc317a3 + an action writing two cursors */
#define UI_TORN_SNAPSHOT 4 /* 3c6e730: one snapshot per render, no batch yet */
#define UI_TORN_FIXED    5 /* snapshot + h/batch around the action body */
#define UI_RWLOCK        6 /* PR #36 as proposed: per-tab ReentrantReadWriteLock */

#define SCENARIO_GAP  1 /* the report's reproduction: typing + component events */
#define SCENARIO_TORN 2 /* typing + "Add" clicks, the two-cursor action */

#ifndef VARIANT
#error "build with -DVARIANT=UI_GAP_BUGGY (or another variant named in ui.h)"
#endif

/* FIX_SWEEP: render registers into a new set, then only stale ids go.
 * FIX_SNAPSHOT: every cursor deref inside a render reads one snapshot.
 * FIX_BATCH: add-todo wraps its body in h/batch (one swap at the end).
 * TAB_RWLOCK: write lock around cleanup+render, read lock around
 * lookup+execution of an action (the fix the maintainer rejected). */
#if VARIANT == UI_GAP_BUGGY
#define SCENARIO SCENARIO_GAP
#define FIX_SWEEP 0
#define FIX_SNAPSHOT 0
#define FIX_BATCH 0
#define TAB_RWLOCK 0
#elif VARIANT == UI_GAP_FIXED
#define SCENARIO SCENARIO_GAP
#define FIX_SWEEP 1
#define FIX_SNAPSHOT 0
#define FIX_BATCH 0
#define TAB_RWLOCK 0
#elif VARIANT == UI_TORN_BUGGY
#define SCENARIO SCENARIO_TORN
#define FIX_SWEEP 1
#define FIX_SNAPSHOT 0
#define FIX_BATCH 0
#define TAB_RWLOCK 0
#elif VARIANT == UI_TORN_SNAPSHOT
#define SCENARIO SCENARIO_TORN
#define FIX_SWEEP 1
#define FIX_SNAPSHOT 1
#define FIX_BATCH 0
#define TAB_RWLOCK 0
#elif VARIANT == UI_TORN_FIXED
#define SCENARIO SCENARIO_TORN
#define FIX_SWEEP 1
#define FIX_SNAPSHOT 1
#define FIX_BATCH 1
#define TAB_RWLOCK 0
#elif VARIANT == UI_RWLOCK
#define SCENARIO SCENARIO_TORN
#define FIX_SWEEP 0
#define FIX_SNAPSHOT 0
#define FIX_BATCH 0
#define TAB_RWLOCK 1
#else
#error "unknown VARIANT"
#endif

/* ---- the report's numbers, shrinkable with -D for native runs ---------- */
#ifndef SAVE_IO_MS
#define SAVE_IO_MS 3000 /* the storage query inside the add-todo action */
#endif
#ifndef FRAME_DEADLINE_MS
#define FRAME_DEADLINE_MS 1000 /* a state change must reach the client in 1 s */
#endif
/* -DFORCE_WINDOW: widen the windows by hand, as the report's authors did:
 * the renderer sleeps inside its loop (the gap / between two cursor reads)
 * and the browser waits between requests like a human typing. */
#ifdef FORCE_WINDOW
#ifndef FORCE_WINDOW_US
#define FORCE_WINDOW_US 50000
#endif
#ifndef THINK_TIME_US
#define THINK_TIME_US 20000
#endif
#endif

/* ---- app state (atom.c) ------------------------------------------------ */
#define TAB_ID "tab_e62e9f"
#define DRAFT_MAX 16
#define MAX_ITEMS 4
#define ITEM_MAX 16

/* One immutable value of app-state*; a swap publishes a new one. Each field
 * is what one cursor of the tab points at. */
struct app_state {
    unsigned version;
    char draft[DRAFT_MAX];         /* cursor :draft, the text input */
    int slider;                    /* cursor :slider, a third-party component */
    int n_items;                   /* cursor :todos, the list ... */
    char items[MAX_ITEMS][ITEM_MAX];
    int item_count;                /* cursor :todo-count, the footer */
};

enum cursor_op { OP_DRAFT_KEY, OP_DRAFT_CLEAR, OP_SLIDER_SET, OP_TODOS_CONJ, OP_TODO_COUNT_INC };

/* One (swap! cursor f args): applied to the newest value when it lands. */
struct cursor_write {
    enum cursor_op op;
    const char *text; /* static, lives for the whole run */
    int n;
};

/* h/batch: the writes of its body, flushed in one swap at its end. */
#define BATCH_MAX 4
struct batch {
    int n;
    struct cursor_write writes[BATCH_MAX];
};

void atom_init(void);
const struct app_state *atom_begin_render(struct timespec *pending_since);
struct timespec atom_pending_since(void);
bool atom_render_pending(void);
const struct app_state *atom_deref(void);
const struct app_state *cursor_deref(const struct app_state *render_snapshot);
void cursor_swap(enum cursor_op op, const char *text, int n);
void batch_begin(struct batch *b);
void batch_commit(struct batch *b);

/* ---- action registry (actions.c) --------------------------------------- */
#define MAX_PAGE_ACTIONS 8
#define ACTION_ID_MAX 32
typedef void (*action_fn)(const char *params);

/* *registered-action-ids*: the ids one render registered. */
struct render_ids {
    int n;
    int ids[MAX_PAGE_ACTIONS];
};

void format_action_id(char *buf, int n);
void register_action(struct render_ids *set, int n, action_fn fn);
void cleanup_tab_actions(void);
void sweep_stale_actions(const struct render_ids *set);
void handle_action(const char *action_id, const char *params);

/* ---- renderer (render.c) ----------------------------------------------- */
#define HTML_MAX 512
struct frame {
    unsigned version;   /* app-state version the render started from */
    char draft[DRAFT_MAX];
    int slider;
    int n_items;        /* <li> rows in the list */
    int footer_count;   /* "N items" in the footer */
    int html_len;
    char html[HTML_MAX];
};

extern sem_t render_sem;            /* state changes wake the renderer */
extern atomic_bool tab_closing;     /* the SSE connection went away */
#if TAB_RWLOCK
extern pthread_rwlock_t tab_rwlock;
#endif
void frame_printf(struct frame *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void force_window(void);
void renderer_cycle(void);
void *renderer_thread(void *arg);
const struct frame *last_sent_frame(void);
int sent_frames(void);

/* ---- the user's page (app.c) ------------------------------------------- */
enum page_action { ACT_ON_INPUT = 0, ACT_ON_SLIDE = 1, ACT_ADD_TODO = 2, ACT_CLEAR_DRAFT = 3 };
void todo_page(const struct app_state *snapshot, struct frame *f, struct render_ids *ids);

#endif /* UI_H */
