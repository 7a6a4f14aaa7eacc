/* omp_abba_deadlock: two OpenMP locks taken in opposite orders by the two
 * threads of a parallel region.  OpenMP's locks are lock shadows, so this
 * is a deadlock with its holders (libgomp waits on futexes, through the
 * seccomp trap).  Expected: deadlock.
 */
#include <omp.h>

int main(void) {
  omp_lock_t a, b;
  omp_init_lock(&a);
  omp_init_lock(&b);
#pragma omp parallel num_threads(2)
  {
    omp_lock_t *first = omp_get_thread_num() == 0 ? &a : &b;
    omp_lock_t *second = first == &a ? &b : &a;
    omp_set_lock(first);
    omp_set_lock(second);
    omp_unset_lock(second);
    omp_unset_lock(first);
  }
  omp_destroy_lock(&a);
  omp_destroy_lock(&b);
  return 0;
}
