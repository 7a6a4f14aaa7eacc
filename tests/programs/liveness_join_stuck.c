/* liveness_join_stuck: main joins a thread stuck on a semaphore nobody will
 * post.
 *
 * A log shipper snapshots the log buffer, hands the batch to the uploader
 * thread through a mailbox, and waits on upload_done_sem for the upload to
 * complete.  The uploader skips empty batches ("nothing to upload") -- BUG:
 * without posting upload_done_sem.  Whether the batch is empty depends on
 * whether the log writer appended before the shipper took its snapshot.  At
 * shutdown main joins the shipper and waits forever.  A metrics ticker keeps
 * waking every 100 ms (until main stops it, at most 10 minutes), so the
 * process is not idle; main's join is a wait on a thread that is itself
 * stuck (not runnable, no deadline), so the report must name the shipper and
 * its sem_wait.
 *
 * Expected under the tool: stall (shipper_thread in sem_wait upload_done_sem).
 * Build with -DTIME_DIV=100 to run natively 100x faster.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#ifndef TIME_DIV
#define TIME_DIV 1
#endif
#define TICK_US (100000 / TIME_DIV)          /* 100 ms */
#define UPLOAD_US (20000 / TIME_DIV)         /* 20 ms per upload */
#define MAX_TICKS 6000                       /* 10 minutes of ticks */
#define LOG_LINES 3

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int log_lines;                  /* protected by log_mu */

static pthread_mutex_t mailbox_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mailbox_cv = PTHREAD_COND_INITIALIZER;
static int mailbox_full;               /* protected by mailbox_mu */
static int mailbox_batch_lines;        /* protected by mailbox_mu */

static sem_t upload_done_sem;
static int uploaded_lines;             /* uploader; read after joins */

static pthread_mutex_t metrics_mu = PTHREAD_MUTEX_INITIALIZER;
static long metrics_ticks;             /* protected by metrics_mu */
static atomic_int ticker_stop;

static void *metrics_ticker_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < MAX_TICKS && !atomic_load(&ticker_stop); i++) {
        usleep(TICK_US);
        pthread_mutex_lock(&metrics_mu);
        metrics_ticks++;
        pthread_mutex_unlock(&metrics_mu);
    }
    return NULL;
}

static void *log_writer_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&log_mu);
    log_lines += LOG_LINES;
    pthread_mutex_unlock(&log_mu);
    return NULL;
}

__attribute__((noinline)) static void wait_upload_done(void)
{
    while (sem_wait(&upload_done_sem) != 0 && errno == EINTR)
        ;
}

static void *shipper_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&log_mu);
    int batch = log_lines;             /* snapshot; may still be empty */
    log_lines = 0;
    pthread_mutex_unlock(&log_mu);

    pthread_mutex_lock(&mailbox_mu);
    mailbox_batch_lines = batch;
    mailbox_full = 1;
    pthread_cond_signal(&mailbox_cv);
    pthread_mutex_unlock(&mailbox_mu);

    wait_upload_done();
    return NULL;
}

static void *uploader_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mailbox_mu);
    while (!mailbox_full)
        pthread_cond_wait(&mailbox_cv, &mailbox_mu);
    int batch = mailbox_batch_lines;
    mailbox_full = 0;
    pthread_mutex_unlock(&mailbox_mu);

    if (batch == 0)
        return NULL; /* "nothing to upload".  BUG: no sem_post(&upload_done_sem) */
    usleep(UPLOAD_US);
    uploaded_lines += batch;
    sem_post(&upload_done_sem);
    return NULL;
}

int main(void)
{
    sem_init(&upload_done_sem, 0, 0);
    pthread_t ticker, writer, shipper, uploader;
    pthread_create(&ticker, NULL, metrics_ticker_thread, NULL);
    pthread_create(&uploader, NULL, uploader_thread, NULL);
    pthread_create(&writer, NULL, log_writer_thread, NULL);
    pthread_create(&shipper, NULL, shipper_thread, NULL);
    pthread_join(writer, NULL);
    pthread_join(uploader, NULL);
    pthread_join(shipper, NULL);
    atomic_store(&ticker_stop, 1);
    pthread_join(ticker, NULL);
    /* Lines written after the snapshot stay in the buffer for the next
     * round; every line is either uploaded or still buffered. */
    assert(uploaded_lines + log_lines == LOG_LINES);
    return 0;
}
