/* glib_pool_ok: a GThreadPool feeding results back through a GAsyncQueue.
 *
 * GLib's GMutex, GCond and GAsyncQueue wait on the futex system call
 * themselves (through libc's syscall()), never on a pthread function:
 * without a futex model a blocked pool thread blocks for real and the run
 * ends in a watchdog.  Correct program: 8 jobs, 3 pool threads, every
 * result arrives exactly once.  Expected: no report.
 */
#include <assert.h>
#include <glib.h>

static GAsyncQueue *results;

static void work(gpointer data, gpointer user) {
  (void)user;
  g_async_queue_push(results, GINT_TO_POINTER(GPOINTER_TO_INT(data) * 2));
}

int main(void) {
  results = g_async_queue_new();
  GThreadPool *pool = g_thread_pool_new(work, NULL, 3, FALSE, NULL);
  for (int i = 1; i <= 8; i++) g_thread_pool_push(pool, GINT_TO_POINTER(i), NULL);
  int sum = 0;
  for (int i = 0; i < 8; i++) sum += GPOINTER_TO_INT(g_async_queue_pop(results));
  g_thread_pool_free(pool, FALSE, TRUE);
  g_async_queue_unref(results);
  assert(sum == 2 * (8 * 9 / 2));
  return 0;
}
