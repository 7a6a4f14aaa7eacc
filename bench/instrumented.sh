#!/usr/bin/env bash
# bench/instrumented.sh [RUNS]: the cost of race detection.  One program
# (bench/pingpong.c 2 250: two threads, 250 lock/unlock pairs each, a
# plain shared counter under the lock) built plain and with `interleave cc`,
# in one run: native runs of the plain build (fresh processes), native runs
# of the instrumented build (hooks present, no scheduler), and executions
# per second of the instrumented build under interleave (one worker).
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-2000}
mkdir -p build/bench
cc -O1 -g -pthread -o build/bench/pingpong bench/pingpong.c
build/interleave cc -O1 -g -pthread -o build/bench/pingpong-tsan bench/pingpong.c
rate_native() {
  local t0 t1
  t0=$(date +%s%N)
  for _ in $(seq 1 "$RUNS"); do "$1" 2 250; done
  t1=$(date +%s%N)
  echo $(( RUNS * 1000000000 / (t1 - t0) ))
}
rate_il() {
  rm -rf /tmp/il-inst
  build/interleave run -q -j 1 --seed 1 -n "$RUNS" --strategy random "$@" --out /tmp/il-inst -- build/bench/pingpong-tsan 2 250 >/dev/null 2>&1 || true
  awk -F' *: *' '$1 == "execs_per_sec" { printf "%d", $2 }' /tmp/il-inst/stats
}
n=$(rate_native build/bench/pingpong)
ni=$(rate_native build/bench/pingpong-tsan)
il=$(rate_il)
ilnr=$(rate_il --no-race)
echo "plain build, native:                 $n runs/s"
echo "instrumented build, native:          $ni runs/s"
echo "instrumented, under interleave:      $il executions/s"
echo "instrumented, interleave --no-race:  $ilnr executions/s"
awk -v n="$n" -v i="$il" 'BEGIN { printf "slowdown of an instrumented build under interleave against native: %.2fx per execution\n", n / i }'
