/* glib_lost_update: a lost update between two GMutex critical sections.
 *
 * GMutex's uncontended lock and unlock are a compare-and-swap and an
 * exchange in user space: no system call, so nothing to preempt at unless
 * the runtime makes g_mutex_lock/unlock scheduling points.  Two threads
 * read a balance under the mutex, then write back balance + 1 under it
 * again (BUG: the other deposit can land in between).
 * Expected: assertion failure.
 */
#include <assert.h>
#include <glib.h>

static GMutex mu;
static int balance; /* protected by mu */

static gpointer deposit(gpointer arg) {
  (void)arg;
  g_mutex_lock(&mu);
  int b = balance;
  g_mutex_unlock(&mu);
  g_mutex_lock(&mu);
  balance = b + 1;
  g_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  GThread *a = g_thread_new("depositor-a", deposit, NULL);
  GThread *b = g_thread_new("depositor-b", deposit, NULL);
  g_thread_join(a);
  g_thread_join(b);
  assert(balance == 2 && "a deposit was lost");
  return 0;
}
