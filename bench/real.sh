#!/usr/bin/env bash
# bench/real.sh [NAME...]: packaged multi-threaded programs under interleave,
# on small inputs, each with its expected verdict.  All of them are correct
# programs: the expected verdict is "no bug" (exit 0).  Prints a markdown
# table (program, what it relies on that interleave lacks, expected and actual
# verdict, executions per second), the count of right verdicts, and for
# each wrong one what interleave said.  docs/real-programs.md keeps a table
# and the diagnoses.  NAMEs (the first column, globs allowed) run a subset.
#
# Install the programs first: scripts/deps.sh (Debian 12).  Then
# `make` (build/interleave).  IL=/path/to/interleave runs another build.
# Per program: -j 1 (the servers listen on fixed loopback ports), --seed 1,
# -n RUNS and --time-limit SECONDS from the table below; outputs (reports,
# schedule files, stats) go to build/real/out/NAME/.
#
# "needs" names what the program relies on that interleave does not
# control yet, so that a wrong verdict there is expected until it is built:
#   processes  child processes (fork/exec/posix_spawn/system/popen) of a
#              kind interleave's child support (runtime/i_proc.c) does not
#              handle yet; docs/real-programs.md says which and why
#   steps      more scheduling points in one execution than the default
#              --max-steps (4M): the row raises it (INTERLEAVE_OPTIONS,
#              up to 33M steps, 17-42 s an execution here), so it is
#              judged, but --check leaves it out for time
#   spin       a busy-wait on memory with no call in the loop: the watchdog
#              (none left: runtime/spin.c preempts such a loop since stop 11)
# (Earlier "signals" and "futex" rows -- pbzip2, lbzip2, rg, GLib -- are
# controlled now: runtime/i_signal.c, runtime/i_futex.c.)
#   -          nothing: the verdict must be right
#
# --check (make check): only the rows that need nothing, fewer executions;
# exit 1 if any of them has a wrong verdict.
#
# Some rows also check what the program wrote (output_ok below): the output
# of the last execution, in the row's scratch folder $T.  A wrong output
# is a wrong verdict ("wrong output") even when interleave found no bug.
#
# Servers (memcached, redis-server): the server is the program under test
# and its client runs in the same execution, as threads of the server's
# process: bench/real/kvclient.c, preloaded next to libinterleave.so,
# interposes listen() and starts a bounded client there (a few connections
# of set/get/incr/delete, each reply checked), which then asks the server
# to shut down by its own protocol.  So one execution is: start, serve,
# shut down, exit 0; see that file for why not a separate client process.
set -u
cd "$(dirname "$0")/.."
unset INTERLEAVE_OPTIONS # the options are the ones below, whatever the caller's environment
ROOT=$PWD
IL=${IL:-build/interleave}
B=build/real
D=$B/data
G=/usr/libexec/installed-tests/glib
MC_PORT=${MC_PORT:-31211}
REDIS_PORT=${REDIS_PORT:-36379}

[ -x "$IL" ] || make -s all >/dev/null || exit 2
mkdir -p "$B" "$D" "$B/out" "$B/tmp"

# ---- helpers, rebuilt when their source is newer (the make rule) ----
build() { # OUT SRC COMMAND...
  local out=$1 src=$2
  shift 2
  if [ ! -e "$out" ] || [ "$src" -nt "$out" ]; then "$@" || { echo "bench/real.sh: cannot build $out" >&2; exit 2; }; fi
}
build $B/libkvclient.so bench/real/kvclient.c \
  cc -O1 -g -Wall -shared -fPIC -o $B/libkvclient.so bench/real/kvclient.c -ldl -pthread
if [ -e /usr/include/sqlite3.h ]; then
  build $B/sqlite_threads bench/real/sqlite_threads.c \
    cc -O1 -g -Wall -pthread -o $B/sqlite_threads bench/real/sqlite_threads.c -lsqlite3
fi

