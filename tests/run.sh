#!/usr/bin/env bash
# tests/run.sh: every test of interleave.  Each check prints "ok" or
# "FAIL" with its name; the last line is "N passed, N failed".
# Deterministic: fixed seeds, bounded runs.  Run it through `make check`.
set -u
cd "$(dirname "$0")/.."
IL=build/interleave
# Reports fit $COLUMNS when it is set: the tests want the unlimited table.
unset COLUMNS
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ONLY=${1:-}

ok()   { pass=$((pass + 1)); printf 'ok    %s\n' "$1"; }
bad()  { fail=$((fail + 1)); printf 'FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | tail -n 40 | sed 's/^/      /'; }
want() { case " ${ONLY} " in "  ") return 0;; *" $1 "*) return 0;; *) return 1;; esac; }

# expect_run NAME EXPECT KIND RUNS MESSAGE -- PROGRAM ARGS...
# (IL_ARGS: extra interleave options, e.g. a seed model's suppressions)
expect_run() {
  local name=$1 expect=$2 kind=$3 runs=$4 msg=$5
  shift 6
  local out rc
  # shellcheck disable=SC2086
  out=$(timeout 600 "$IL" run -q --seed 1 -n "$runs" ${IL_ARGS:-} --out "$TMP/out-$name" -- "$@" 2>&1)
  rc=$?
  case $expect in
  bug)
    if [ $rc -eq 1 ] && grep -q "^SUMMARY: interleave: $kind " <<<"$out" &&
       { [ -z "$msg" ] || grep -qF -- "$msg" <<<"$out"; }; then ok "$name: finds $kind"
    else bad "$name: expected bug $kind, exit $rc" "$out"; fi ;;
  ok)
    if [ $rc -eq 0 ]; then ok "$name: no bug in $runs executions"
    else bad "$name: expected no bug, exit $rc" "$out"; fi ;;
  error)
    if [ $rc -eq 2 ] && [ "$(grep -c . <<<"$out")" -le 2 ] && { [ -z "$msg" ] || grep -qiF -- "$msg" <<<"$out"; }; then
      ok "$name: refused with exit 2"
    else bad "$name: expected a one-line error (exit 2), exit $rc" "$out"; fi ;;
  esac
}

# ---- test programs with expected verdicts ----
for exp in tests/programs/*.expect; do
  name=$(basename "$exp" .expect)
  want "$name" || continue
  expect=$(sed -n 's/^expect: *//p' "$exp" | head -1)
  kind=$(sed -n 's/^kind: *//p' "$exp" | head -1)
  runs=$(sed -n 's/^runs: *//p' "$exp" | head -1)
  msg=$(sed -n 's/^message: *//p' "$exp" | head -1)
  args=$(sed -n 's/^args: *//p' "$exp" | head -1)
  export IL_ARGS=$(sed -n 's/^options: *//p' "$exp" | head -1)
  [ -n "$runs" ] || runs=10000
  # shellcheck disable=SC2086
  expect_run "$name" "$expect" "$kind" "$runs" "$msg" -- "build/tests/programs/$name" $args
done
unset IL_ARGS

# ---- seed models: the bug of every buggy variant, no report on fixes ----
while read -r v expect kind il_args; do
  want "$v" || continue
  [ "$kind" = "-" ] && kind=
  export IL_ARGS="$il_args"
  if [ "$expect" = bug ]; then
    start=$(date +%s.%N)
    expect_run "seed $v" bug "$kind" 10000 "" -- "build/examples/seeds/$v"
    awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "      (%.1f s)\n", e - s }'
  else
    expect_run "seed $v" ok "" 10000 "" -- "build/examples/seeds/$v"
  fi
done < <(make -s print-seeds)
unset IL_ARGS

# ---- interleave gtest: every test of a GoogleTest binary (real GoogleTest,
# Debian's libgtest-dev) explored on its own; only the one with the lost
# update is named; --junit: one testcase per test ----
if want gtest; then
  GT=build/tests/gtest/race_test
  out=$(timeout 600 "$IL" gtest --seed 1 -n 500 --out "$TMP/gt" --junit "$TMP/gt.xml" -- $GT 2>/dev/null); rc=$?
  out2=$(timeout 600 "$IL" gtest --seed 1 -n 500 --out "$TMP/gt2" -- $GT 2>/dev/null)
  named=$(grep -o '^\[   BUG    \] [A-Za-z0-9_/]*\.[A-Za-z0-9_/]*: exit-status' <<<"$out" | sort -u)
  "$IL" replay "$TMP"/gt/Counter.LostUpdate/exit-status-*.sched >/dev/null 2>&1; rc_replay=$?
  if [ $rc -eq 1 ] && [ "$named" = "[   BUG    ] Counter.LostUpdate: exit-status" ] &&
     grep -q '^\[       OK \] Counter.LockedIncrement (500 executions)$' <<<"$out" &&
     grep -q '^\[       OK \] Arithmetic.NoThreads (500 executions)$' <<<"$out" &&
     grep -q '^  | a deposit was lost$' <<<"$out" && [ $rc_replay -eq 1 ] &&
     [ "$out" = "$(sed "s|$TMP/gt2/|$TMP/gt/|g" <<<"$out2")" ]; then
    ok "gtest: 3 tests, each its own campaign; only Counter.LostUpdate has a bug (exit-status), it replays; same seed, same output"
  else bad "gtest (exit $rc, replay exit $rc_replay)" "$out"; fi
  if u=$(/usr/bin/python3 - "$TMP/gt.xml" <<'PY' 2>&1
import sys
from junitparser import JUnitXml, Failure
c = [x for s in JUnitXml.fromfile(sys.argv[1]) for x in s]
got = sorted((x.classname, x.name) for x in c)
assert got == [("Arithmetic", "NoThreads"), ("Counter", "LockedIncrement"), ("Counter", "LostUpdate")], got
failed = [(x.classname, x.name, r.type) for x in c for r in x.result if isinstance(r, Failure)]
assert failed == [("Counter", "LostUpdate", "exit-status")], failed
assert all(x.is_passed for x in c if x.name != "LostUpdate"), c
PY
  ); then ok "gtest --junit: junitparser reads 3 testcases (classname = suite), exactly one failure"
  else bad "gtest --junit" "$u"; fi
fi

