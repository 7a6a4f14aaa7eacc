/* futex_waitv_ok: a consumer waits on two futex words at once with
 * futex_waitv (Linux 5.16; Wine and some runtimes use it), and learns from
 * the returned index which producer woke it.  Two producers each set their
 * word and wake it.  The wait and the wakes are the futex model's: the
 * consumer is a blocked thread to the scheduler, and which word wakes it
 * first is the strategy's choice.  Expected: no report. */
#include <assert.h>
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
struct waitv { uint64_t val, uaddr; uint32_t flags, reserved; };

static _Atomic uint32_t word[2];

static void *producer(void *arg) {
  int i = (int)(intptr_t)arg;
  word[i] = 1;
  syscall(SYS_futex, &word[i], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  return NULL;
}

int main(void) {
  pthread_t p[2];
  for (int i = 0; i < 2; i++) pthread_create(&p[i], NULL, producer, (void *)(intptr_t)i);
  int seen = 0;
  while (seen != 3) {
    struct waitv w[2];
    int n = 0, idx[2];
    for (int i = 0; i < 2; i++)
      if (!(seen & (1 << i))) {
        w[n] = (struct waitv){.val = 0, .uaddr = (uintptr_t)&word[i], .flags = 2 /* FUTEX2_SIZE_U32 */ | 128 /* FUTEX2_PRIVATE */};
        idx[n++] = i;
      }
    long r = syscall(SYS_futex_waitv, w, n, 0, NULL, CLOCK_MONOTONIC);
    if (r >= 0) {
      assert(word[idx[r]] == 1 && "woken by a word that was not set");
      seen |= 1 << idx[r];
    } else {
      assert(errno == EAGAIN);
      for (int i = 0; i < 2; i++)
        if (word[i]) seen |= 1 << i;
    }
  }
  for (int i = 0; i < 2; i++) pthread_join(p[i], NULL);
  return 0;
}
