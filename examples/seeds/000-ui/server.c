/* server.c - one browser tab against the server: the page GET, the tab's
 * renderer thread, two HTTP worker threads carrying the browser's action
 * POSTs, and the tab closing.
 *
 * The report's reproduction: "start typing chars fast" while a third-party
 * JS component fires CustomEvents concurrently with another action trigger.
 * SCENARIO_GAP: keystrokes + component events (one cursor write each).
 * SCENARIO_TORN: keystrokes + two "Add" clicks (two cursor writes each).
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ui.h"

/* One POST /hyper/action: the id the browser saw in the last frame (ids are
 * deterministic, so it is the same on every render) and the client params. */
struct request {
    enum page_action action;
    const char *params;
};

static const struct request typing_requests[] = {
    { ACT_ON_INPUT, "h" }, { ACT_ON_INPUT, "\b" }, { ACT_ON_INPUT, "i" },
};
#define EXPECTED_DRAFT "i"

#if SCENARIO == SCENARIO_GAP
static const struct request event_requests[] = {
    { ACT_ON_SLIDE, "10" }, { ACT_ON_SLIDE, "20" }, { ACT_ON_SLIDE, "30" },
};
#define EXPECTED_SLIDER 30
#define EXPECTED_ITEMS 0
#else
static const struct request event_requests[] = {
    { ACT_ADD_TODO, "milk" }, { ACT_ADD_TODO, "eggs" },
};
#define EXPECTED_SLIDER 0
#define EXPECTED_ITEMS 2
#endif

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* An HTTP worker: handles this connection's POSTs one after another. */
static __attribute__((noinline)) void serve_requests(const struct request *reqs, int n)
{
    char id[ACTION_ID_MAX];
    for (int i = 0; i < n; i++) {
        format_action_id(id, reqs[i].action);
        handle_action(id, reqs[i].params);
#ifdef FORCE_WINDOW
        usleep(THINK_TIME_US); /* a human between two keystrokes/clicks */
#endif
    }
}

static void *http_worker_typing(void *arg)
{
    (void)arg;
    serve_requests(typing_requests, COUNT(typing_requests));
    return NULL;
}

static void *http_worker_events(void *arg)
{
    (void)arg;
    serve_requests(event_requests, COUNT(event_requests));
    return NULL;
}

int main(void)
{
    pthread_t renderer, typing, events;

    atom_init();
    sem_init(&render_sem, 0, 0);
    atomic_init(&tab_closing, false);

    /* GET /: the page is rendered once (registering its actions) before the
     * browser can post anything; then -start-renderer! starts the loop. */
    renderer_cycle();
    pthread_create(&renderer, NULL, renderer_thread, NULL);
    pthread_create(&typing, NULL, http_worker_typing, NULL);
    pthread_create(&events, NULL, http_worker_events, NULL);

    pthread_join(typing, NULL);
    pthread_join(events, NULL);

    /* The browser closes the tab: the renderer sends what is left, stops. */
    atomic_store(&tab_closing, true);
    sem_post(&render_sem);
    pthread_join(renderer, NULL);

    /* Every change reached the client: the last frame shows the last state. */
    const struct app_state *final_state = atom_deref();
    const struct frame *last = last_sent_frame();
    assert(last != NULL && last->version == final_state->version && "final state never rendered");
    assert(strcmp(last->draft, EXPECTED_DRAFT) == 0 && last->slider == EXPECTED_SLIDER &&
           last->n_items == EXPECTED_ITEMS && last->footer_count == EXPECTED_ITEMS && "lost update");

    printf("ui: %d frames sent, last: %s\n", sent_frames(), last->html);
    sem_destroy(&render_sem);
    return 0;
}
