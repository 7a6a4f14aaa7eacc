/* glib_abba_deadlock: two GMutexes taken in opposite orders.  GLib's locks
 * are lock shadows like pthread mutexes, so this is reported as a deadlock
 * with the wait-for cycle and who holds what (and, across executions, as a
 * lock-order inversion).  Expected: deadlock.
 */
#include <glib.h>

static GMutex a, b;

static gpointer ab(gpointer arg) {
  (void)arg;
  g_mutex_lock(&a);
  g_mutex_lock(&b);
  g_mutex_unlock(&b);
  g_mutex_unlock(&a);
  return NULL;
}

static gpointer ba(gpointer arg) {
  (void)arg;
  g_mutex_lock(&b);
  g_mutex_lock(&a);
  g_mutex_unlock(&a);
  g_mutex_unlock(&b);
  return NULL;
}

int main(void) {
  GThread *t1 = g_thread_new("ab", ab, NULL);
  GThread *t2 = g_thread_new("ba", ba, NULL);
  g_thread_join(t1);
  g_thread_join(t2);
  return 0;
}
