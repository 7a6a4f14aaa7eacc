#!/usr/bin/env bash
# bench/run.sh: executions per second and cost per scheduling point, in one
# run, on this machine.  Usage: bench/run.sh [RUNS]   (after `make`)
# Prints a table; docs/performance.md keeps the figures and how to read them.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-3000}
mkdir -p build/bench
cc -O1 -g -pthread -o build/bench/pingpong bench/pingpong.c
IL=build/interleave

# Executions per second of one configuration, from interleave's own count.
rate() { # THREADS LOCKS -> "execs/s steps/exec"
  local err steps
  err=$("$IL" run --seed 1 -n "$RUNS" --strategy random --out /tmp/il-bench -- build/bench/pingpong "$1" "$2" 2>&1 >/dev/null)
  grep -o '[0-9]* executions in [0-9.]* s ([0-9]*/s)' <<<"$err" | sed 's/.*(\([0-9]*\)\/s)/\1/'
}

# Native: the same binary run RUNS times as a fresh process (fork+exec).
native() {
  local t0 t1
  t0=$(date +%s%N)
  for _ in $(seq 1 "$RUNS"); do build/bench/pingpong "$1" "$2"; done
  t1=$(date +%s%N)
  echo $(( RUNS * 1000000000 / (t1 - t0) ))
}

printf '%-8s %-6s %-12s %-14s %-14s\n' threads locks "points/exec" "interleave/s" "native exec/s"
declare -A R
for cfg in "2 0" "2 25" "2 250" "4 25" "16 25"; do
  set -- $cfg
  pts=$(( 2 * $1 * $2 + 4 * $1 + 2 ))
  r=$(rate "$1" "$2")
  R["$1 $2"]=$r
  printf '%-8s %-6s %-12s %-14s %-14s\n' "$1" "$2" "$pts" "$r" "$(native "$1" "$2")"
done
# Cost per scheduling point: the slope between 2x0 and 2x250 locks.
a=${R["2 0"]}; b=${R["2 250"]}
awk -v a="$a" -v b="$b" 'BEGIN { printf "per scheduling point: %.2f us (from %d/s at 6 points and %d/s at 1006 points)\n", (1e6/b - 1e6/a) / 1000, a, b }'
