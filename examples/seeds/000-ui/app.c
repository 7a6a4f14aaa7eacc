/* app.c - the user's application (example.app in the report): a todo page
 * with a text input, a third-party component that sends CustomEvents (a
 * slider), an "Add" button, the todo list and its footer.
 *
 * Render order fixes the action ids: 0 on-input, 1 on-slide, 2 add-todo,
 * 3 clear-draft. The clear button is shown only while the draft is not
 * empty, so its id comes and goes: the sweep has real stale ids to drop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ui.h"

/* ---- actions (run by HTTP handler threads) ---------------------------- */

/* on-input: one key of the text input, one cursor write. */
static void action_on_input(const char *key)
{
    cursor_swap(OP_DRAFT_KEY, key, 0);
}

/* The third-party component's CustomEvent: one cursor write. */
static void action_on_slide(const char *value)
{
    cursor_swap(OP_SLIDER_SET, NULL, atoi(value));
}

/* The storage query inside the action: slow I/O. */
static __attribute__((noinline)) void save_todo_to_storage(const char *text)
{
    (void)text;
    struct timespec io = { SAVE_IO_MS / 1000, (long)(SAVE_IO_MS % 1000) * 1000000L };
    nanosleep(&io, NULL);
}

/* add-todo writes TWO cursors, with a storage query between them:
 *   (h/action (swap! todos* conj text) (save! text) (swap! todo-count* inc))
 * Without h/batch each write is its own swap! and the renderer may run
 * between them; with it (the final fix) both land in one swap. */
static void action_add_todo(const char *text)
{
#if FIX_BATCH
    struct batch b;
    batch_begin(&b);
#endif
    cursor_swap(OP_TODOS_CONJ, text, 0);
    save_todo_to_storage(text);
    cursor_swap(OP_TODO_COUNT_INC, NULL, 0);
#if FIX_BATCH
    batch_commit(&b);
#endif
}

static void action_clear_draft(const char *unused)
{
    (void)unused;
    cursor_swap(OP_DRAFT_CLEAR, NULL, 0);
}

/* ---- the page function (run by the renderer) -------------------------- */

/* Each @cursor goes through cursor_deref: before 3c6e730 every deref saw
 * the atom as it was at that moment. */
void todo_page(const struct app_state *snapshot, struct frame *f, struct render_ids *ids)
{
    char id[ACTION_ID_MAX];

    const struct app_state *s = cursor_deref(snapshot); /* @draft* */
    snprintf(f->draft, DRAFT_MAX, "%s", s->draft);
    format_action_id(id, ACT_ON_INPUT);
    frame_printf(f, "<input value='%s' data-on-input='%s'>", f->draft, id);
    register_action(ids, ACT_ON_INPUT, action_on_input);

    s = cursor_deref(snapshot); /* @slider* */
    f->slider = s->slider;
    format_action_id(id, ACT_ON_SLIDE);
    frame_printf(f, "<x-slider value='%d' data-on-change='%s'>", f->slider, id);
    register_action(ids, ACT_ON_SLIDE, action_on_slide);

    format_action_id(id, ACT_ADD_TODO);
    frame_printf(f, "<button data-on-click='%s'>Add</button>", id);
    register_action(ids, ACT_ADD_TODO, action_add_todo);

    if (f->draft[0] != '\0') {
        format_action_id(id, ACT_CLEAR_DRAFT);
        frame_printf(f, "<button data-on-click='%s'>Clear</button>", id);
        register_action(ids, ACT_CLEAR_DRAFT, action_clear_draft);
    }

    s = cursor_deref(snapshot); /* @todos* */
    f->n_items = s->n_items;
    frame_printf(f, "<ul>");
    for (int i = 0; i < s->n_items; i++)
        frame_printf(f, "<li>%s</li>", s->items[i]);
    frame_printf(f, "</ul>");

    force_window(); /* -DFORCE_WINDOW: between reading the list and the footer */

    s = cursor_deref(snapshot); /* @todo-count* */
    f->footer_count = s->item_count;
    frame_printf(f, "<footer>%d items</footer>", f->footer_count);
}
