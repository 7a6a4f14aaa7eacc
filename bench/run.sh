#!/usr/bin/env bash
# bench/run.sh: executions per second and cost per scheduling point, in one
# run, on this machine.  Usage: bench/run.sh [RUNS]   (after `make`)
# Prints a table; docs/performance.md keeps the figures and how to read them.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-3000}
mkdir -p build/bench
cc -O1 -g -pthread -o build/bench/pingpong bench/pingpong.c
cc -O2 -pthread -o build/bench/floor bench/floor.c
IL=build/interleave

# Executions per second of one configuration, from interleave's own count.
# JOBS (default 1) workers; read from the run's stats file.
rate() { # THREADS LOCKS [JOBS] -> executions per second
  rm -rf /tmp/il-bench
  "$IL" run -q -j "${3:-1}" --seed 1 -n "$RUNS" --strategy random --out /tmp/il-bench -- build/bench/pingpong "$1" "$2" >/dev/null 2>&1
  awk -F' *: *' '$1 == "execs_per_sec" { printf "%d", $2 }' /tmp/il-bench/stats
}

# Native: the same binary run RUNS times as a fresh process (fork+exec).
native() {
  local t0 t1
  t0=$(date +%s%N)
  for _ in $(seq 1 "$RUNS"); do build/bench/pingpong "$1" "$2"; done
  t1=$(date +%s%N)
  echo $(( RUNS * 1000000000 / (t1 - t0) ))
}

printf '%-8s %-6s %-12s %-14s %-14s %-12s %-8s\n' threads locks "points/exec" "interleave/s" "native exec/s" "floor/s" "floor/il"
declare -A R
# The floor: fork + the same threads + the same number of futex handoffs.
for cfg in "2 0" "2 12" "2 25" "2 250" "4 25" "16 25" "16 30"; do
  set -- $cfg
  pts=$(( 2 * $1 * $2 + 4 * $1 + 2 ))
  r=$(rate "$1" "$2")
  R["$1 $2"]=$r
  f=$(build/bench/floor "$RUNS" "$1" "$pts")
  printf '%-8s %-6s %-12s %-14s %-14s %-12s %-8s\n' "$1" "$2" "$pts" "$r" "$(native "$1" "$2")" "$f" \
    "$(awk -v f="$f" -v r="$r" 'BEGIN { printf "%.2fx", f / r }')"
done
# Cost per scheduling point: the slope between 2x0 and 2x250 locks.
a=${R["2 0"]}; b=${R["2 250"]}
awk -v a="$a" -v b="$b" 'BEGIN { printf "per scheduling point: %.2f us (from %d/s at 10 points and %d/s at 1010 points)\n", (1e6/b - 1e6/a) / 1000, a, b }'
# Scaling: the same 2-thread, 25-lock program with every CPU's worker.
n=$(nproc)
j1=$(rate 2 25 1); jn=$(rate 2 25 "$n")
awk -v a="$j1" -v b="$jn" -v n="$n" 'BEGIN { printf "-j 1: %d/s, -j %d: %d/s, speedup %.2fx\n", a, n, b, b / a }'
