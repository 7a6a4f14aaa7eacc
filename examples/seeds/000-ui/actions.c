/* actions.c - hyper.actions: the registry of rendered actions and the HTTP
 * action handler.
 *
 * Every h/action in a rendered page registers a closure under a
 * deterministic id "a_<tab-id>_<n>" (n counts the actions of one render in
 * render order), so the same button gets the same id on every render. The
 * browser POSTs that id; the handler looks it up and runs it:
 *   (if-let [f (get-in @app-state* [:actions id])] (f client-params)
 *     (log/error "Action not found" ...))   -> HTTP 500
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"

#define REGISTRY_SLOTS 16

struct action_entry {
    bool used;
    char id[ACTION_ID_MAX];
    action_fn fn;
};

/* registry_mu protects registry[] (the :actions map). Taken alone, or inside
 * tab_rwlock in the rwlock variant; never together with app_state_mu. */
pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct action_entry registry[REGISTRY_SLOTS];

#define TAB_ACTION_PREFIX "a_" TAB_ID "_"

void format_action_id(char *buf, int n)
{
    snprintf(buf, ACTION_ID_MAX, TAB_ACTION_PREFIX "%d", n);
}

static bool belongs_to_tab(const struct action_entry *e)
{
    return e->used && strncmp(e->id, TAB_ACTION_PREFIX, strlen(TAB_ACTION_PREFIX)) == 0;
}

/* h/action during render: (swap! app-state* assoc-in [:actions id] f), and
 * the id joins *registered-action-ids*. Re-registering an id replaces its
 * closure in place, so a live id is never absent. Takes registry_mu. */
__attribute__((noinline)) void register_action(struct render_ids *set, int n, action_fn fn)
{
    char id[ACTION_ID_MAX];
    format_action_id(id, n);
    pthread_mutex_lock(&registry_mu);
    struct action_entry *slot = NULL;
    for (int i = 0; i < REGISTRY_SLOTS && slot == NULL; i++)
        if (registry[i].used && strcmp(registry[i].id, id) == 0)
            slot = &registry[i];
    for (int i = 0; i < REGISTRY_SLOTS && slot == NULL; i++)
        if (!registry[i].used)
            slot = &registry[i];
    assert(slot != NULL && "action registry full");
    slot->used = true;
    memcpy(slot->id, id, sizeof slot->id);
    slot->fn = fn;
    pthread_mutex_unlock(&registry_mu);
    assert(set->n < MAX_PAGE_ACTIONS);
    set->ids[set->n++] = n;
}

/* The original cleanup-tab-actions!: drop every action of the tab before the
 * render re-registers them. From here until register_action runs again the
 * tab has no actions at all: the gap. Takes registry_mu. */
__attribute__((noinline)) void cleanup_tab_actions(void)
{
    pthread_mutex_lock(&registry_mu);
    for (int i = 0; i < REGISTRY_SLOTS; i++)
        if (belongs_to_tab(&registry[i]))
            registry[i].used = false;
    pthread_mutex_unlock(&registry_mu);
}

static bool registered_in(const struct render_ids *set, const char *id)
{
    char buf[ACTION_ID_MAX];
    for (int i = 0; i < set->n; i++) {
        format_action_id(buf, set->ids[i]);
        if (strcmp(buf, id) == 0)
            return true;
    }
    return false;
}

/* dc317a3: after the render, drop only the tab's ids this render did not
 * register (buttons no longer on the page), in one step. Takes registry_mu. */
__attribute__((noinline)) void sweep_stale_actions(const struct render_ids *set)
{
    pthread_mutex_lock(&registry_mu);
    for (int i = 0; i < REGISTRY_SLOTS; i++)
        if (belongs_to_tab(&registry[i]) && !registered_in(set, registry[i].id))
            registry[i].used = false;
    pthread_mutex_unlock(&registry_mu);
}

/* (get-in @app-state* [:actions id]). Takes registry_mu; the closure is
 * copied out, the caller runs it without the lock. */
static __attribute__((noinline)) action_fn lookup_action(const char *id)
{
    action_fn fn = NULL;
    pthread_mutex_lock(&registry_mu);
    for (int i = 0; i < REGISTRY_SLOTS; i++)
        if (registry[i].used && strcmp(registry[i].id, id) == 0)
            fn = registry[i].fn;
    pthread_mutex_unlock(&registry_mu);
    return fn;
}

/* The server's log line, then the HTTP 500. */
static __attribute__((noinline)) void log_action_not_found(const char *id)
{
    int live = 0;
    pthread_mutex_lock(&registry_mu);
    for (int i = 0; i < REGISTRY_SLOTS; i++)
        live += belongs_to_tab(&registry[i]);
    pthread_mutex_unlock(&registry_mu);
    fprintf(stderr, "ERROR hyper.server Action not found {:hyper/action-id \"%s\", tab actions registered: %d}\n",
            id, live);
}

/* POST /hyper/action?id=...: look the action up and run it. In the rwlock
 * variant (PR #36) the whole lifecycle, lookup AND execution, holds the
 * tab's read lock, so no cleanup+render can run meanwhile. */
__attribute__((noinline)) void handle_action(const char *action_id, const char *params)
{
#if TAB_RWLOCK
    pthread_rwlock_rdlock(&tab_rwlock);
#endif
    action_fn fn = lookup_action(action_id);
    if (fn == NULL)
        log_action_not_found(action_id);
    assert(fn != NULL && "Action not found");
    fn(params);
#if TAB_RWLOCK
    pthread_rwlock_unlock(&tab_rwlock);
#endif
}