# ---- --html and --perfetto: the page loads in headless Chromium (Debian's
# chromium) with no console message (an uncaught exception, a refused
# resource), its script draws every timeline (it sets data-il-rendered on
# <html> last) and the screenshot shows its marks; the page holds the
# report as printed; the trace is JSON with the threads, steps and flows;
# a page with a script error is caught; program text cannot inject markup.
if want html; then
  H=$TMP/html
  mkdir -p "$H"
  # page FILE N: loads with no console message, N timelines drawn; a screenshot in FILE.png.
  page() {
    rm -f "$1.dom" "$1.png"
    timeout 120 chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$H/chromium" \
      --enable-logging=stderr --v=0 --dump-dom "file://$1" >"$1.dom" 2>"$1.log" &&
    timeout 120 chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$H/chromium" --hide-scrollbars \
      --window-size=1100,1400 --screenshot="$1.png" "file://$1" >/dev/null 2>&1 &&
    ! grep -q ':CONSOLE' "$1.log" && grep -q "data-il-rendered=\"$2\"" "$1.dom" && [ -s "$1.png" ]
  }
  console() { for f in "$@"; do [ -f "$f.log" ] && grep -h ':CONSOLE' "$f.log" | tail -3; done; }
  LU=build/tests/programs/lost_update
  "$IL" run -q --seed 7 --out "$H/out" --html "$H/run.html" --perfetto "$H/run.json" -- $LU >"$H/run.txt" 2>&1; rc=$?
  sched=$(ls "$H"/out/*.sched 2>/dev/null | head -1)
  "$IL" replay --html "$H/replay.html" --perfetto "$H/replay.json" "$sched" >"$H/replay.txt" 2>&1; rc2=$?
  if [ $rc -eq 1 ] && [ $rc2 -eq 1 ] && page "$H/run.html" 1 && page "$H/replay.html" 1 &&
     cmp -s "$H/run.json" "$H/replay.json" &&
     u=$(python3 - "$H" "$sched" <<'PY' 2>&1
import html.parser, json, struct, sys, zlib
from collections import Counter
h, sched = sys.argv[1], sys.argv[2]
def pixels(path):  # a PNG's RGB pixels (8-bit RGB or RGBA, as Chromium writes)
    d = open(path, "rb").read()
    assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    p, idat = 8, b""
    while p < len(d):
        n, typ = struct.unpack(">I4s", d[p:p + 8])
        if typ == b"IHDR": w, ht, depth, ctype = struct.unpack(">IIBB", d[p + 8:p + 18])
        elif typ == b"IDAT": idat += d[p + 8:p + 8 + n]
        p += 12 + n
    assert depth == 8 and ctype in (2, 6), (depth, ctype)
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), Counter()
    for y in range(ht):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a, b, c = line[i - bpp] if i >= bpp else 0, prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.update(tuple(line[i:i + 3]) for i in range(0, stride, bpp))
        prev = line
    return (w, ht), out
class Pre(html.parser.HTMLParser):  # the text of the page's <pre> blocks
    def __init__(self):
        super().__init__(); self.pre, self.inpre = [], False
    def handle_starttag(self, tag, attrs):
        if tag == "pre": self.inpre = True; self.pre.append("")
    def handle_endtag(self, tag):
        if tag == "pre": self.inpre = False
    def handle_data(self, data):
        if self.inpre: self.pre[-1] += data
for name in ("run", "replay"):
    p = Pre(); p.feed(open(f"{h}/{name}.html", encoding="utf-8").read())
    assert p.pre == [open(f"{h}/{name}.txt", encoding="utf-8").read()], f"{name}.html: <pre> is not the report"
size, px = pixels(f"{h}/run.html.png")
assert size == (1100, 1400), size
# The timeline's marks (#2f5d9b), the preempted step's (#e8710a), a lock arrow's (#7b3fb5).
assert px[(0x2f, 0x5d, 0x9b)] > 300 and px[(0xe8, 0x71, 0x0a)] > 10 and px[(0x7b, 0x3f, 0xb5)] > 20, px.most_common(12)
t = json.load(open(f"{h}/run.json"))["traceEvents"]
names = {e["tid"]: e["args"]["name"] for e in t if e["ph"] == "M" and e["name"] == "thread_name"}
assert names == {1: "T0 main", 2: "T1 deposit_thread", 3: "T2 deposit_thread"}, names
proc = [e["args"]["name"] for e in t if e["ph"] == "M" and e["name"] == "process_name"]
assert proc == ["bug 1: assertion-failure lost_update.c:51 in main"], proc
x = [e for e in t if e["ph"] == "X"]
assert len(x) == 19, len(x)
assert any(e["name"] == "lock balance_mu" and e["args"]["op"] == "lock" and e["args"]["function"] == "get_balance"
           and e["args"]["location"] == "lost_update.c:19" and e["tid"] == 2 for e in x), x
assert sum(1 for e in x if e["args"].get("preemption")) == 1 and any(e["ph"] == "i" and e["name"] == "preemption" for e in t)
s = {e["id"]: e for e in t if e["ph"] == "s"}
f = {e["id"]: e for e in t if e["ph"] == "f"}
assert s and s.keys() == f.keys() and all(e["bp"] == "e" for e in f.values()), (s, f)
assert {e["cat"] for e in s.values()} == {"flow.thread", "flow.lock"}, s
for e in list(s.values()) + list(f.values()):  # each end lies in a step of its thread
    assert any(y["tid"] == e["tid"] and y["ts"] <= e["ts"] <= y["ts"] + y["dur"] for y in x), e
for e in s.values():
    assert e["ts"] < f[e["id"]]["ts"] and e["tid"] != f[e["id"]]["tid"], (e, f[e["id"]])
assert sched in open(f"{h}/run.html").read()
PY
     ); then ok "--html, --perfetto: the page draws its timeline in Chromium with no error and holds the report; the trace has the threads, 19 steps, flows; replay --html/--perfetto write the same"
  else bad "--html/--perfetto (exit $rc, replay exit $rc2)" "${u:-}$(console "$H/run.html" "$H/replay.html")"; fi

  # The check catches a script error: the same page, its script broken.
  sed 's/^  document.documentElement.setAttribute/  undefinedFunction();\n&/' "$H/run.html" >"$H/broken.html"
  if grep -q undefinedFunction "$H/broken.html" && ! page "$H/broken.html" 1 &&
     grep -q 'CONSOLE.*Uncaught ReferenceError: undefinedFunction' "$H/broken.html.log"; then
    ok "--html: a page whose script throws fails the check (console error, no data-il-rendered)"
  else bad "--html: a broken page passed the check"; fi

  # --keep-going: one section per bug (a lock-order inversion, drawn as text
  # only, and a deadlock, whose blocked threads point at the holders).
  "$IL" run -q --seed 1 -n 200 --keep-going --out "$H/kg" --html "$H/kg.html" --perfetto "$H/kg.json" \
    -- build/tests/programs/abba_deadlock >/dev/null 2>&1; rc=$?
  if [ $rc -eq 1 ] && page "$H/kg.html" 1 && [ "$(grep -c '<section class="bug"' "$H/kg.html")" = 2 ] &&
     grep -q '"k":"waits"' "$H/kg.html" &&
     python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["traceEvents"]
assert [e["args"]["name"].split(":")[1] for e in t if e.get("name") == "process_name"] == [" lock-order-inversion abba_deadlock.c", " deadlock abba_deadlock.c"]
assert any(e["ph"] == "s" and e["cat"] == "flow.waits" for e in t)' "$H/kg.json"; then
    ok "--html/--perfetto --keep-going: one section (process) per bug; the deadlock's waits drawn"
  else bad "--html --keep-going (exit $rc)" "$(console "$H/kg.html")"; fi

  # Whatever the program says (a thread name, its output, its assertion) is
  # text on the page: no element of it, and the data block stays intact.
  printf '%s\n' '#include <assert.h>' '#include <pthread.h>' '#include <stdio.h>' \
    'static void *run(void *a) { pthread_setname_np(pthread_self(), "</script><i>"); return a; }' \
    'int main(void) { pthread_t t; pthread_create(&t, 0, run, 0); pthread_join(t, 0);' \
    '  printf("</script><script>document.title=1</script><!-- \377 <b>&amp;\n"); fflush(stdout);' \
    '  assert(!"</script><b>x"); }' >"$H/inject.c"
  gcc -D_GNU_SOURCE -g -pthread -o "$H/inject" "$H/inject.c" &&
    "$IL" run -q --seed 1 -n 5 --out "$H/inj" --html "$H/inj.html" --perfetto "$H/inj.json" -- "$H/inject" >/dev/null 2>&1
  rc=$?
  if [ $rc -eq 1 ] && page "$H/inj.html" 1 && ! grep -qi '<script>document\|<b>\|<i>' "$H/inj.html.dom" &&
     grep -q 'T1 &lt;/script&gt;&lt;i&gt;</text>' "$H/inj.html.dom" && grep -q '&lt;b&gt;&amp;amp;' "$H/inj.html.dom" &&
     python3 -c 'import json, sys; t = json.load(open(sys.argv[1], encoding="utf-8"))["traceEvents"]
assert "T1 </script><i>" in [e["args"]["name"] for e in t if e["name"] == "thread_name"]' "$H/inj.json"; then
    ok "--html: program text is escaped (a thread named </script><i>, output with <script>, invalid UTF-8)"
  else bad "--html escaping (exit $rc)" "$(console "$H/inj.html")"; fi

  # The CLI's new paths under ASan/UBSan.
  a=$(INTERLEAVE_RUNTIME=build/libinterleave.so build/asan/interleave run -q --seed 1 -n 200 --keep-going \
      --out "$H/asan" --html "$H/asan.html" --perfetto "$H/asan.json" -- build/tests/programs/abba_deadlock 2>&1); rc=$?
  a2=$(INTERLEAVE_RUNTIME=build/libinterleave.so build/asan/interleave replay --html "$H/asan2.html" \
       --perfetto "$H/asan2.json" "$sched" 2>&1); rc2=$?
  if [ $rc -eq 1 ] && [ $rc2 -eq 1 ] && ! grep -q "Sanitizer" <<<"$a$a2" && cmp -s "$H/asan.json" "$H/kg.json" &&
     cmp -s "$H/asan2.json" "$H/run.json"; then ok "--html/--perfetto clean under ASan/UBSan"
  else bad "--html/--perfetto under ASan/UBSan ($rc/$rc2)" "$a$a2"; fi
fi

# ---- the timeline fits a width (--width, else the terminal's, else
# $COLUMNS): threads with no event in the steps shown get no column, the
# columns narrow, long cells wrap; every step and event of the unlimited
# table is still there, with its thread ----
if want width; then
  W8=build/tests/programs/width_eight_bug
  wrun() { env -u COLUMNS "$IL" run -q --seed 1 --out "$TMP/width" "$@" -- $W8 2>/dev/null; }
  wcheck() { # UNLIMITED NARROW WIDTH columns|list
    python3 - "$@" <<'PY' 2>&1
import re, sys
unl, nar, width, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ws = lambda s: re.sub(r'\s+', '', s)
def parse(text, names=()):
    L = text.split('\n')
    i = next(k for k, l in enumerate(L) if l.startswith('Interleaving ('))
    d = next(k for k in range(i, len(L)) if L[k].startswith(' ------  '))
    e = next(k for k in range(d, len(L)) if L[k] == '')
    head = L[i:d]
    hdr = head[head.index('') + 1:]
    cols = [(m.start(), m.end()) for m in re.finditer(r'-+', L[d]) if m.start() >= 9]
    cnames = [' '.join(h[a:b].strip() for h in hdr).strip() for a, b in cols]
    entries, idle, trailer = [], '', None
    for l in L[d + 1:e]:
        step, x = l[:7].strip(), 9 + len(l[9:]) - len(l[9:].lstrip())
        if step:
            trailer = None
            t = cnames[next(j for j, (a, b) in enumerate(cols) if a <= x < b + 2)]
            txt = l[x:]
            for nm in sorted(names, key=len, reverse=True):
                if txt.startswith(nm + ': '):
                    t, txt = nm, txt[len(nm) + 2:]
                    break
            entries.append([step, ws(t), ws(txt)])
        elif re.match(r'(Preemptions|Lateness|No event in the steps shown):', l.strip()):
            trailer = l.strip()
            idle += l.strip() if trailer.startswith('No event') else ''
        elif trailer is not None:
            idle += ' ' + l.strip() if trailer.startswith('No event') else ''
        else:
            entries[-1][2] += ws(l)
    return L[i:e], cnames, entries, idle
ublock, unames, u, _ = parse(open(unl).read())
nblock, nnames, n, idle = parse(open(nar).read(), unames)
errs = []
long = [l for l in nblock if len(l) > width]
if long: errs.append('%d lines longer than %d: %r' % (len(long), width, long[0]))
m = re.search(r'last (\d+) of (\d+) events', nblock[0])
steps = [re.sub(r'[*TL]+$', '', s) for s, _, _ in n if s != 'next']
if steps != [str(k) for k in range(int(m[2]) - int(m[1]), int(m[2]))]: errs.append('steps: %s' % steps)
if u != n:
    errs += ['unlimited %s / narrow %s' % (a, b) for a, b in zip(u + [None] * len(n), n + [None] * len(u)) if a != b][:5]
quiet = sorted(set(unames) - {t for t in unames if ws(t) in {x[1] for x in n if x[0] != 'next'}})
if mode == 'columns':
    if not (1 < len(nnames) < len(unames)) or not quiet or any(t not in idle for t in quiet):
        errs.append('no idle threads folded: columns %s, idle list %r' % (nnames, idle))
elif nnames != ['thread: event']:
    errs.append('not a list: %s' % nnames)
print('\n'.join(errs) if errs else '%d entries, %d columns of %d' % (len(n), len(nnames), len(unames)))
sys.exit(1 if errs else 0)
PY
  }
  wrun > "$TMP/w-unl"; wrun --width 100 > "$TMP/w-100"
  if r=$(wcheck "$TMP/w-unl" "$TMP/w-100" 100 columns); then
    ok "--width 100, 8 threads: no line over 100, every step, same events and threads, idle threads folded ($r)"
  else bad "--width 100 (8 threads)" "$r"; fi
  wrun --full-trace > "$TMP/w-unlf"; wrun --full-trace --width 100 > "$TMP/w-100f"
  if r=$(wcheck "$TMP/w-unlf" "$TMP/w-100f" 100 list); then
    ok "--width 100 --full-trace, 8 threads active: a list, no line over 100, every step, same events ($r)"
  else bad "--width 100 --full-trace (8 threads)" "$r"; fi
  # Unlimited is today's layout (8 columns of 44: 377 wide); a width they
  # fit changes nothing;
  # $COLUMNS counts without a terminal, a terminal's own width with one.
  script -qec "stty cols 90; env -u COLUMNS $IL run -q --seed 1 --out $TMP/width -- $W8" /dev/null 2>/dev/null |
    tr -d '\r' > "$TMP/w-tty"
  if cmp -s "$TMP/w-unl" <(wrun --width 0) && cmp -s "$TMP/w-unl" <(wrun --width 377) &&
     ! cmp -s "$TMP/w-unl" <(wrun --width 376) &&
     [ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$TMP/w-unl")" = 377 ] &&
     cmp -s "$TMP/w-100" <(COLUMNS=100 "$IL" run -q --seed 1 --out "$TMP/width" -- $W8 2>/dev/null) &&
     r=$(wcheck "$TMP/w-unl" "$TMP/w-tty" 90 columns); then
    ok "--width 0 and a width that fits: the unlimited table; COLUMNS=100 as --width 100; a 90-column terminal: fits ($r)"
  else bad "--width 0 / fitting width / COLUMNS / terminal" "$r"; fi
fi

# ---- a stripped program's symbols from its separate debug file: by
# build-id under INTERLEAVE_DEBUG_PATH (/usr/lib/debug by default), and by
# .gnu_debuglink next to the binary; without either, only addresses ----
if want debuginfo; then
  D=$TMP/dbg
  mkdir -p "$D/bin" "$D/link" "$D/none"
  gcc -std=c11 -D_GNU_SOURCE -g -O1 -pthread -Wl,--build-id -o "$D/lu" tests/programs/lost_update.c &&
    objcopy --only-keep-debug "$D/lu" "$D/lu.debug" && strip -o "$D/bin/lu" "$D/lu" &&
    id=$(readelf -n "$D/bin/lu" | sed -n 's/^ *Build ID: *//p') && [ -n "$id" ] &&
    mkdir -p "$D/tree/.build-id/${id:0:2}" && cp "$D/lu.debug" "$D/tree/.build-id/${id:0:2}/${id:2}.debug" &&
    objcopy --add-gnu-debuglink="$D/lu.debug" "$D/bin/lu" "$D/link/lu" && cp "$D/lu.debug" "$D/link/"
  dsym() { env -u DEBUGINFOD_URLS INTERLEAVE_DEBUG_PATH="$1" "$IL" run -q --seed 7 --out "$TMP/dbg-out" -- "$2" 2>&1; }
  named() { grep -q '^ *in get_balance lost_update.c:19 *$' <<<"$1" && grep -q '^    #0 main lost_update.c:51$' <<<"$1" &&
            grep -q 'T1 deposit_thread' <<<"$1"; }
  tree=$(dsym "$D/tree" "$D/bin/lu"); link=$(dsym "$D/none" "$D/link/lu"); none=$(dsym "$D/none" "$D/bin/lu")
  if named "$tree" && named "$link" && ! grep -q 'get_balance\|deposit_thread' <<<"$none" &&
     grep -q '^ *in 0x[0-9a-f]* (lu) *$' <<<"$none" && ! readelf -S "$D/bin/lu" | grep -q 'debug_info\|symtab'; then
    ok "stripped program: function names and lines from its debug file by build-id and by .gnu_debuglink; addresses without"
  else bad "debug info of a stripped program" "$tree
--- debuglink:
$link
--- none:
$none"; fi
fi

# ---- memory errors as verdicts (docs/detectors.md): an ASan report found
# under a race is replayed; `interleave cc -fsanitize=address` builds a
# program interleave runs with ASan (no race hooks); clang's runtime,
# linked into the executable, works too ----
if want asan; then
  out=$("$IL" run -q --seed 1 -n 200 --out "$TMP/asan" -- build/tests/programs/asan_uaf_bug 2>&1); rc=$?
  sched=$(ls "$TMP"/asan/heap-use-after-free-*.sched 2>/dev/null | head -1)
  r=$("$IL" replay "$sched" 2>&1); rc2=$?
  if [ $rc -eq 1 ] && [ $rc2 -eq 1 ] && grep -q '^SUMMARY: interleave: heap-use-after-free asan_uaf_bug.c:23 in reader$' <<<"$r" &&
     grep -q '^  | previously allocated by thread T0 here:$' <<<"$r" && grep -q '^  | freed by thread T2 here:$' <<<"$r" &&
     grep -q '^Thread T1 reader, failed here' <<<"$r" && grep -q '^ERROR: interleave: heap-use-after-free in thread T1 reader at reader asan_uaf_bug.c:23 (AddressSanitizer)$' <<<"$r"; then
    ok "asan: heap-use-after-free found, replayed (exit 1) with ASan's stacks"
  else bad "asan: run exit $rc, replay exit $rc2" "$out$r"; fi
  if "$IL" cc -g -O1 -pthread -fsanitize=address -o "$TMP/asan_cc" tests/programs/asan_uaf_bug.c 2>&1 &&
     ! nm -D "$TMP/asan_cc" | grep -q __tsan; then
    expect_run "interleave cc -fsanitize=address" bug heap-use-after-free 200 "" -- "$TMP/asan_cc"
  else bad "interleave cc -fsanitize=address: build"; fi
  if command -v clang >/dev/null && clang -g -O1 -pthread -fsanitize=address -o "$TMP/asan_clang" tests/programs/asan_uaf_bug.c; then
    expect_run "clang -fsanitize=address (runtime linked in)" bug heap-use-after-free 200 "" -- "$TMP/asan_clang"
  fi
fi

# ---- --strategy pos (runtime/strategy/pos.c): partial-order sampling finds
# a lost update, a seed model's bug and (instrumented, --no-race) a
# reorder of plain stores within a few executions of a fixed seed; the
# same seed gives the same report twice; the schedule it wrote (strategy
# pos) replays ----
if want strategies; then
  while read -r prog runs opts; do
    # shellcheck disable=SC2086
    out=$("$IL" run -q --strategy pos --seed 1 -n "$runs" $opts --out "$TMP/pos-$(basename "$prog")" -- "build/$prog" 2>&1); rc=$?
    if [ $rc -eq 1 ] && grep -q '^SUMMARY: interleave: assertion-failure ' <<<"$out"; then
      ok "pos: $(basename "$prog") found within $runs executions (seed 1)"
    else bad "pos: $(basename "$prog"), exit $rc" "$out"; fi
  done <<'EOF'
tests/programs/lost_update 20
examples/seeds/ui-gap-buggy 20
tests/programs/race_reorder_bug 20 --no-race
EOF
  o1=$("$IL" run -q --strategy pos --seed 5 -n 200 --out "$TMP/posd" -- build/tests/programs/lost_update 2>/dev/null); rc1=$?
  o2=$("$IL" run -q --strategy pos --seed 5 -n 200 --out "$TMP/posd" -- build/tests/programs/lost_update 2>/dev/null); rc2=$?
  sched=$(ls "$TMP"/posd/assertion-failure-*.sched 2>/dev/null | head -1)
  r=$("$IL" replay "$sched" 2>&1); rc3=$?
  if [ $rc1 -eq 1 ] && [ "$o1" = "$o2" ] && grep -qx 'strategy pos' "$sched" && [ $rc3 -eq 1 ] &&
     grep -q '^SUMMARY: interleave: assertion-failure lost_update.c' <<<"$r" && grep -q '^strategy *: pos$' "$TMP/posd/stats"; then
    ok "pos: same seed, same report; its schedule (strategy pos) replays"
  else bad "pos: determinism/replay (exits $rc1 $rc2, replay $rc3)" "$(diff <(echo "$o1") <(echo "$o2"))$r"; fi

  # --strategy mutate (cli/explore.c, runtime/strategy/mutate.c and
  # feedback.c): a lock-only two-stage bug (30 writers) and a nine-setter
  # reorder (interleave cc, --no-race) that pct+pos does not find in 100
  # executions of seed 1 are found by mutate within 20 (a learned conflict
  # pair, or race, flipped), by a derived execution (its schedule says
  # strategy mutate, and replays); -j 1 and -j 2 give the same report and
  # the same corpus.
  for prog in mutate_twostage_bug race_reorder_many_bug; do
    P=build/tests/programs/$prog
    o0=$("$IL" run -q --seed 1 -n 100 --no-race --out "$TMP/mb-$prog" -- $P 2>&1); r0=$?
    o1=$("$IL" run -q -j 1 --strategy mutate --seed 1 -n 20 --no-race --out "$TMP/m-$prog" -- $P 2>&1); r1=$?
    st1=$(grep -E '^(first_bug_exec|corpus|pairs) ' "$TMP/m-$prog/stats" 2>/dev/null)
    rm -rf "$TMP/m-$prog"
    o2=$("$IL" run -q -j 2 --strategy mutate --seed 1 -n 20 --no-race --out "$TMP/m-$prog" -- $P 2>&1); r2=$?
    st2=$(grep -E '^(first_bug_exec|corpus|pairs) ' "$TMP/m-$prog/stats" 2>/dev/null)
    sched=$(ls "$TMP/m-$prog"/assertion-failure-*.sched 2>/dev/null | head -1)
    rp=$("$IL" replay "$sched" 2>&1); r3=$?
    if [ $r0 -eq 0 ] && [ $r1 -eq 1 ] && grep -q '^SUMMARY: interleave: assertion-failure ' <<<"$o1" &&
       [ "$o1" = "$o2" ] && [ "$(grep -c . <<<"$st1")" -eq 3 ] && [ "$st1" = "$st2" ] &&
       grep -qx 'strategy mutate' "$sched" && [ $r3 -eq 1 ] && grep -q '^SUMMARY: interleave: assertion-failure ' <<<"$rp"; then
      ok "mutate: $prog found within 20 executions (pct+pos: not in 100), same with -j 2, its schedule replays"
    else bad "mutate: $prog (exits: pct+pos $r0, mutate $r1 / -j 2 $r2, replay $r3)" "$o0
$o1
$(diff <(echo "$st1") <(echo "$st2"))
$rp"; fi
  done
  # Same seed, same executions: a campaign without a bug whose executions
  # take very different wall times (mutate_uneven_ok), so that with -j 3
  # later ones finish first, plans every derived execution the same with
  # -j 1 and -j 3 (the stats' digest of every plan, corpus and pairs; the
  # digest differs when an execution is planned before the ones it must
  # learn from are in).
  for j in 1 3; do
    "$IL" run -q -j $j --strategy mutate --seed 3 -n 60 --out "$TMP/md$j" -- build/tests/programs/mutate_uneven_ok >/dev/null 2>&1
  done
  s1=$(grep -E '^(execs_done|corpus|pairs|mutants|directed|plan_digest) ' "$TMP/md1/stats" 2>/dev/null)
  s3=$(grep -E '^(execs_done|corpus|pairs|mutants|directed|plan_digest) ' "$TMP/md3/stats" 2>/dev/null)
  if [ "$(grep -c . <<<"$s1")" -eq 6 ] && [ "$s1" = "$s3" ] && grep -q '^mutants *: [1-9]' <<<"$s1" &&
     grep -q '^directed *: [1-9]' <<<"$s1" && grep -q '^corpus *: [2-9]' <<<"$s1"; then
    ok "mutate: same seed, same plans, corpus and pairs with -j 1 and -j 3"
  else bad "mutate: determinism across -j" "$(diff <(echo "$s1") <(echo "$s3"))"; fi
fi

# ---- --strategy dfs: the bounded proof (cli/dfs.c) ----
# lost_update needs one preemption: verified with 0, found with 1 (its
# schedule replays); the fixed counter and three threads on three mutexes
# are verified with exact counts (one worker: -j 1) that the partial-order
# reduction sets; BPOR's conservative point finds dfs_block_bug with 0
# preemptions; a clock read between points is a dependency
# (dfs_clock_bug: 1 preemption, not 0); two workers give the same verdicts.
if want dfs; then
  LU=build/tests/programs/lost_update
  o0=$("$IL" run -q -j 1 --strategy dfs --preemptions 0 --out "$TMP/dfs0" -- $LU 2>&1); r0=$?
  o1=$("$IL" run -q -j 1 --strategy dfs --preemptions 1 --out "$TMP/dfs1" -- $LU 2>&1); r1=$?
  sched=$(ls "$TMP"/dfs1/assertion-failure-*.sched 2>/dev/null | head -1)
  rp=$("$IL" replay "$sched" 2>&1); r2=$?
  if [ $r0 -eq 0 ] && grep -qx 'interleave: verified: no bug in any schedule with at most 0 preemptions (2 schedules) in [0-9.]* s' <<<"$o0" &&
     [ $r1 -eq 1 ] && grep -q '^SUMMARY: interleave: assertion-failure lost_update.c' <<<"$o1" &&
     [ $r2 -eq 1 ] && grep -q '^SUMMARY: interleave: assertion-failure lost_update.c' <<<"$rp"; then
    ok "dfs: lost_update verified with 0 preemptions, found with 1, and its schedule replays"
  else bad "dfs: lost_update (exits $r0 $r1, replay $r2)" "$o0
$o1
$rp"; fi
  counts=
  for prog in dfs_counter_ok dfs_disjoint_ok; do
    for k in 0 1 2; do
      o=$("$IL" run -q -j 1 --strategy dfs --preemptions $k --out "$TMP/dfsc" -- build/tests/programs/$prog 2>&1); r=$?
      [ $r -eq 0 ] || counts="$counts exit$r"
      counts="$counts $(sed -n 's/^interleave: verified: no bug in any schedule with at most [0-9]* preemptions* (\([0-9]*\) schedules).*/\1/p' <<<"$o")"
    done
  done
  o=$("$IL" run -q -j 1 --strategy dfs --preemptions 2 --max-schedules 100 --out "$TMP/dfsc" -- build/tests/programs/dfs_counter_ok 2>&1); r=$?
  if [ "$counts" = " 6 34 234 1 10 90" ] && [ $r -eq 0 ] &&
     grep -q '^interleave: not verified: stopped after 100 schedules (--max-schedules), in the pass with at most 2 preemptions; no bug found in them (bound 2); every schedule with at most 1 preemption was explored (' <<<"$o"; then
    ok "dfs: dfs_counter_ok / dfs_disjoint_ok verified in 6 34 234 / 1 10 90 schedules with 0 1 2 preemptions; a limit says not verified, and which bound is complete"
  else bad "dfs: counts:$counts (want 6 34 234 1 10 90), limit exit $r" "$o"; fi
  ob=$("$IL" run -q -j 1 --strategy dfs --preemptions 0 --out "$TMP/dfsb" -- build/tests/programs/dfs_block_bug 2>&1); rb=$?
  oc0=$("$IL" run -q -j 1 --strategy dfs --preemptions 0 --out "$TMP/dfsk0" -- build/tests/programs/dfs_clock_bug 2>&1); rc0=$?
  oc1=$("$IL" run -q -j 1 --strategy dfs --preemptions 1 --out "$TMP/dfsk1" -- build/tests/programs/dfs_clock_bug 2>&1); rc1=$?
  # exit_race_bug needs one preemption before main's exit point (the
  # sleep-set search alone verified it up to 3)
  oe=$("$IL" run -q -j 1 --strategy dfs --preemptions 1 --out "$TMP/dfse" -- build/tests/programs/exit_race_bug 2>&1); re=$?
  if [ $rb -eq 1 ] && grep -q '^SUMMARY: interleave: assertion-failure dfs_block_bug.c' <<<"$ob" &&
     [ $rc0 -eq 0 ] && grep -q '^interleave: verified: ' <<<"$oc0" &&
     [ $rc1 -eq 1 ] && grep -q '^SUMMARY: interleave: assertion-failure dfs_clock_bug.c' <<<"$oc1" &&
     [ $re -eq 1 ] && grep -q '^SUMMARY: interleave: assertion-failure exit_race_bug.c' <<<"$oe"; then
    ok "dfs: dfs_block_bug found with 0 preemptions (BPOR); dfs_clock_bug verified with 0, found with 1 (clock reads); exit_race_bug found with 1"
  else bad "dfs: dfs_block_bug exit $rb, dfs_clock_bug exits $rc0 $rc1, exit_race_bug exit $re" "$ob
$oc0
$oc1
$oe"; fi
  o2=$("$IL" run -q -j 2 --strategy dfs --preemptions 2 --out "$TMP/dfsj" -- build/tests/programs/dfs_counter_ok 2>&1); r2=$?
  o3=$("$IL" run -q -j 2 --strategy dfs --preemptions 1 --out "$TMP/dfsj1" -- $LU 2>&1); r3=$?
  if [ $r2 -eq 0 ] && grep -q '^interleave: verified: no bug in any schedule with at most 2 preemptions' <<<"$o2" &&
     [ $r3 -eq 1 ] && grep -q '^SUMMARY: interleave: assertion-failure lost_update.c' <<<"$o3"; then
    ok "dfs: two workers verify dfs_counter_ok and find lost_update"
  else bad "dfs: two workers (exits $r2 $r3)" "$o2
$o3"; fi
  # A fixed seed model proved for K=2 (docs/seeds.md, "Bounded
  # verification"), its buggy variant found.
  of=$("$IL" run -q -j 1 --strategy dfs --preemptions 2 --out "$TMP/dfsf" -- build/examples/seeds/p2p-fixed 2>&1); rf=$?
  ob=$("$IL" run -q -j 1 --strategy dfs --preemptions 2 --out "$TMP/dfsbug" -- build/examples/seeds/p2p-buggy 2>&1); rb=$?
  if [ $rf -eq 0 ] && grep -q '^interleave: verified: no bug in any schedule with at most 2 preemptions (557 schedules)' <<<"$of" &&
     [ $rb -eq 1 ] && grep -q '^SUMMARY: interleave: stall ' <<<"$ob"; then
    ok "dfs: p2p-fixed verified for K=2 (557 schedules), p2p-buggy's stall found"
  else bad "dfs: seed models (exits $rf $rb)" "$of
$ob"; fi
fi

[ -z "$ONLY" ] || { echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit; }

# ---- the CLI's own behaviour ----
LU=build/tests/programs/lost_update
out1=$("$IL" run -q --seed 7 --out "$TMP/d1" -- $LU 2>/dev/null); rc1=$?
out2=$("$IL" run -q --seed 7 --out "$TMP/d1" -- $LU 2>/dev/null); rc2=$?
if [ $rc1 -eq 1 ] && [ "$out1" = "$out2" ]; then ok "same seed, same report byte for byte"
else bad "same seed gave different reports ($rc1/$rc2)" "$(diff <(echo "$out1") <(echo "$out2"))"; fi

sched=$(ls "$TMP"/d1/*.sched | head -1)
good=0
for i in $(seq 1 100); do
  r=$("$IL" replay "$sched" 2>&1); rc=$?
  [ $rc -eq 1 ] && grep -q "^SUMMARY: interleave: assertion-failure lost_update.c" <<<"$r" && good=$((good + 1))
done
if [ $good -eq 100 ]; then ok "replay reproduces lost_update 100/100"; else bad "replay reproduced $good/100"; fi

# Kernel randomness (getrandom, /dev/urandom) is a function of the execution:
# a program whose number of deposits comes from it replays exactly.
out=$("$IL" run -q --seed 3 -n 200 --out "$TMP/ur" -- build/tests/programs/urandom_bug 2>&1)
good=0
for i in $(seq 1 20); do
  r=$("$IL" replay "$TMP"/ur/*.sched 2>&1); rc=$?
  [ $rc -eq 1 ] && grep -q "^SUMMARY: interleave: assertion-failure urandom_bug.c" <<<"$r" && good=$((good + 1))
done
if grep -q "^SUMMARY: interleave: assertion-failure urandom_bug.c" <<<"$out" && ! grep -q warning <<<"$out" && [ $good -eq 20 ]; then
  ok "a /dev/urandom-seeded program's bug replays 20/20"
else bad "urandom_bug replayed $good/20" "$out"; fi

# Processes, signals, timers (issue 13): every failure found replays 20/20
# (children are re-run; settling makes their effects land at the same steps).
if want replay20; then
while read -r prog kind opts; do
  # shellcheck disable=SC2086
  "$IL" run -q --seed 1 -n 1000 $opts --out "$TMP/r20-$prog" -- "build/tests/programs/$prog" >/dev/null 2>&1
  sf=$(ls "$TMP/r20-$prog"/*.sched 2>/dev/null | head -1)
  good=0
  for i in $(seq 1 20); do
    [ -n "$sf" ] || break
    r=$("$IL" replay "$sf" 2>&1)
    [ $? -eq 1 ] && grep -q "^SUMMARY: interleave: $kind " <<<"$r" && good=$((good + 1))
  done
  if [ $good -eq 20 ]; then ok "replay20: $prog's $kind replays 20/20"
  else bad "replay20: $prog replayed $good/20 (${sf:-no schedule})"; fi
done <<'EOF_R20'
reap_before_register assertion-failure
daemonize_bug assertion-failure
shutdown_job_lost_bug assertion-failure --signal SIGTERM
shutdown_job_lost_kill assertion-failure
signal_invariant_bug assertion-failure
timerfd_missed_tick_bug assertion-failure
cancel_no_cleanup_bug stall
spin_publish_bug assertion-failure
EOF_R20
fi

# Spin preemption (runtime/spin.c) off: a plain busy-wait is the
# watchdog's again, and spin_publish_bug's every execution is one (its bug
# needs a preempted spin).
if want spin; then
for prog in spin_plain spin_publish_bug; do
  r=$("$IL" run -q --seed 1 -n 5 --spin 0 --out "$TMP/spin0-$prog" -- "build/tests/programs/$prog" 2>&1)
  rc=$?
  if [ $rc -eq 1 ] && grep -q "^SUMMARY: interleave: watchdog " <<<"$r"; then ok "spin: --spin 0 leaves $prog to the watchdog"
  else bad "spin: $prog with --spin 0: exit $rc" "$r"; fi
done
fi

r=$("$IL" replay "$sched" 2>/dev/null)
if [ "$(grep -v '^Replay\|^  *interleave replay' <<<"$r" | grep -c 'Interleaving')" = 1 ] &&
   diff <(sed -n '/^Interleaving/,/^SUMMARY/p' <<<"$out1" | grep -v 'Preemptions:') \
        <(sed -n '/^Interleaving/,/^SUMMARY/p' <<<"$r" | grep -v 'Preemptions:') >/dev/null; then
  ok "replay prints the same timeline as the run"
else bad "replay timeline differs" "$(diff <(echo "$out1") <(echo "$r"))"; fi

error_case() { # NAME EXPECTED-SUBSTRING COMMAND...
  local name=$1 msg=$2; shift 2
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ $rc -eq 2 ] && [ "$(grep -c . <<<"$out")" -eq 1 ] && grep -qiF -- "$msg" <<<"$out"; then ok "error: $name"
  else bad "error: $name (exit $rc)" "$out"; fi
}
error_case "missing program" "no such file" "$IL" run -- ./no-such-program
cp tests/programs/lost_update.c "$TMP/notexec"; chmod -x "$TMP/notexec"
error_case "non-executable file" "not executable" "$IL" run -- "$TMP/notexec"
gcc -fsanitize=thread -g -pthread -o "$TMP/tsan_prog" tests/programs/lost_update.c 2>/dev/null &&
  error_case "program built with TSan: refused, pointed to interleave cc" "interleave cc" "$IL" run -- "$TMP/tsan_prog"

echo 'int gone_fn(void) { return 0; }' > "$TMP/gone.c"
gcc -shared -fPIC -o "$TMP/libgone.so" "$TMP/gone.c" &&
  printf 'int gone_fn(void);\nint main(void) { return gone_fn(); }\n' > "$TMP/needs.c" &&
  gcc -o "$TMP/needs" "$TMP/needs.c" -L"$TMP" -lgone && rm "$TMP/libgone.so" &&
  error_case "a missing shared library is named" "libgone.so" "$IL" run -- "$TMP/needs"
printf '#!/bin/sh\necho hi\n' > "$TMP/script.sh"; chmod +x "$TMP/script.sh"
error_case "script" "not an ELF" "$IL" run -- "$TMP/script.sh"
error_case "unknown option" "unknown option" "$IL" run --frobnicate -- $LU
error_case "bad number" "bad number" "$IL" run -n 12x -- $LU
error_case "no program" "no program" "$IL" run --
error_case "unknown strategy" "unknown strategy" "$IL" run --strategy bfs -- $LU
error_case "replay: missing file" "no such file" "$IL" replay "$TMP/none.sched"
printf 'hello\n' > "$TMP/garbage.sched"
error_case "replay: not a schedule" "not an interleave schedule" "$IL" replay "$TMP/garbage.sched"
head -c 200 "$sched" > "$TMP/trunc.sched"
error_case "replay: truncated" "truncated" "$IL" replay "$TMP/trunc.sched"
sed 's/^seed 0x7$/seed 0x8/' "$sched" > "$TMP/corrupt.sched"
error_case "replay: corrupt (checksum)" "checksum" "$IL" replay "$TMP/corrupt.sched"
sed 's/^interleave-schedule [0-9]*$/interleave-schedule 9/' "$sched" > "$TMP/v9.sched"
error_case "replay: future version" "version" "$IL" replay "$TMP/v9.sched"
cp $LU "$TMP/lu"
"$IL" run -q --seed 7 --out "$TMP/d2" -- "$TMP/lu" >/dev/null 2>&1
echo >> "$TMP/lu"
error_case "replay: changed binary" "changed since" "$IL" replay "$(ls "$TMP"/d2/*.sched | head -1)"
# A schedule whose decisions do not fit the program: diverged.
cp "$(ls "$TMP"/d2/*.sched | head -1)" "$TMP/div.sched"
python3 - "$TMP/div.sched" "$(realpath build/tests/programs/abba_deadlock)" <<'PY'
import sys, re
p, prog = sys.argv[1], sys.argv[2]
s = open(p).read()
body = s[:s.rindex("end 0x")]
h = 0xcbf29ce484222325
import subprocess
data = open(prog, 'rb').read()
for b in data: h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
body = re.sub(r"^program .*$", "program " + prog, body, flags=re.M)
body = re.sub(r"^binary-hash .*$", "binary-hash 0x%016x" % h, body, flags=re.M)
f = 0xcbf29ce484222325
for b in body.encode(): f = ((f ^ b) * 0x100000001b3) & 0xffffffffffffffff
open(p, "w").write(body + "end 0x%016x\n" % f)
PY
error_case "replay: diverged" "replay" "$IL" replay "$TMP/div.sched"

# gdb: the replay stops at the failure.
if command -v gdb >/dev/null; then
  g=$(INTERLEAVE_GDB_BATCH=1 timeout 120 "$IL" replay --gdb "$sched" 2>&1)
  if grep -q "SIGABRT" <<<"$g" && grep -q "main" <<<"$g"; then ok "replay --gdb stops at the failure"
  else bad "replay --gdb" "$g"; fi
  "$IL" run -q --seed 1 -n 20 --out "$TMP/rg" -- build/tests/programs/race_counter >/dev/null 2>&1
  g=$(INTERLEAVE_GDB_BATCH=1 timeout 120 "$IL" replay --gdb "$(ls "$TMP"/rg/*.sched | head -1)" 2>&1)
  if grep -q "SIGTRAP" <<<"$g" && grep -q "count_hits" <<<"$g"; then ok "replay --gdb stops at a data race"
  else bad "replay --gdb on a race" "$g"; fi
  # A schedule with spin preemptions: no fork server under gdb, so the
  # runtime's own monitor thread preempts the spins (runtime/spin.c).
  "$IL" run -q --seed 1 -n 60 --out "$TMP/rgs" -- build/tests/programs/spin_publish_bug >/dev/null 2>&1
  g=$(INTERLEAVE_GDB_BATCH=1 timeout 120 "$IL" replay --gdb "$(ls "$TMP"/rgs/*.sched | head -1)" 2>&1)
  if grep -q "SIGABRT" <<<"$g" && grep -q "consumer" <<<"$g"; then ok "replay --gdb replays preempted spins"
  else bad "replay --gdb on spin preemptions" "$g"; fi
fi

# The schedule is minimized before it is drawn: seed 000's gap needs one
# preemption (the renderer's, between wipe and re-register).
m=$("$IL" run -q --seed 1 --out "$TMP/min" -- build/examples/seeds/ui-gap-buggy 2>&1)
if grep -q "Preemptions: 1 (minimized from [2-9]" <<<"$m" &&
   "$IL" replay "$(ls "$TMP"/min/*.sched | head -1)" >/dev/null 2>&1; [ $? -eq 1 ]; then
  ok "minimized to one preemption, and the minimized schedule replays"
else bad "minimization" "$(grep -E 'Preemptions|SUMMARY' <<<"$m")"; fi

# Workers and shards do not change what runs or what is reported.
UG=build/examples/seeds/ui-gap-buggy
r1=$("$IL" run -q -j 1 --seed 5 --out "$TMP/j" -- $UG 2>/dev/null)
r2=$("$IL" run -q -j 2 --seed 5 --out "$TMP/j" -- $UG 2>/dev/null)
r3=$("$IL" run -q -j 3 --seed 5 --out "$TMP/j" -- $UG 2>/dev/null)
if [ -n "$r1" ] && [ "$r1" = "$r2" ] && [ "$r1" = "$r3" ]; then ok "-j 1, 2 and 3 print the same report"
else bad "-j changes the report" "$(diff <(echo "$r1") <(echo "$r2"))"; fi
SB=build/examples/seeds/sup-buggy
for i in 0 1 2 3; do "$IL" run -q --seed 5 -n 600 --keep-going --shard $i/4 --out "$TMP/sh" -- $SB >/dev/null 2>&1; done
"$IL" run -q --seed 5 -n 600 --keep-going --out "$TMP/un" -- $SB >/dev/null 2>&1
m1=$("$IL" merge "$TMP/sh" | grep -v Replay); m2=$("$IL" merge "$TMP/un" | grep -v Replay)
if grep -q "600 executions" <<<"$m1" && grep -q SUMMARY <<<"$m1" && [ "$m1" = "$m2" ]; then
  ok "4 shards merged find the same bugs as one run"
else bad "shards differ from one run" "$(diff <(echo "$m1") <(echo "$m2"))"; fi
CI_NODE_INDEX=2 CI_NODE_TOTAL=3 "$IL" run -q --seed 5 -n 30 --shard auto --out "$TMP/auto" -- build/tests/programs/spin_ok >/dev/null 2>&1
if grep -q "^shard *: 1/3" "$TMP/auto/shard-1-of-3/stats" 2>/dev/null; then ok "--shard auto reads GitLab's 1-based index"
else bad "--shard auto" "$(ls -R "$TMP/auto" 2>&1)"; fi
error_case "--shard auto without a runner" "none of" env -u CI_NODE_INDEX "$IL" run --shard auto -- $LU

# A failure its schedule does not reproduce is said to be one (exit 3),
# with the first run's evidence, never printed under the re-run's kind.
out=$("$IL" run -q --seed 1 -n 50 --out "$TMP/unr" -- build/tests/programs/unrepro_marker "$TMP/marker" 2>&1); rc=$?
if [ $rc -eq 3 ] && grep -q "^SUMMARY: interleave: unreproducible assertion-failure unrepro_marker.c" <<<"$out" &&
   grep -q "^First run:  assertion-failure" <<<"$out" && ! grep -q "^ERROR: interleave: none" <<<"$out" &&
   grep -q "^unreproducible assertion-failure" "$TMP/unr/bugs.tsv"; then
  ok "a failure that does not reproduce: reported as unreproducible, exit 3"
else bad "unreproducible failure (exit $rc)" "$out"; fi

# The watchdog judges a thread by its own CPU (or sleeping) time, not the
# wall clock: on a loaded CPU, 40 ms chunks of work take ~160 ms of wall
# time each, and --watchdog 100 must not fire.
hogs=""
for i in 1 2 3; do taskset -c 0 sh -c 'while :; do :; done' & hogs="$hogs $!"; done
out=$("$IL" run -q -j 1 --seed 1 -n 3 --watchdog 100 --out "$TMP/cw" -- build/tests/programs/cpu_work_ok 2>&1); rc=$?
kill $hogs 2>/dev/null; wait $hogs 2>/dev/null
if [ $rc -eq 0 ]; then ok "no watchdog false alarm on a loaded CPU"
else bad "watchdog on a loaded CPU (exit $rc)" "$out"; fi

# INTERLEAVE_OPTIONS: the same options from the environment; the command
# line wins; an unknown key is refused.
out=$(INTERLEAVE_OPTIONS="seed=7:runs=50:max_delay=5ms" "$IL" run -q --out "$TMP/env" -- $LU 2>&1); rc=$?
out2=$(INTERLEAVE_OPTIONS="seed=7" "$IL" run -q --seed 9 -n 5 --out "$TMP/env2" -- $LU 2>&1)
if [ $rc -eq 1 ] && grep -q "^Seed 0x7, " <<<"$out" && grep -q "max-delay-ns 5000000" "$TMP"/env/*.sched &&
   grep -q "seed 0x9" <<<"$out2"; then ok "INTERLEAVE_OPTIONS sets options; the command line overrides them"
else bad "INTERLEAVE_OPTIONS (exit $rc)" "$out"; fi
error_case "INTERLEAVE_OPTIONS with an unknown key" "unknown key" env INTERLEAVE_OPTIONS="frob=1" "$IL" run -- $LU

# A full table is said, never hidden behind a verdict.
out=$("$IL" run -q --seed 1 -n 3 --out "$TMP/many" -- build/tests/programs/many_threads 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "incomplete: more than 512 threads" <<<"$out" && grep -q "not judged (incomplete" <<<"$out"; then
  ok "more than 512 threads: executions marked incomplete"
else bad "thread table limit (exit $rc)" "$out"; fi

# --allow-nontermination: a program that never ends is then not a bug.
out=$("$IL" run -q --seed 1 -n 3 --max-virtual-time 600 --allow-nontermination --out "$TMP/nt" -- build/tests/programs/liveness_forever 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok "--allow-nontermination accepts a program that never ends"
else bad "--allow-nontermination (exit $rc)" "$out"; fi

# Race detection with clang's hook set (compare_exchange_val, its own
# 16-byte and unaligned hooks) as well as gcc's.
if command -v clang >/dev/null; then
  CC=clang "$IL" cc -g -O1 -pthread -o "$TMP/race_counter_clang" tests/programs/race_counter.c &&
  CC=clang "$IL" cc -g -O1 -pthread -o "$TMP/race_atomic_clang" tests/programs/race_atomic_ok.c
  expect_run "clang: race_counter" bug data-race 20 hits -- "$TMP/race_counter_clang"
  expect_run "clang: race_atomic_ok" ok "" 2000 "" -- "$TMP/race_atomic_clang"
fi
out=$("$IL" run -q --seed 1 -n 20 --no-race --out "$TMP/nr" -- build/tests/programs/race_counter 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok "--no-race switches the race detector off"; else bad "--no-race (exit $rc)" "$out"; fi
printf 'data-race:count_hits\n' > "$TMP/race.supp"
out=$("$IL" run -q --seed 1 -n 20 --suppressions "$TMP/race.supp" --out "$TMP/sp" -- build/tests/programs/race_counter 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok "a suppression file hides a race by function name"; else bad "suppressions (exit $rc)" "$out"; fi
printf 'lock-order-inversion:config_mu\n' > "$TMP/lo.supp"
out=$("$IL" run -q --seed 1 -n 20 --suppressions "$TMP/lo.supp" --out "$TMP/lo" -- build/tests/programs/lockdep_abc_cycle 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok "a suppression file hides a lock-order inversion by lock name"; else bad "lockdep suppression (exit $rc)" "$out"; fi
# An instrumented binary also runs without interleave (the hooks only act).
if build/tests/programs/race_atomic_ok; then ok "instrumented binary runs natively"; else bad "instrumented binary natively"; fi

# Virtual time: 30 s sleeps cost nothing.
start=$(date +%s%N)
"$IL" run -q --seed 1 -n 200 --out "$TMP/d3" -- build/tests/programs/sleep_race >/dev/null 2>&1; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ $rc -eq 1 ] && [ $ms -lt 1000 ]; then ok "sleep_race (30 s sleeps) found in $ms ms"
else bad "sleep_race: exit $rc after $ms ms"; fi

# The schedule is written before the report, and children are reaped.
if [ -n "$(ls "$TMP"/d3/*.sched 2>/dev/null)" ]; then ok "schedule file written"; else bad "no schedule file"; fi
sleep 0.2
if pgrep -f "build/tests/programs/" >/dev/null; then bad "left processes behind" "$(pgrep -af build/tests/programs/)"
else ok "no process left behind"; fi

# Unit tests of the schedule reader (cmocka), and a bounded fuzz run.
if u=$(build/tests/unit_schedfile 2>&1); then ok "unit: schedule reader"; else bad "unit: schedule reader" "$u"; fi
mkdir -p "$TMP/corpus" && cp tests/fuzz/corpus/* "$TMP/corpus/"
if u=$(timeout 300 build/tests/fuzz_schedfile -seed=1 -runs=300000 -max_len=8192 "$TMP/corpus" 2>&1); then
  ok "fuzz: schedule reader, 300000 inputs"
else bad "fuzz: schedule reader" "$u"; fi

# The CLI under ASan/UBSan: a search, its report, and a replay.
a=$(INTERLEAVE_RUNTIME=build/libinterleave.so build/asan/interleave run -q --seed 3 --out "$TMP/asan" -- $LU 2>&1); rc=$?
a2=$(INTERLEAVE_RUNTIME=build/libinterleave.so build/asan/interleave replay "$(ls "$TMP"/asan/*.sched | head -1)" 2>&1); rc2=$?
if [ $rc -eq 1 ] && [ $rc2 -eq 1 ] && ! grep -q "Sanitizer" <<<"$a$a2"; then ok "CLI clean under ASan/UBSan"
else bad "CLI under ASan/UBSan ($rc/$rc2)" "$a$a2"; fi

# Machine-readable results: --sarif (checked by Microsoft's SARIF
# validator, installed by scripts/deps.sh), --junit (read by junitparser,
# Debian's python3-junitparser), --json (JSON Lines).
SMT=build/tools/node_modules/.bin/sarif-multitool
BB=build/tests/programs/bounded_buffer
mr() { # NAME OPTIONS... -- PROGRAM: a run writing $TMP/NAME.{sarif,xml,jsonl}
  local n=$1; shift
  "$IL" run -q --out "$TMP/mr-$n" --sarif "$TMP/$n.sarif" --junit "$TMP/$n.xml" --json "$TMP/$n.jsonl" "$@" >/dev/null 2>&1
}
mr bug --seed 7 -n 200 -- $LU; rc_bug=$?
mr ok --seed 1 -n 50 -- $BB; rc_ok=$?
mr kg --seed 1 -n 200 --keep-going -- build/tests/programs/abba_deadlock; rc_kg=$?
if [ $rc_bug -eq 1 ] && [ $rc_ok -eq 0 ] && [ $rc_kg -eq 1 ]; then ok "--sarif/--junit/--json runs: exit 1, 0, 1"
else bad "--sarif/--junit/--json runs: exit $rc_bug/$rc_ok/$rc_kg (expected 1/0/1)"; fi

if [ ! -x "$SMT" ]; then
  bad "SARIF: the validator $SMT is missing (scripts/deps.sh installs it)"
else
  v=""
  for n in bug ok kg; do rm -f "$TMP/v-$n.sarif"; v="$v$("$SMT" validate -o "$TMP/v-$n.sarif" "$TMP/$n.sarif" 2>&1)"; done
  # The validator exits 0 whatever it finds: its own SARIF log says.
  if u=$(python3 - "$TMP" <<'PY' 2>&1
import json, sys
t = sys.argv[1]
for n in ("bug", "ok", "kg"):
    v = json.load(open(f"{t}/v-{n}.sarif"))["runs"][0]
    assert all(i.get("executionSuccessful") for i in v.get("invocations", [])), f"{n}: the validator failed"
    errs = [r["message"] for r in v.get("results", []) if r.get("level") == "error"]
    assert not errs, f"{n}.sarif: {errs}"
run = json.load(open(f"{t}/bug.sarif"))["runs"][0]
assert run["tool"]["driver"]["name"] == "interleave"
res = run["results"]
assert len(res) == 1 and res[0]["ruleId"] == "assertion-failure", res
r = res[0]
assert r["message"]["text"].startswith("assertion failed in thread T0 main"), r["message"]
pl = r["locations"][0]["physicalLocation"]
assert (pl["artifactLocation"]["uri"], pl["region"]["startLine"]) == ("lost_update.c", 51), pl
tf = r["codeFlows"][0]["threadFlows"]
assert sorted(f["id"] for f in tf) == ["T0", "T1", "T2"], [f["id"] for f in tf]   # one per thread
steps = [l for f in tf for l in f["locations"]]
assert len(steps) == 19 and sorted(l["executionOrder"] for l in steps) == list(range(19)), len(steps)
assert any(l["location"].get("physicalLocation", {}).get("region", {}).get("startLine") == 27 and
           l["location"]["message"]["text"] == "lock balance_mu" for l in tf[1]["locations"]), tf[1]
assert json.load(open(f"{t}/ok.sarif"))["runs"][0]["results"] == []
kg = json.load(open(f"{t}/kg.sarif"))["runs"][0]["results"]
assert [x["ruleId"] for x in kg] == ["lock-order-inversion", "deadlock"], [x["ruleId"] for x in kg]
assert all(x["codeFlows"][0]["threadFlows"] for x in kg)
PY
  ); then ok "--sarif: valid SARIF 2.1.0 (sarif-multitool), one threadFlow per thread"
  else bad "--sarif" "$u$v"; fi
fi

if u=$(/usr/bin/python3 - "$TMP" <<'PY' 2>&1
import sys
from junitparser import JUnitXml, Failure
t = sys.argv[1]
def cases(n):
    return [c for s in JUnitXml.fromfile(f"{t}/{n}.xml") for c in s]
c = cases("bug")
assert [x.name for x in c] == ["lost_update"], [x.name for x in c]
f = [r for r in c[0].result if isinstance(r, Failure)]
assert len(f) == 1 and f[0].type == "assertion-failure", c[0].result
assert f[0].message == "assertion-failure lost_update.c:51 in main", f[0].message
assert "SUMMARY: interleave: assertion-failure lost_update.c:51 in main" in f[0].text
assert '"final_balance == 2 && "a deposit was lost""' in f[0].text   # unescaped back
c = cases("ok")
assert [x.name for x in c] == ["bounded_buffer"] and c[0].is_passed and not c[0].result, c
assert len(cases("kg")[0].result) == 2
PY
); then ok "--junit: junitparser reads one failure for a bug, none for a clean run"
else bad "--junit" "$u"; fi

if u=$(python3 - "$TMP" <<'PY' 2>&1
import json, os, sys
t = sys.argv[1]
def lines(n):
    return [json.loads(l) for l in open(f"{t}/{n}.jsonl")]
b = lines("bug")
assert [x["type"] for x in b] == ["bug", "stats"], b
bug, st = b
assert bug["kind"] == "assertion-failure" and bug["seed"] == "0x7", bug
assert bug["schedule"].endswith(".sched") and os.path.exists(bug["schedule"]), bug["schedule"]
tsv = open(f"{t}/mr-bug/bugs.tsv").read().split("\t")
assert bug["summary"] == tsv[0] and bug["schedule"] == tsv[2].strip(), tsv
assert bug["location"] == {"file": "lost_update.c", "line": 51, "function": "main"}, bug["location"]
assert bug["thread"]["id"] == 0 and len(bug["steps"]) == 19, bug
assert st["bugs"] == 1 and st["unreproducible"] == 0 and "rate" in st and "not_judged" in st and st["executions"] >= 1, st
o = lines("ok")
assert len(o) == 1 and o[0]["type"] == "stats" and o[0]["executions"] == 50 and o[0]["bugs"] == 0, o
k = lines("kg")
assert [x.get("kind") for x in k] == ["lock-order-inversion", "deadlock", None] and k[-1]["bugs"] == 2, k
PY
); then ok "--json: every line parses; the bug with its kind and schedule, then the stats"
else bad "--json" "$u"; fi

# Whatever the program prints (control characters, invalid UTF-8) the
# files stay well-formed.
printf '#include <assert.h>\n#include <stdio.h>\nint main(void) { printf("\\001\\033[1m \\377 \\300\\257 ]]> <&> \\"\\n"); fflush(stdout); assert(!"<&> \\377"); }\n' > "$TMP/bytes.c"
gcc -g -o "$TMP/bytes" "$TMP/bytes.c" && mr bytes --seed 1 -n 5 -- "$TMP/bytes"
if u=$(/usr/bin/python3 - "$TMP" <<'PY' 2>&1
import json, sys
from junitparser import JUnitXml
t = sys.argv[1]
[json.loads(l) for l in open(f"{t}/bytes.jsonl", encoding="utf-8")]
r = json.load(open(f"{t}/bytes.sarif", encoding="utf-8"))["runs"][0]["results"]
assert len(r) == 1 and "<&>" in r[0]["message"]["text"], r
f = [x for s in JUnitXml.fromfile(f"{t}/bytes.xml") for c in s for x in c.result]
assert len(f) == 1 and "]]> <&>" in f[0].text and "\ufffd" in f[0].text, f
PY
); then ok "--junit/--json/--sarif: control characters and invalid UTF-8 escaped"
else bad "output escaping" "$u"; fi

a=$(INTERLEAVE_RUNTIME=build/libinterleave.so build/asan/interleave run -q --seed 1 -n 200 --keep-going \
    --out "$TMP/mr-asan" --sarif "$TMP/asan.sarif" --junit "$TMP/asan.xml" --json "$TMP/asan.jsonl" \
    -- build/tests/programs/abba_deadlock 2>&1); rc=$?
if [ $rc -eq 1 ] && ! grep -q "Sanitizer" <<<"$a" && cmp -s <(cut -f1 "$TMP/mr-asan/bugs.tsv") <(cut -f1 "$TMP/mr-kg/bugs.tsv") &&
   [ "$(grep -c '"type":"bug"' "$TMP/asan.jsonl")" = 2 ]; then ok "--sarif/--junit/--json clean under ASan/UBSan"
else bad "--sarif/--junit/--json under ASan/UBSan (exit $rc)" "$a"; fi

# ---- make install (README "Install"): the installed CLI finds its runtime
# in ../lib/interleave; the header through pkg-config; the CMake module
# (tests/cmake); the man page; make uninstall.  Self-contained: all in
# $TMP/inst. ----
INST=$TMP/inst
u=$(make -s install DESTDIR="$INST" PREFIX=/usr 2>&1); rc=$?
a=$(env -u INTERLEAVE_RUNTIME "$INST/usr/bin/interleave" run -q --seed 7 -n 200 --out "$TMP/inst-out" \
    -- build/tests/programs/lost_update 2>&1); rc2=$?
if [ $rc -eq 0 ] && [ $rc2 -eq 1 ] && [ -f "$INST/usr/lib/interleave/libinterleave.so" ] &&
   [ ! -e "$INST/usr/bin/libinterleave.so" ] && grep -q "^SUMMARY: interleave: assertion-failure " <<<"$a"; then
  ok "make install: the installed CLI finds its runtime (../lib/interleave) and finds lost_update's bug"
else bad "make install, then the installed CLI (install exit $rc, run exit $rc2)" "$u
$a"; fi

# pkg-config points at the installed header; a program built with it runs
# natively (annotations: no-ops, interleave_active() 0) and, under the
# installed CLI, binds the weak annotations to the runtime (active: 1, so
# it exits 1, which --ok-exit 1 accepts and exit 0 would not).
cf=$(PKG_CONFIG_PATH="$INST/usr/lib/pkgconfig" pkg-config --cflags interleave 2>&1); rc=$?
printf '#include <interleave.h>\nstatic int x;\nint main(void) { interleave_acquire(&x); interleave_yield(); interleave_release(&x); return interleave_active(); }\n' > "$TMP/pc.c"
# shellcheck disable=SC2086
if [ $rc -eq 0 ] && [[ $cf == *"$INST/"* ]] && gcc $cf -o "$TMP/pc" "$TMP/pc.c" 2>&1 && "$TMP/pc" &&
   env -u INTERLEAVE_RUNTIME "$INST/usr/bin/interleave" run -q -n 5 --ok-exit 1 --out "$TMP/inst-out" -- "$TMP/pc" >/dev/null 2>&1; then
  ok "pkg-config --cflags interleave: the installed header; its annotations are no-ops natively, live under interleave"
else bad "pkg-config --cflags interleave (exit $rc: $cf)"; fi

# The annotated test programs run on their own too.
if build/tests/programs/annotate_ok native; then ok "annotate_ok runs natively (annotations are no-ops, interleave_active() is 0)"
else bad "annotate_ok native: exit $?"; fi

# The man page: clean under man's warnings, installed as is, and naming
# every option of cli/main.c's table.
MANWIDTH=80 man --warnings -l docs/interleave.1 >/dev/null 2>"$TMP/manwarn"; rc=$?
missing=
for o in $(grep -o '{"[a-z-]*", ' cli/main.c | tr -d '{",'); do
  grep -qF -- "\\-\\-${o//-/\\-}" docs/interleave.1 || missing="$missing --$o"
done
if [ $rc -eq 0 ] && [ ! -s "$TMP/manwarn" ] && [ -z "$missing" ] &&
   cmp -s docs/interleave.1 "$INST/usr/share/man/man1/interleave.1"; then
  ok "man page: no warnings, installed, documents every option"
else bad "man page (man exit $rc; options missing:${missing:- none})" "$(cat "$TMP/manwarn")"; fi

# A CMake project: find_package(interleave) from the install prefix,
# interleave_add_test on a bug (WILL_FAIL), correct programs, a tool error.
u=$( { cmake -S tests/cmake -B "$TMP/cmake" -DCMAKE_PREFIX_PATH="$INST/usr" \
         -DIL_PROGRAMS="$PWD/build/tests/programs" -DIL_SOURCES="$PWD/tests/programs" &&
       cmake --build "$TMP/cmake" &&
       (cd "$TMP/cmake" && ctest --no-tests=error --output-on-failure); } 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "100% tests passed, 0 tests failed out of 4" <<<"$u" &&
   ls "$TMP"/cmake/interleave-out/lost_update_found/assertion-failure-*.sched >/dev/null 2>&1; then
  ok "CMake: find_package(interleave) + interleave_add_test (a bug with WILL_FAIL, two correct programs, a tool error)"
else bad "CMake project tests/cmake (exit $rc)" "$u"; fi

u=$(make -s uninstall DESTDIR="$INST" PREFIX=/usr 2>&1); rc=$?
left=$(find "$INST" -type f 2>/dev/null)
if [ $rc -eq 0 ] && [ -z "$left" ]; then ok "make uninstall removes every installed file"
else bad "make uninstall (exit $rc)" "$u
$left"; fi

# ---- real programs: every packaged program that needs nothing interleave
# lacks gets the right verdict (bench/real.sh; docs/real-programs.md) ----
r=$(bench/real.sh --check 2>&1); rc=$?
n=$(grep -o 'right verdicts: [0-9]* of [0-9]*' <<<"$r")
if [ $rc -eq 0 ] && [ -n "$n" ]; then ok "real programs: $n"
else bad "real programs (exit $rc)" "$r"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
