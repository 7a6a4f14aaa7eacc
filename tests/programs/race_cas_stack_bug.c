/* cas_stack_bug: a lock-free Treiber stack with the ABA problem.  pop()
 * reads top and top->next, then compare-and-swaps top from the node to
 * next.  If between the read of next and the CAS another thread pops
 * that node and another, then pushes the first back, the CAS succeeds
 * with a stale next: the popped second node is back on the stack.  Built
 * with interleave cc (atomics and shared accesses are scheduling
 * points).  Expected: assertion failure. */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

struct node { struct node *_Atomic next; int val; };
static struct node *_Atomic top;
static struct node nodes[3];

static void push(struct node *n) {
  struct node *t = atomic_load(&top);
  do atomic_store(&n->next, t);
  while (!atomic_compare_exchange_weak(&top, &t, n));
}

static struct node *pop(void) {
  struct node *t = atomic_load(&top);
  while (t) {
    struct node *next = atomic_load(&t->next);
    if (atomic_compare_exchange_weak(&top, &t, next)) break;
  }
  return t;
}

static _Atomic int popped_b; /* B was taken off the stack and is in use */

static void *victim(void *arg) { /* pops one node */
  (void)arg;
  pop();
  return NULL;
}

static void *aba(void *arg) { /* pops A and B, pushes A back, keeps B */
  (void)arg;
  struct node *x = pop(), *y = pop();
  if (x && y) {
    atomic_store(&popped_b, y->val);
    push(x);
  }
  return NULL;
}

int main(void) {
  for (int i = 0; i < 3; i++) nodes[i].val = i + 1;
  push(&nodes[2]); /* C */
  push(&nodes[1]); /* B */
  push(&nodes[0]); /* A: top */
  pthread_t t1, t2;
  pthread_create(&t1, NULL, victim, NULL);
  pthread_create(&t2, NULL, aba, NULL);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  int in_use = atomic_load(&popped_b);
  for (struct node *n = atomic_load(&top); n; n = atomic_load(&n->next))
    assert(n->val != in_use && "a node in use is back on the stack (ABA)");
  return 0;
}
