#!/usr/bin/env bash
# bench/sct.sh [options] DIR...: interleave on the SCTBench and ConVul bug
# benchmarks, the corpus of the published comparisons (RFF, PERIOD, PCT,
# POS).  DIR... are the user's checkouts of both:
#
#   git clone https://github.com/mc-imperial/sctbench      # SCTBench
#   git clone https://github.com/mryancai/ConVul           # ConVul
#
# Their code is not ours: this script reads the checkouts, builds outside
# the repository (--work DIR, default a fresh temporary folder) and never
# copies anything into the tree.  A missing checkout: it says how to get it
# and exits 2.
#
# Programs (the benchmarks' own known-bug lists):
#   SCTBench: the lines of benchmarks/buggy.txt in the folders
#     concurrent-software-benchmarks (CS), conc-bugs (CB), chess (Chess),
#     inspect_benchmarks and inspect_examples (Inspect), safestack
#     (SafeStack), splash2 (Splash2); parsec-2.0 and radbench are not part
#     of the comparison.  Each is built with the command of its folder's
#     build.py / build.sh / Makefile (gcc/g++, -pthread -g -O0 where they
#     say so) and run with the arguments of its run.py / run.sh, the
#     "args:" first line, {NUMTHREADS} = 2 (the harness's num_threads).
#   ConVul: every cve-benchmark/*.cpp (no build script there: g++ -g -O0
#     -pthread).
#
# Builds (--builds, default all three), each with its own compiler
# wrappers first on PATH so the benchmarks' Makefiles pick them up:
#   plain   gcc/g++ as the harness says
#   hooked  `interleave cc` / `interleave c++` (ThreadSanitizer hooks: atomics
#           become scheduling points; race detection is off in the runs,
#           see below)
#   asan    -fsanitize=address, ConVul only: its use-after-free programs
#           only fail visibly under ASan.  interleave refuses ASan programs
#           today (exit 2): such trials are reported as "refused".
#
# Runs: per program, build and trial t in 1..N:
#   interleave run -q -j 1 --seed t --time-limit T -n <unbounded> --json F
#                  --no-race --no-lock-hold -- PROG ARGS   (stdin /dev/null)
# in a scratch folder holding the program's input files, under an outer
# timeout of T + 120 s.  A trial finds the bug when F holds a bug of kind
# assertion-failure, crash, exit-status, deadlock, stall or a sanitizer
# kind (heap-use-after-free, ...: the ASan builds' oracle): the
# benchmark's own failure.  data-race, lock-order-inversion, lock-hold,
# hang and watchdog findings do not count (they are listed in "other");
# --no-race and --no-lock-hold keep such a finding from becoming an
# execution's bug and ending the run before the failure itself.
#
# A counting bug with no step (step_count 0: it failed before any
# scheduling point, no interleaving involved) is listed, not counted.
#
# Output: per program and build "found/N" and the median, over the trials
# that found it, of the executions to the bug (the "execution" field of
# the first counting bug, which counts from 0, plus 1); then per build the
# number of programs found in at least one trial and the median of those
# medians.  Per-program build failures are listed, not fatal.
# SPLASH-2 is linked -no-pie (see its recipe): its K&R code passes
# malloc's pointer through an int, harmless with the non-PIE default of the
# harness's toolchain.
#
# Options:
#   --time SEC     time limit per trial (default 300)
#   --trials N     trials per program and build (default 5)
#   --jobs J       trials run at once (default 1; each trial is -j 1)
#   --only GLOB    programs whose name matches GLOB (e.g. 'CS.*', '*bug1*');
#                  repeatable
#   --builds LIST  comma-separated subset of plain,hooked,asan
#   --work DIR     where builds, runs and results go (default mktemp -d)
#   --strategy S   run the trials with --strategy S (default: interleave's)
#   --list         print the programs and exit
# IL=/path/to/interleave runs another build of interleave.
# Exit: 0 the table was printed, 2 usage, missing checkouts or tools.
set -u
unset INTERLEAVE_OPTIONS SCT_EXTRA
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IL=${IL:-$ROOT/build/interleave}
TIME=300 TRIALS=5 JOBS=1 WORK= BUILDS=plain,hooked,asan LIST=0 STRATEGY=
ONLY=()
DIRS=()

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
  --time) TIME=${2:?}; shift 2 ;;
  --trials) TRIALS=${2:?}; shift 2 ;;
  --jobs) JOBS=${2:?}; shift 2 ;;
  --only) ONLY+=("${2:?}"); shift 2 ;;
  --builds) BUILDS=${2:?}; shift 2 ;;
  --work) WORK=${2:?}; shift 2 ;;
  --strategy) STRATEGY=${2:?}; shift 2 ;;
  --list) LIST=1; shift ;;
  -h | --help) usage ;;
  --) shift; DIRS+=("$@"); break ;;
  -*) echo "bench/sct.sh: unknown option $1" >&2; usage ;;
  *) DIRS+=("$1"); shift ;;
  esac
