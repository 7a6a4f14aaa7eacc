/* omp_lost_update: a lost update between two named critical sections.
 * Each of 2 threads reads the balance in `critical(read)` and writes back
 * balance + 1 in `critical(write)` (BUG: two different critical sections;
 * the other thread's deposit can land in between).  Expected: assertion
 * failure. */
#include <assert.h>
#include <omp.h>

static int balance;

int main(void) {
#pragma omp parallel num_threads(2)
  {
    int b;
#pragma omp critical(read)
    b = balance;
#pragma omp critical(write)
    balance = b + 1;
  }
  assert(balance == 2 && "a deposit was lost");
  return 0;
}