# ---- inputs: deterministic text (a Park-Miller generator in awk) ----
gen_text() { # BYTES FILE: lines of pseudo-random words, compressible
  [ -s "$2" ] && return
  awk -v n="$1" 'BEGIN {
    split("the of and a to in is you that it he was for on are as with his they at be this from I have or by one had not but what all were when we there can an your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know", w, " ");
    x = 12345; s = 0;
    while (s < n) {
      line = "";
      k = 4 + x % 9;
      for (j = 0; j < k; j++) { x = (x * 16807) % 2147483647; line = line w[1 + x % 100] " "; }
      print line; s += length(line) + 1;
    }
  }' >"$2"
}
gen_text 400000 $D/text
gen_text 1600000 $D/big
[ -s $D/lines ] || awk 'BEGIN { x = 1; for (i = 0; i < 140000; i++) { x = (x * 16807) % 2147483647; print x } }' >$D/lines
# 1..150000 in a fixed shuffle (Fisher-Yates on the same generator), and
# sorted (LC_ALL=C, as the row runs): sort-compress's input and its check.
[ -s $D/perm ] || awk 'BEGIN { n = 150000; for (i = 1; i <= n; i++) a[i] = i; x = 1;
  for (i = n; i > 1; i--) { x = (x * 16807) % 2147483647; j = 1 + x % i; t = a[i]; a[i] = a[j]; a[j] = t }
  for (i = 1; i <= n; i++) print a[i] }' >$D/perm
[ -s $D/perm.sorted ] || LC_ALL=C sort --parallel=1 $D/perm >$D/perm.sorted
command -v pigz >/dev/null && { [ -s $D/text.gz ] || pigz -p 1 -b 32 -c $D/text >$D/text.gz; }
command -v xz >/dev/null && { [ -s $D/text.xz ] || xz -T2 --block-size=32KiB -c $D/text >$D/text.xz; }
command -v pbzip2 >/dev/null && { [ -s $D/text.bz2 ] || pbzip2 -p1 -b1 -c $D/text >$D/text.bz2; }

