/* Unit tests of the schedule file: round trip, and every way a file can be
 * bad gives a one-line reason instead of a wrong replay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../cli/cli.h"

static char *write_sample(size_t *len) {
  static uint16_t dec[70];
  for (int i = 0; i < 70; i++) dec[i] = (uint16_t)(i % 3);
  char *argv[] = {"./prog", "with space", "100%"};
  struct schedule s;
  memset(&s, 0, sizeof s);
  strcpy(s.program, "/tmp/some prog");
  s.argc = 3;
  s.argv = argv;
  s.hash = 0x1234;
  s.seed = 0x5eed;
  s.exec_index = 37;
  s.req.depth = 3;
  s.req.est_steps = 120;
  s.req.max_steps = 1000;
  s.req.max_vtime_ns = 3600000000000LL;
  s.req.stall_timeout_ns = 60000000000LL;
  s.req.base_realtime_ns = 1700000000000000000LL;
  s.req.max_delay_ns = 10000000;
  s.kind = BUG_DEADLOCK;
  s.thread = 2;
  s.pc = 0x401234;
  s.n = 70;
  s.decisions = dec;
  char path[] = "/tmp/il-unit-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(sched_write(path, &s), 0);
  FILE *f = fopen(path, "rb");
  static char buf[8192];
  *len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  remove(path);
  buf[*len] = 0;
  return buf;
}

static void round_trip(void **st) {
  (void)st;
  size_t len;
  char *b = write_sample(&len);
  struct schedule s;
  char err[256];
  assert_int_equal(sched_parse(b, len, &s, err, sizeof err), 0);
  assert_string_equal(s.program, "/tmp/some prog");
  assert_int_equal(s.argc, 3);
  assert_string_equal(s.argv[1], "with space");
  assert_string_equal(s.argv[2], "100%");
  assert_int_equal(s.n, 70);
  assert_int_equal(s.decisions[69], 69 % 3);
  assert_int_equal(s.kind, BUG_DEADLOCK);
  assert_int_equal(s.thread, 2);
  assert_int_equal(s.req.strategy, IL_STRAT_REPLAY);
  assert_int_equal(s.req.seed, exec_seed(0x5eed, 37));
  assert_int_equal(s.req.max_delay_ns, 10000000);
  sched_free(&s);
}

static void expect_error(const char *buf, size_t len, const char *want) {
  struct schedule s;
  char err[256] = "";
  assert_int_equal(sched_parse(buf, len, &s, err, sizeof err), -1);
  if (!strstr(err, want)) fail_msg("error '%s' does not mention '%s'", err, want);
}

static void every_truncation_fails(void **st) {
  (void)st;
  size_t len;
  char *b = write_sample(&len);
  for (size_t n = 0; n < len; n++) {
    struct schedule s;
    char err[256];
    assert_int_equal(sched_parse(b, n, &s, err, sizeof err), -1);
    assert_true(err[0] != 0);
  }
}

static void every_byte_flip_fails(void **st) {
  (void)st;
  size_t len;
  char *b = write_sample(&len);
  char *c = malloc(len);
  for (size_t i = 0; i < len; i++) {
    memcpy(c, b, len);
    c[i] ^= 0x01;
    struct schedule s;
    char err[256];
    int r = sched_parse(c, len, &s, err, sizeof err);
    if (r == 0) { sched_free(&s); fail_msg("flipping byte %zu was not detected", i); }
  }
  free(c);
}

static void bad_headers(void **st) {
  (void)st;
  expect_error("", 0, "empty");
  expect_error("hello\n", 6, "not an interleave schedule");
  expect_error("interleave-schedule 99\n", 23, "version");
  size_t len;
  char *b = write_sample(&len);
  char *c = strdup(b);
  char *p = strstr(c, "end 0x");
  p[6] = p[6] == '0' ? '1' : '0';
  expect_error(c, len, "checksum");
  free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(round_trip),
      cmocka_unit_test(every_truncation_fails),
      cmocka_unit_test(every_byte_flip_fails),
      cmocka_unit_test(bad_headers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