done
for v in "$TIME" "$TRIALS" "$JOBS"; do
  case $v in '' | *[!0-9]* | 0) echo "bench/sct.sh: --time, --trials, --jobs take a positive integer" >&2; exit 2 ;; esac
done
case ",$BUILDS," in *,plain,* | *,hooked,* | *,asan,*) ;; *) echo "bench/sct.sh: --builds: plain,hooked,asan" >&2; exit 2 ;; esac

# ---- the checkouts ----
SCT= CONVUL=
for d in "${DIRS[@]}"; do
  if [ -f "$d/benchmarks/buggy.txt" ]; then SCT=$(cd "$d" && pwd)
  elif [ -d "$d/cve-benchmark" ]; then CONVUL=$(cd "$d" && pwd)
  else echo "bench/sct.sh: $d is not a checkout of SCTBench (benchmarks/buggy.txt) or ConVul (cve-benchmark/)" >&2
  fi
done
if [ -z "$SCT" ] || [ -z "$CONVUL" ]; then
  {
    echo "bench/sct.sh: needs checkouts of both benchmark suites (not vendored here):"
    [ -n "$SCT" ] || echo "  SCTBench: git clone https://github.com/mc-imperial/sctbench /some/where/sctbench"
    [ -n "$CONVUL" ] || echo "  ConVul:   git clone https://github.com/mryancai/ConVul /some/where/ConVul"
    echo "then: bench/sct.sh [--time SEC --trials N --jobs J --only GLOB] /some/where/sctbench /some/where/ConVul"
  } >&2
  exit 2
fi

