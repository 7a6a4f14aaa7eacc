/* uv_ok: a libuv loop with a work queue, an async handle and a timer.
 *
 * Four jobs run on libuv's thread pool (uv_queue_work); a helper thread
 * pokes the loop through a uv_async_t; a 5 ms timer stops the loop once
 * every job is done and the async was seen.  libuv waits in epoll_wait,
 * wakes through an eventfd, runs its pool on pthread mutexes and condition
 * variables, and joins the pool from a destructor at exit.  Correct.
 * Expected: no report.
 */
#include <assert.h>
#include <pthread.h>
#include <uv.h>

static uv_loop_t *loop;
static uv_async_t async;
static uv_timer_t timer;
static int done_jobs, async_seen, work_ran; /* loop thread only, but work_ran: pool */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void work(uv_work_t *req) {
  (void)req;
  pthread_mutex_lock(&mu);
  work_ran++;
  pthread_mutex_unlock(&mu);
}
static void after_work(uv_work_t *req, int status) {
  (void)req;
  assert(status == 0);
  done_jobs++;
}
static void on_async(uv_async_t *h) {
  async_seen = 1;
  uv_close((uv_handle_t *)h, NULL);
}
static void on_timer(uv_timer_t *t) {
  if (done_jobs == 4 && async_seen) uv_close((uv_handle_t *)t, NULL);
}
static void *poker(void *arg) {
  (void)arg;
  uv_async_send(&async);
  return NULL;
}

int main(void) {
  loop = uv_default_loop();
  uv_work_t reqs[4];
  for (int i = 0; i < 4; i++) uv_queue_work(loop, &reqs[i], work, after_work);
  uv_async_init(loop, &async, on_async);
  uv_timer_init(loop, &timer);
  uv_timer_start(&timer, on_timer, 5, 5);
  pthread_t t;
  pthread_create(&t, NULL, poker, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  pthread_join(t, NULL);
  assert(done_jobs == 4 && async_seen && work_ran == 4);
  uv_loop_close(loop);
  return 0;
}
