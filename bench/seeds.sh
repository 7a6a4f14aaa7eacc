#!/usr/bin/env bash
# bench/seeds.sh [CAP_SECONDS]: time to the first failure of every buggy
# seed model, native stress runs against interleave, in one run on this
# machine.  Native: the same binary run again and again (each run capped at
# RUN_CAP seconds; a run that hits the cap counts as a failure: a hang)
# until it fails or CAP_SECONDS (default 600) pass.  interleave: default
# options, --seed 1.  Prints a markdown table for docs/seeds.md.
set -u
cd "$(dirname "$0")/.."
CAP=${1:-600}
RUN_CAP=${RUN_CAP:-240}
make -s all seeds >/dev/null
now() { date +%s.%N; }
echo "| variant | native runs | native time to failure | interleave executions | interleave time | ratio |"
echo "| --- | --- | --- | --- | --- | --- |"
make -s print-seeds | while read -r v expect kind; do
  [ "$expect" = bug ] || continue
  bin=build/examples/seeds/$v
  t0=$(now); runs=0; found=no
  while :; do
    runs=$((runs + 1))
    (timeout "$RUN_CAP" "$bin" >/dev/null 2>&1)
    rc=$?
    [ $rc -ne 0 ] && { found=yes; break; }
    awk -v a="$t0" -v b="$(now)" -v c="$CAP" 'BEGIN { exit !(b - a >= c) }' && break
  done
  nt=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
  rm -rf /tmp/il-seedbench
  build/interleave run -q --seed 1 --out /tmp/il-seedbench -- "$bin" >/dev/null 2>&1
  ie=$(awk -F' *: *' '$1 == "first_bug_execs" { print $2 }' /tmp/il-seedbench/stats)
  it=$(awk -F' *: *' '$1 == "first_bug_time" { print $2 }' /tmp/il-seedbench/stats)
  if [ "$found" = yes ]; then ns="$nt s"; else ns="> $nt s (not found)"; fi
  ratio=$(awk -v n="$nt" -v i="$it" 'BEGIN { if (i + 0 < 0.001) i = 0.001; printf "%.1fx", n / i }')
  [ "$found" = yes ] || ratio=">$ratio"
  echo "| $v | $runs | $ns | $ie | $it s | $ratio |"
done