# ---- the corpus ----
# ID | program (as shown) | needs | runs | time limit (s) | command
# The command is eval'ed with $D (inputs), $B (helpers), $G (GLib tests),
# $T (a scratch folder) set; VAR=value words before it are its environment.
CORPUS='
pigz|pigz -p 2 (compress)|-|100|20|/usr/bin/pigz -p 2 -b 32 -c $D/text
pigz-d|pigz -d -p 2|-|100|20|/usr/bin/pigz -d -p 2 -c $D/text.gz
xz|xz -T2 (compress)|-|30|20|/usr/bin/xz -T2 --block-size=32KiB -c $D/text
xz-d|xz -T2 -d|-|50|20|/usr/bin/xz -T2 -d -c $D/text.xz
zstd|zstd -T2|-|50|20|/usr/bin/zstd -q -T2 -B512KiB -c $D/big
pbzip2|pbzip2 -p2|-|20|20|/usr/bin/pbzip2 -p2 -b1 -c $D/text
lbzip2|lbzip2 -n2|-|20|20|/usr/bin/lbzip2 -n2 -c $D/text
sort|sort --parallel=2 (140k lines)|-|10|20|/usr/bin/sort --parallel=2 -o /dev/null $D/lines
sort-compress|sort --parallel=2 -S 9600K --compress-program=gzip (150k lines)|-|10|20|LC_ALL=C /usr/bin/sort --parallel=2 -S 9600K -T $T --compress-program=gzip -o $T/out $D/perm
memcached|memcached -t 2 + in-process client|-|50|30|KVCLIENT=memcached LD_PRELOAD=$ROOT/$B/libkvclient.so /usr/bin/memcached -u $(id -un) -l 127.0.0.1 -p $MC_PORT -U 0 -t 2 -m 8 -A
redis|redis-server + in-process client|-|300|30|KVCLIENT=redis LD_PRELOAD=$ROOT/$B/libkvclient.so /usr/bin/redis-server --port $REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no --daemonize no --dir $T --logfile "" --loglevel warning
sqlite|libsqlite3 from 2 threads (bench/real/sqlite_threads.c)|-|50|20|$B/sqlite_threads $T/db
git-grep|git grep --threads=2|-|50|20|/usr/bin/git -C $ROOT grep --threads=2 -c pthread_mutex -- runtime cli
python3|python3 threading + queue (bench/real/pyqueue.py)|-|30|20|/usr/bin/python3 bench/real/pyqueue.py
perl|perl ithreads + Thread::Queue (bench/real/plqueue.pl)|-|30|20|/usr/bin/perl bench/real/plqueue.pl
7zz|7zz a -tbzip2 -mmt=2 (7-Zip, C++)|-|30|20|/usr/bin/7zz a -tbzip2 -mmt=2 -bd -so x.bz2 $D/text
ripgrep|rg -j2|-|100|20|/usr/bin/rg -j2 -c define /usr/include/linux
glib-once|GLib test: once|-|20|20|$G/once
glib-asyncqueue|GLib test: asyncqueue|-|20|20|$G/asyncqueue
glib-private|GLib test: private|-|20|20|$G/private
glib-thread|GLib test: thread|-|50|20|$G/thread
glib-thread-pool|GLib test: thread-pool|-|5|20|$G/thread-pool
glib-thread-pool-small|GLib test: thread-pool -p shared -p exclusive|-|20|20|$G/thread-pool -p /thread_pool/shared -p /thread_pool/exclusive
glib-cond|GLib test: cond|-|5|20|$G/cond
glib-cond-small|GLib test: cond -s contended-and-interrupted|-|20|20|$G/cond -s /thread/cond/wait-until/contended-and-interrupted
glib-mutex|GLib test: mutex|steps|1|90|INTERLEAVE_OPTIONS=max_steps=33000000 $G/mutex
glib-mutex-small|GLib test: mutex -s mutex5|-|20|20|$G/mutex -s /thread/mutex5
glib-rwlock|GLib test: rwlock|steps|1|90|INTERLEAVE_OPTIONS=max_steps=33000000 $G/rwlock
glib-rwlock-small|GLib test: rwlock -s rwlock7 -s rwlock8|-|20|20|$G/rwlock -s /thread/rwlock7 -s /thread/rwlock8
glib-rec-mutex|GLib test: rec-mutex|steps|1|90|INTERLEAVE_OPTIONS=max_steps=33000000 $G/rec-mutex
glib-rec-mutex-small|GLib test: rec-mutex -s rec-mutex4|-|20|20|$G/rec-mutex -s /thread/rec-mutex4
glib-1bit-mutex|GLib test: 1bit-mutex|steps|1|90|INTERLEAVE_OPTIONS=max_steps=33000000 $G/1bit-mutex
glib-spawn|GLib test: spawn-multithreaded|-|3|20|$G/spawn-multithreaded
glib-spawn-small|GLib test: spawn-multithreaded -p spawn-sync -p spawn-async|-|10|20|$G/spawn-multithreaded -p /gthread/spawn-sync -p /gthread/spawn-async
'

selected() { # ID: on the command line's list (or no list given)?
  [ ${#SEL[@]} -eq 0 ] && return 0
  local p
  for p in "${SEL[@]}"; do
    # shellcheck disable=SC2053
    [[ $1 == $p ]] && return 0
  done
  return 1
}
CHECK=0
if [ "${1:-}" = --check ]; then CHECK=1; shift; fi
SEL=("$@")

# What the program wrote, where a row checks it (the last execution's
# output; -j 1): true when right, or when the row checks nothing.
output_ok() { # ID (with $T, $D set)
  case $1 in
  sort-compress) LC_ALL=C sort -c "$T/out" 2>/dev/null && cmp -s "$T/out" "$D/perm.sorted" ;;
  *) true ;;
  esac
}

stat_of() { awk -F' *: *' -v k="$2" '$1 == k { print $2 }' "$1" 2>/dev/null; }

# The actual verdict of one run, from its exit status and output.
verdict() { # RC OUTFILE STATS
  local rc=$1 o=$2 s=$3 kind nj done
  case $rc in
  0)
    nj=$(grep -ao '; [0-9]* not judged' "$o" | grep -o '[0-9]*')
    done=$(stat_of "$s" execs_done)
    if [ -n "$nj" ] && [ "$nj" = "$done" ]; then echo "not judged ($nj of $done)"
    elif [ -n "$nj" ]; then echo "no bug ($nj of $done not judged)"
    else echo "no bug"; fi ;;
  1)
    kind=$(grep -a -m1 '^SUMMARY: interleave: ' "$o" | awk '{ print $3 }')
    echo "bug: ${kind:-?}" ;;
  3)
    kind=$(grep -a -m1 '^SUMMARY: interleave: ' "$o" | awk '{ print $4 }')
    echo "unreproducible: ${kind:-?}" ;;
  124 | 137) echo "tool timeout" ;;
  2)
    if grep -aq 'the program calls' "$o"; then
      echo "refused: $(grep -ao -m1 'the program calls [a-z_0-9]*()' "$o" | awk '{ print $4 }')"
    else echo "tool error"; fi ;;
  *) echo "exit $rc" ;;
  esac
}

