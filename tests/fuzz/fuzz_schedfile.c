/* libFuzzer target for the schedule reader: any input either parses to a
 * consistent schedule or fails with a message; never a crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct schedule s;
  char err[256];
  if (sched_parse((const char *)data, size, &s, err, sizeof err) == 0) {
    if (s.argc < 1 || !s.argv || !s.decisions || s.n > IL_MAX_DECISIONS) abort();
    for (uint32_t i = 0; i < s.n; i++)
      if (s.decisions[i] >= IL_MAX_THREADS) abort();
    sched_free(&s);
  } else if (!err[0]) {
    abort();
  }
  return 0;
}
