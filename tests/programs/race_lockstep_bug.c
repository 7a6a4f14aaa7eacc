/* A check-then-act across two critical sections (an atomicity violation
 * with no data race), in a program built with `interleave cc` that also
 * reads many shared words: each withdrawal first reads the 64-entry rate
 * table main filled in (64 loads of shared data, each a scheduling
 * point), then checks the balance under the lock, unlocks, and only then
 * takes the lock again to debit.  Two withdrawals of 60 from 100 both
 * pass the check only when the second checks between the first's two
 * critical sections: PCT must preempt the first right at its unlock.
 *
 * Drawn over all ~150 steps, PCT's change points land on the table's
 * loads nearly always; drawn over the ~12 synchronization steps (every
 * other PCT execution of such a build, runtime/strategy/pct.c) the bug
 * is found as in a plain build. */
#include <assert.h>
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int balance = 100;
static int rates[64];

static void *withdraw(void *arg) {
  (void)arg;
  int fee = 0;
  for (int i = 0; i < 64; i++) fee += rates[i];
  int amount = 60 + (fee < 0); /* 60: the sum is never negative */
  pthread_mutex_lock(&m);
  int ok = balance >= amount;
  pthread_mutex_unlock(&m);
  if (ok) {
    pthread_mutex_lock(&m);
    balance -= amount;
    pthread_mutex_unlock(&m);
  }
  return NULL;
}

int main(void) {
  pthread_t t[2];
  for (int i = 0; i < 64; i++) rates[i] = i; /* written by main: the loads above are points */
  for (long i = 0; i < 2; i++) pthread_create(&t[i], NULL, withdraw, NULL);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  assert(balance >= 0 && "overdrawn: both withdrawals passed the check");
  return 0;
}