if [ "$IL" = build/interleave ]; then
  ver="commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)"
  make -q all 2>/dev/null || ver="$ver, but build/ is not up to date"
else
  ver="given by IL"
fi
printf 'interleave: %s (%s), %s CPUs, load average %s\n\n' "$IL" "$ver" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
right=0 total=0 wrong_plain=0 # wrong_plain: wrong where nothing is needed
declare -a WRONG=()
echo "| program | needs | expected | actual | exec/s | executions | wall s |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
while IFS='|' read -r id name needs runs tl cmd; do
  [ -n "$id" ] || continue
  selected "$id" || continue
  if [ $CHECK = 1 ]; then
    [ "$needs" = - ] || continue
    runs=$(( runs > 20 ? 20 : runs )) # a verdict, not a campaign
  fi
  total=$((total + 1))
  out=$B/out/$id
  T=$ROOT/$B/tmp/$id
  rm -rf "$out" "$T"
  mkdir -p "$out" "$T"
  # The program (first word after any VAR=value) must be installed.
  prog=$(eval "set -- $cmd"; while [[ ${1:-} == *=* ]]; do shift; done; echo "${1:-}")
  if [ ! -x "$prog" ]; then
    printf '| %s | %s | no bug | missing: %s (scripts/deps.sh) | - | - | - |\n' "$name" "$needs" "$prog"
    WRONG+=("$id: $prog is not installed")
    [ "$needs" = - ] && wrong_plain=$((wrong_plain + 1))
    continue
  fi
  t0=$(date +%s.%N)
  # env: the VAR=value words are the program's environment (and, harmlessly,
  # the CLI's: interleave puts its runtime before an LD_PRELOAD it is given).
  eval "set -- $cmd"
  envs=()
  while [[ $1 == *=* ]]; do envs+=("$1"); shift; done
  env "${envs[@]}" timeout -k 5 $((tl + 120)) "$IL" run -q -j 1 --seed 1 -n "$runs" --time-limit "$tl" \
    --out "$out" -- "$@" >"$out/report.txt" 2>"$out/stderr.txt"
  rc=$?
  t1=$(date +%s.%N)
  cat "$out/stderr.txt" >>"$out/report.txt"
  actual=$(verdict "$rc" "$out/report.txt" "$out/stats")
  if [[ $actual == "no bug"* ]] && ! output_ok "$id"; then actual="wrong output"; fi
  eps=$(stat_of "$out/stats" execs_per_sec)
  done=$(stat_of "$out/stats" execs_done)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  if [ "$actual" = "no bug" ] || [[ $actual == "no bug ("* ]]; then
    right=$((right + 1))
  else
    why=$(grep -a -m1 -E '^ERROR: interleave: |the program calls|not judged:|interleave runtime:|cannot run' "$out/report.txt" | cut -c1-240)
    [ "$actual" = "wrong output" ] && why="the output check failed (output_ok; the output is in $T)"
    sum=$(grep -a -m1 '^SUMMARY: ' "$out/report.txt")
    [ "$needs" = - ] && wrong_plain=$((wrong_plain + 1))
    WRONG+=("$id: $why${sum:+
    $sum}")
  fi
  printf '| %s | %s | no bug | %s | %s | %s | %s |\n' "$name" "$needs" "$actual" "${eps:--}" "${done:--}" "$wall"
done <<<"$CORPUS"
echo
echo "right verdicts: $right of $total"
if [ ${#WRONG[@]} -gt 0 ]; then
  echo
  echo "Wrong verdicts (reports under $B/out/NAME/report.txt):"
  for w in "${WRONG[@]}"; do echo "  $w"; done
fi
[ $CHECK = 0 ] || [ $wrong_plain -eq 0 ]
