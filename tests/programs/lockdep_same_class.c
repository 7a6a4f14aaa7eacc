/* Accounts with one mutex each, all initialized at one place (one lock
 * class); transfer(a, b) locks a then b, and a later transfer(b, a) locks
 * b then a.  Sequential here, so it never deadlocks, but two concurrent
 * transfers in opposite directions would: the classic same-class inversion. */
#include <pthread.h>
#include <stdlib.h>

struct account { pthread_mutex_t mu; long balance; };

static struct account *account_new(long balance) {
  struct account *a = malloc(sizeof *a);
  pthread_mutex_init(&a->mu, NULL);
  a->balance = balance;
  return a;
}

static void transfer(struct account *from, struct account *to, long amount) {
  pthread_mutex_lock(&from->mu);
  pthread_mutex_lock(&to->mu);
  from->balance -= amount;
  to->balance += amount;
  pthread_mutex_unlock(&to->mu);
  pthread_mutex_unlock(&from->mu);
}

static struct account *alice, *bob;
static void *pay_bob(void *arg) { (void)arg; transfer(alice, bob, 10); return NULL; }
static void *refund_alice(void *arg) { (void)arg; transfer(bob, alice, 5); return NULL; }

int main(void) {
  alice = account_new(100);
  bob = account_new(100);
  pthread_t t;
  pthread_create(&t, NULL, pay_bob, NULL);
  pthread_join(t, NULL);
  pthread_create(&t, NULL, refund_alice, NULL);
  pthread_join(t, NULL);
  return alice->balance + bob->balance == 200 ? 0 : 1;
}
