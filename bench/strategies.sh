#!/usr/bin/env bash
# bench/strategies.sh [SEEDS [RUNS]]: executions to the first bug for each
# strategy (pct, random, pos) on every program with a known bug: the test
# programs whose .expect says `expect: bug`, and the buggy seed variants
# (`make print-seeds`).  Each program runs with the options its .expect or
# seed.mk gives, once per seed 1..SEEDS (default 10), at most RUNS
# executions (default 2000), -j 1 (the count does not depend on -j; one
# run per CPU at a time).
#
# Prints a Markdown table: per program and strategy, the median executions
# to the first bug over the seeds (the execution's index + 1, from
# OUT/stats; a seed that found nothing counts as more than RUNS), and in
# how many seeds a bug was found when not in all.  A bug of another kind
# than the one expected is marked `!` (the first bug is what a user sees,
# so it still counts).  Then, per strategy: the programs found in every
# seed, the sum and the median of the medians, and the programs where it
# has the lowest median alone.  Needs `make programs seeds`.
set -u
cd "$(dirname "$0")/.." || exit 2
SEEDS=${1:-10}
RUNS=${2:-2000}
IL=${IL:-build/interleave}
STRATS=${STRATS:-"pct random pos pct+pos"}
TMP=$(mktemp -d)
[ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$TMP"' EXIT
unset COLUMNS

# name|program|kind|interleave options|program arguments
{
  for exp in tests/programs/*.expect; do
    grep -q '^expect: *bug' "$exp" || continue
    n=$(basename "$exp" .expect)
    echo "$n|build/tests/programs/$n|$(sed -n 's/^kind: *//p' "$exp" | head -1)|$(sed -n 's/^options: *//p' "$exp" | head -1)|$(sed -n 's/^args: *//p' "$exp" | head -1)"
  done
  make -s print-seeds | while read -r v expect kind args; do
    [ "$expect" = bug ] && echo "seed $v|build/examples/seeds/$v|$kind|$args|"
  done
} >"$TMP/programs"

# One job per (program, strategy, seed): "name strategy seed executions kind".
job() {
  local line=$1 strat=$2 seed=$3 name prog kind opts args out
  IFS='|' read -r name prog kind opts args <<<"$line"
  out="$TMP/o-$$-$BASHPID"
  rm -rf "$out"
  # shellcheck disable=SC2086
  timeout 600 "$IL" run -q -j 1 --seed "$seed" -n "$RUNS" --strategy "$strat" $opts --out "$out" -- "$prog" $args \
    >/dev/null 2>&1
  local e k
  e=$(sed -n 's/^first_bug_exec *: *//p' "$out/stats" 2>/dev/null)
  k=$(cut -d' ' -f1 "$out/bugs.tsv" 2>/dev/null | head -1)
  if [ -n "$e" ]; then e=$((e + 1)); else e=-; fi
  [ -z "$k" ] || [ "$k" = "$kind" ] || k="!$k"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$strat" "$seed" "$e" "${k:--}"
  rm -rf "$out"
}
export -f job
export IL RUNS TMP

while IFS= read -r line; do
  for s in $STRATS; do
    for seed in $(seq 1 "$SEEDS"); do printf '%s\0%s\0%s\0' "$line" "$s" "$seed"; done
  done
done <"$TMP/programs" | xargs -0 -n 3 -P "$(nproc)" bash -c 'job "$@"' _ >"$TMP/results"

awk -F'\t' -v seeds="$SEEDS" -v runs="$RUNS" -v strats="$STRATS" '
function median(list,    a, n, i, j, t) {
  n = split(list, a, " ")
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
BEGIN { ns = split(strats, S, " ") }
FNR == NR { split($0, f, "|"); order[++np] = f[1]; next }
{
  v = $4 == "-" ? runs + 1 : $4
  vals[$1, $2] = vals[$1, $2] " " v
  if ($4 != "-") found[$1, $2]++
  if ($5 ~ /^!/) odd[$1, $2] = 1
}
END {
  printf "| program |"; for (s = 1; s <= ns; s++) printf " %s |", S[s]; printf "\n|---|"
  for (s = 1; s <= ns; s++) printf "---:|"; printf "\n"
  for (p = 1; p <= np; p++) {
    name = order[p]; printf "| %s |", name; best = ""; bv = 0; tie = 0
    for (s = 1; s <= ns; s++) {
      m = median(vals[name, S[s]]); med[name, S[s]] = m
      cell = m > runs ? ">" runs : m
      if (found[name, S[s]] + 0 < seeds) cell = cell " (" found[name, S[s]] + 0 "/" seeds ")"
      if (odd[name, S[s]]) cell = cell " !"
      printf " %s |", cell
      if (best == "" || m < bv) { best = S[s]; bv = m; tie = 0 } else if (m == bv) tie = 1
      if (found[name, S[s]] + 0 == seeds) all[S[s]]++
      sum[S[s]] += m; meds[S[s]] = meds[S[s]] " " m
    }
    if (!tie) alone[best]++
    printf "\n"
  }
  printf "\n| over %d programs |", np; for (s = 1; s <= ns; s++) printf " %s |", S[s]; printf "\n|---|"
  for (s = 1; s <= ns; s++) printf "---:|"; printf "\n"
  printf "| found in all %d seeds |", seeds; for (s = 1; s <= ns; s++) printf " %d |", all[S[s]]; printf "\n"
  printf "| median of medians |"; for (s = 1; s <= ns; s++) printf " %s |", median(meds[S[s]]); printf "\n"
  printf "| sum of medians (a miss counts %d) |", runs + 1; for (s = 1; s <= ns; s++) printf " %s |", sum[S[s]]; printf "\n"
  printf "| lowest median, alone |"; for (s = 1; s <= ns; s++) printf " %d |", alone[S[s]]; printf "\n"
}' "$TMP/programs" "$TMP/results"
