/* omp_ok: OpenMP parallel for with a reduction, critical, barrier, single
 * and tasks, all correct.  libgomp waits with the syscall instruction
 * itself; the seccomp trap hands those futex calls to the model.
 * Expected: no report. */
#include <assert.h>
#include <omp.h>

int main(void) {
  long sum = 0;
#pragma omp parallel for num_threads(3) reduction(+ : sum)
  for (int i = 0; i < 300; i++) sum += i;
  int crit = 0, tasks = 0;
  omp_lock_t lk;
  omp_init_lock(&lk);
#pragma omp parallel num_threads(3)
  {
#pragma omp critical
    crit++;
#pragma omp barrier
#pragma omp single
    {
      for (int k = 0; k < 4; k++) {
#pragma omp task
        {
          omp_set_lock(&lk);
          tasks++;
          omp_unset_lock(&lk);
        }
      }
    }
  }
  omp_destroy_lock(&lk);
  assert(sum == 300 * 299 / 2 && crit == 3 && tasks == 4);
  return 0;
}