# ---- the programs: NAME|SUITE|FOLDER|RECIPE|ARGS ----
# RECIPE: c (one C file), cxx (one C++ file), or a folder-specific one.
NT=2 # the harness's num_threads
corpus() {
  local suite test label src first args
  while read -r suite test _; do
    case $suite in '' | \#*) continue ;; esac
    case $suite in
    concurrent-software-benchmarks) label=CS ;;
    conc-bugs) label=CB ;;
    chess) label=Chess ;;
    inspect_benchmarks | inspect_examples) label=Inspect ;;
    safestack) label=SafeStack ;;
    splash2) label=Splash2 ;;
    *) continue ;; # parsec-2.0, radbench: not in the comparison
    esac
    args=
    case $suite/$test in
    chess/*) src=$test.cpp ;;
    concurrent-software-benchmarks/* | inspect_*/*) src=$test.c ;;
    *) src= ;;
    esac
    if [ -n "$src" ] && [ -f "$SCT/benchmarks/$suite/$src" ]; then
      first=$(head -n 1 "$SCT/benchmarks/$suite/$src")
      case $first in *args:*) args=${first#*args:}; args=${args//\{NUMTHREADS\}/$NT}; args=${args//\{OUTFILE\}/output.txt} ;; esac
    fi
    case $suite/$test in
    chess/*) echo "$label.$test|SCTBench|$suite|cxx-std0x:$src|$args" ;;
    concurrent-software-benchmarks/*) echo "$label.$test|SCTBench|$suite|c-O0:$src|$args" ;;
    inspect_*/*) echo "$label.$test|SCTBench|$suite|c:$src|$args" ;;
    safestack/bug1) echo "$label.$test|SCTBench|$suite|safestack|" ;;
    splash2/barnes) echo "$label.$test|SCTBench|$suite|splash2:apps/barnes:BARNES|" ;;
    splash2/fft) echo "$label.$test|SCTBench|$suite|splash2:kernels/fft:FFT|-p2 -m2 -n4 -l4" ;;
    splash2/lu) echo "$label.$test|SCTBench|$suite|splash2:kernels/lu/non_contiguous_blocks:LU|-p2 -n2 -b1" ;;
    conc-bugs/stringbuffer-jdk1.4) echo "$label.$test|SCTBench|$suite|stringbuffer|" ;;
    conc-bugs/pbzip2-0.9.4) echo "$label.$test|SCTBench|$suite|pbzip2|-k -f -p$NT -1 -b1 test.tar" ;;
    conc-bugs/aget-bug2) echo "$label.$test|SCTBench|$suite|aget|-l dl.txt http://www.gnu.org/licenses/gpl.txt" ;;
    *) echo "$label.$test|SCTBench|$suite|unknown|" ;;
    esac
  done <"$SCT/benchmarks/buggy.txt"
  local f
  for f in "$CONVUL"/cve-benchmark/*.cpp; do
    [ -f "$f" ] || continue
    f=${f##*/}
    echo "ConVul.CVE-${f%.cpp}|ConVul|cve-benchmark|convul:$f|"
  done
}
selected() {
  [ ${#ONLY[@]} -eq 0 ] && return 0
  local g
  for g in "${ONLY[@]}"; do
    # shellcheck disable=SC2053
    [[ $1 == $g ]] && return 0
  done
  return 1
}
PROGS=()
while IFS= read -r line; do selected "${line%%|*}" && PROGS+=("$line"); done < <(corpus)
if [ $LIST = 1 ]; then printf '%s\n' "${PROGS[@]}"; exit 0; fi
[ ${#PROGS[@]} -gt 0 ] || { echo "bench/sct.sh: no program matches --only" >&2; exit 2; }

# ---- tools ----
[ -x "$IL" ] || { echo "bench/sct.sh: $IL not built (make)" >&2; exit 2; }
IL=$(cd "$(dirname "$IL")" && pwd)/$(basename "$IL")
REALCC=$(command -v gcc) && REALCXX=$(command -v g++) || { echo "bench/sct.sh: needs gcc and g++" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench/sct.sh: needs python3 (reads the JSON)" >&2; exit 2; }
if [ -z "$WORK" ]; then WORK=$(mktemp -d /tmp/sct.XXXXXX); fi
mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd)
case $WORK/ in "$ROOT"/*) echo "bench/sct.sh: --work must be outside the repository" >&2; exit 2 ;; esac
echo "bench/sct.sh: work folder $WORK; $IL; T=${TIME}s x $TRIALS trials, $JOBS at once, builds $BUILDS" >&2

# Compiler wrappers per build: cc/gcc and c++/g++ first on PATH.
for b in plain hooked asan; do
  mkdir -p "$WORK/bin/$b"
  case $b in
  plain) c="exec $REALCC \"\$@\" \$SCT_EXTRA" x="exec $REALCXX \"\$@\" \$SCT_EXTRA" ;;
  hooked) c="CC=$REALCC exec $IL cc \"\$@\" \$SCT_EXTRA" x="CXX=$REALCXX exec $IL c++ \"\$@\" \$SCT_EXTRA" ;;
  asan) c="exec $REALCC -fsanitize=address \"\$@\" \$SCT_EXTRA" x="exec $REALCXX -fsanitize=address \"\$@\" \$SCT_EXTRA" ;;
  esac
  for n in cc gcc; do printf '#!/bin/sh\n%s\n' "$c" >"$WORK/bin/$b/$n"; done
  for n in c++ g++; do printf '#!/bin/sh\n%s\n' "$x" >"$WORK/bin/$b/$n"; done
  chmod +x "$WORK/bin/$b"/*
done

# build NAME FOLDER RECIPE BUILD: into $WORK/build/BUILD/NAME/, leaves
# the program at .../prog and its input files in .../files/; the log in .../log.
build_one() {
  local name=$1 folder=$2 recipe=$3 b=$4
  local out=$WORK/build/$b/$name src=$SCT/benchmarks/$folder
  rm -rf "$out" && mkdir -p "$out/files" "$out/src"
  (
    set -e
    export PATH=$WORK/bin/$b:$PATH
    cd "$out/src"
    case $recipe in
    c-O0:*) gcc -o ../prog "$src/${recipe#c-O0:}" -pthread -g -O0 ;;
    c:*) gcc -o ../prog "$src/${recipe#c:}" -pthread -g ;;
    cxx-std0x:*) g++ -o ../prog "$src/${recipe#cxx-std0x:}" -std=c++0x -pthread -g -O0 ;;
    safestack) g++ -std=c++0x -g -O0 -o ../prog "$src/SafeStack.cpp" -pthread ;;
    convul:*) g++ -g -O0 -o ../prog "$CONVUL/cve-benchmark/${recipe#convul:}" -pthread ;;
    splash2:*)
      local rest=${recipe#splash2:} dir exe
      dir=${rest%%:*} exe=${rest##*:}
      mkdir -p "$dir"
      cp -R "$src/null_macros" .
      cp -R "$src/$dir/." "$dir/"
      cd "$dir" && rm -f ./*.o "$exe"
      command -v m4 >/dev/null || { echo "m4 not installed (the SPLASH-2 makefiles need it)"; exit 1; }
      # K&R code without <stdlib.h>: malloc's pointer passes through an
      # int.  The harness's toolchain linked non-PIE by default, so the brk
      # heap lay below 4 GiB; a PIE build crashes in InitX before any thread.
      SCT_EXTRA=-no-pie make -j1 && cp "$exe" "$out/prog"
      ;;
    stringbuffer) cp -R "$src/stringbuffer-jdk1.4/." . && rm -f ./*.o main && make -j1 && cp main ../prog ;;
    pbzip2)
      cp -R "$src/pbzip2-0.9.4/." . && find . -name '*.o' -delete && rm -f bzip2-1.0.6/libbz2.a pbzip2-0.9.4/pbzip2
      (cd bzip2-1.0.6 && make -j1 libbz2.a CC=gcc)
      (cd pbzip2-0.9.4 && make -j1 CC=g++)
      cp pbzip2-0.9.4/pbzip2 ../prog && cp test.tar ../files/
      ;;
    aget)
      cp -R "$src/aget-bug2/." . && cd aget-devel && rm -f ./*.o aget
      make -j1 CC=gcc && cp aget "$out/prog" && cp 0 17573 "$out/files/"
      ;;
    *) echo "no build recipe for $name"; exit 1 ;;
    esac
  ) >"$out/log" 2>&1 </dev/null
}

wanted() { case ",$BUILDS," in *,$1,*) return 0 ;; esac; return 1; }
TASKS=()
for p in "${PROGS[@]}"; do
  IFS='|' read -r name suite folder recipe args <<<"$p"
  [ "$suite" = ConVul ] && folder=
  for b in plain hooked asan; do
    wanted $b || continue
    [ $b = asan ] && [ "$suite" != ConVul ] && continue
    if timeout -k 10 900 bash -c "$(declare -f build_one); $(declare -p WORK SCT CONVUL); build_one \"\$@\"" _ "$name" "$folder" "$recipe" $b; then
      for t in $(seq 1 "$TRIALS"); do TASKS+=("$name|$b|$t|$args"); done
    else
      mkdir -p "$WORK/results/$b"
      echo "build-failed" >"$WORK/results/$b/$name"
      echo "bench/sct.sh: $name ($b) did not build; see $WORK/build/$b/$name/log: $(tail -n 1 "$WORK/build/$b/$name/log" 2>/dev/null)" >&2
    fi
  done
done

# run_one NAME BUILD TRIAL ARGS: one trial; its JSON and output in
# $WORK/runs/BUILD/NAME/TRIAL/.
run_one() {
  local name=$1 b=$2 t=$3 args=$4
  local dir=$WORK/runs/$b/$name/$t bdir=$WORK/build/$b/$name
  rm -rf "$dir" && mkdir -p "$dir/cwd"
  cp -R "$bdir/files/." "$dir/cwd/" 2>/dev/null
  cd "$dir/cwd" || return
  # shellcheck disable=SC2086 # ARGS are words
  timeout -k 10 $((TIME + 120)) "$IL" run -q -j 1 --seed "$t" --time-limit "$TIME" -n 1000000000000 \
    ${STRATEGY:+--strategy "$STRATEGY"} --json "$dir/run.json" --out "$dir/out" --no-race --no-lock-hold -- "$bdir/prog" $args \
    </dev/null >"$dir/stdout" 2>"$dir/stderr"
  echo $? >"$dir/rc"
  rm -rf "$dir/cwd" # pbzip2's outputs, the programs' scratch files
}

echo "bench/sct.sh: ${#TASKS[@]} trials" >&2
n=0
for task in "${TASKS[@]}"; do
  IFS='|' read -r name b t args <<<"$task"
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  n=$((n + 1))
  [ -t 2 ] && printf '\r[%d/%d] %s %s %s          ' $n ${#TASKS[@]} "$name" $b "$t" >&2
  run_one "$name" $b "$t" "$args" &
done
wait
[ -t 2 ] && echo >&2

# ---- the table ----
WORK=$WORK TIME=$TIME TRIALS=$TRIALS BUILDS=$BUILDS python3 - "${PROGS[@]%%|*}" <<'EOF'
import json, os, statistics, sys
work, trials = os.environ["WORK"], int(os.environ["TRIALS"])
builds = [b for b in ("plain", "hooked", "asan") if b in os.environ["BUILDS"].split(",")]
# Everything but the findings that are not the benchmark's own failure
# (a race report alone, a lock-order or lock-hold finding, a hang or a
# watchdog) counts: assertion, crash, exit status, deadlock, stall and
# every sanitizer kind (cli/sankinds.h).
NOTCOUNT = {"data-race", "lock-order-inversion", "lock-hold", "hang", "watchdog", "unsupported",
            "diverged", "limit"}
names = sys.argv[1:]

def trial(b, name, t):
    d = os.path.join(work, "runs", b, name, str(t))
    try:
        rc = int(open(os.path.join(d, "rc")).read())
    except (OSError, ValueError):
        return None
    found, other, stats, early = None, [], None, []
    try:
        for line in open(os.path.join(d, "run.json")):
            o = json.loads(line)
            if o.get("type") == "stats":
                stats = o
            elif o.get("type") == "bug":
                loc = o.get("location") or {}
                where = f'{o.get("kind")} {loc.get("file", "?")}:{loc.get("line", "?")}'
                if o.get("kind") not in NOTCOUNT and not o.get("step_count"):
                    # a failure before any scheduling point: no interleaving
                    # involved, a build or port problem; not counted
                    early.append(where)
                elif o.get("kind") not in NOTCOUNT:
                    # "execution" counts from 0: executions to the bug = +1
                    if found is None or o["execution"] + 1 < found[0]:
                        found = (o["execution"] + 1, where)
                else:
                    other.append(o.get("kind"))
    except (OSError, ValueError):
        pass
    err = ""
    try:
        err = open(os.path.join(d, "stderr")).read()
    except OSError:
        pass
    if stats is None and found is None and not early:
        if rc == 2 and ("AddressSanitizer" in err or "sanitizer" in err.lower()):
            return {"refused": True}
        return {"error": rc, "why": (err.strip().splitlines() or ["(no output)"])[-1][:80]}
    return {"found": found, "other": other, "early": early, "rc": rc,
            "execs": stats["executions"] if stats else None}

rows, summary = [], {b: [] for b in builds}
refused, failed = {b: 0 for b in builds}, {b: 0 for b in builds}
for name in names:
    cells, notes = [], []
    for b in builds:
        if b == "asan" and not name.startswith("ConVul."):
            cells += ["", ""]; continue
        rf = os.path.join(work, "results", b, name)
        if os.path.exists(rf):
            cells += ["build failed", ""]; notes.append(f"{b}: build failed"); failed[b] += 1; continue
        rs = [trial(b, name, t) for t in range(1, trials + 1)]
        rs = [r for r in rs if r is not None]
        if not rs:
            cells += ["-", ""]; continue
        if all(r.get("refused") for r in rs):
            cells += ["refused", ""]; refused[b] += 1; continue
        errs = [r for r in rs if "error" in r]
        for r in errs[:1]:
            notes.append(f"{b}: tool exit {r['error']}: {r['why']}")
        hits = [r["found"] for r in rs if r.get("found")]
        kinds = sorted({k for _, k in hits})
        med = statistics.median([e for e, _ in hits]) if hits else None
        cells += [f"{len(hits)}/{trials}", f"{med:g}" if med is not None else ""]
        if hits:
            summary[b].append(med)
            notes.append(f"{b}: {','.join(kinds)}")
        early = sorted({k for r in rs for k in r.get("early", [])})
        if early:
            notes.append(f"{b}: fails before any scheduling point, not counted: {','.join(early)}")
        oth = sorted({k for r in rs for k in r.get("other", [])})
        if oth:
            notes.append(f"{b} other: {','.join(oth)}")
        if not hits:
            ex = [r["execs"] for r in rs if r.get("execs")]
            if ex:
                notes.append(f"{b}: {statistics.median(ex):g} execs/trial")
    rows.append([name] + cells + ["; ".join(notes)])

hdr = ["program"]
for b in builds:
    hdr += [f"{b} found", f"{b} median execs"]
hdr.append("kinds / notes")
print("| " + " | ".join(hdr) + " |")
print("|" + " --- |" * len(hdr))
for r in rows:
    print("| " + " | ".join(r) + " |")
print()
anyf = sum(1 for r in rows if any(c.split("/")[0].isdigit() and int(c.split("/")[0]) > 0 for c in r[1:-1:2]))
for b in builds:
    n = sum(1 for name in names if b != "asan" or name.startswith("ConVul."))
    m = summary[b]
    extra = "".join(f", {k} {v}" for k, v in (("refused", refused[b]), ("build failed", failed[b])) if v)
    print(f"{b}: found {len(m)} of {n} programs (in at least one of {trials} trials{extra}); "
          f"median over found programs of the median executions to the first bug: "
          f"{statistics.median(m):g}" if m else f"{b}: found 0 of {n} programs{extra}")
print(f"any build: found {anyf} of {len(names)} programs")
EOF
