#!/usr/bin/env bash
# Time and peak memory of `selfaudit report` over synthetic teams of 1k, 10k and 30k
# respondents (100 items each), of its spreadsheet exports (answers-csv, xlsx) for the first
# team of 10k or more, of `selfaudit diff` on two 10,000-item reports, and of `diff` on
# hostile shapes (a rename chain of 100,000 ids, 50,000 checklists).
#
#   scripts/bench.sh                 # all sizes
#   scripts/bench.sh 1000 10000      # chosen sizes
#
# Each figure is the best of RUNS runs (default 5), as wall-clock seconds and peak RSS,
# measured with GNU time. Uses hyperfine too when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 30000)
work=${BENCH_DIR:-target/bench}

mkdir -p "$work"
cargo build --release --quiet --bin selfaudit --example gen-team
bin=target/release/selfaudit
gen=target/release/examples/gen-team
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }

measure() { # prints "seconds max_rss_kb" of the best run
  local best_s="" best_kb=""
  for _ in $(seq "$runs"); do
    local out
    /usr/bin/time -f "%e %M" -o "$work/.time" "$@" >/dev/null 2>&1
    out=$(tail -1 "$work/.time")
    local s=${out% *} kb=${out#* }
    if [ -z "$best_s" ] || awk "BEGIN{exit !($s < $best_s)}"; then best_s=$s; fi
    if [ -z "$best_kb" ] || [ "$kb" -gt "$best_kb" ]; then best_kb=$kb; fi
  done
  echo "$best_s $best_kb"
}

printf '%-28s %10s %12s\n' "case" "best s" "peak MB"
for n in "${sizes[@]}"; do
  dir="$work/team-$n"
  [ -d "$dir/responses" ] || "$gen" "$dir" "$n" 100 2>/dev/null
  read -r s kb < <(measure "$bin" --checklists "$dir/checklists" report "$dir/responses" --format json -o "$dir/report.json")
  printf '%-28s %10s %12.1f\n' "report $n x 100 items" "$s" "$(awk "BEGIN{print $kb/1024}")"
done

# Spreadsheets (SPEC §13): the 10,000 x 100 team as answers-csv (one million rows, streamed)
# and as a workbook (constant-memory sheets). Skipped when no size of 10,000 or more was asked.
for n in "${sizes[@]}"; do
  [ "$n" -ge 10000 ] || continue
  dir="$work/team-$n"
  read -r s kb < <(measure "$bin" --checklists "$dir/checklists" report "$dir/responses" --format answers-csv -o "$dir/answers.csv")
  printf '%-28s %10s %12.1f\n' "answers-csv $n x 100" "$s" "$(awk "BEGIN{print $kb/1024}")"
  read -r s kb < <(measure "$bin" --checklists "$dir/checklists" report "$dir/responses" --format answers-csv --anonymous -o "$dir/answers-anon.csv")
  printf '%-28s %10s %12.1f\n' "answers-csv --anonymous" "$s" "$(awk "BEGIN{print $kb/1024}")"
  read -r s kb < <(measure "$bin" --checklists "$dir/checklists" report "$dir/responses" --format xlsx -o "$dir/report.xlsx")
  printf '%-28s %10s %12.1f\n' "xlsx $n x 100" "$s" "$(awk "BEGIN{print $kb/1024}")"
  break
done

# diff: two reports of one checklist with 10,000 items (100 respondents each).
d1="$work/diff-a" d2="$work/diff-b"
[ -f "$d1/report.json" ] || { "$gen" "$d1" 100 10000 2>/dev/null; "$bin" --checklists "$d1/checklists" report "$d1/responses" --format json -o "$d1/report.json"; }
[ -f "$d2/report.json" ] || { BENCH_SEED=2 "$gen" "$d2" 100 10000 2>/dev/null; "$bin" --checklists "$d2/checklists" report "$d2/responses" --format json -o "$d2/report.json"; }
if "$bin" diff --help >/dev/null 2>&1; then
  read -r s kb < <(measure "$bin" diff "$d1/report.json" "$d2/report.json" --format json)
  printf '%-28s %10s %12.1f\n' "diff 10,000 items" "$s" "$(awk "BEGIN{print $kb/1024}")"
fi

# Cost on hostile shapes (SPEC §9: O(n log n) in the input): a `renamed` map that is one chain
# of 100,000 ids, and a diff of 50,000 checklists rendered in every format.
if command -v python3 >/dev/null; then
  python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
n = 100_000
renamed = {f"old-{k}": (f"old-{k+1}" if k + 1 < n else "current") for k in range(n)}
item = lambda i: {"id": i, "score": 50.0}
def report(items, renamed):
    return {"format": "selfaudit-report/1", "period": "Q", "score": 50.0,
            "checklists": [{"id": "c", "score": 50.0, "renamed": renamed,
                            "sections": [{"id": "s", "score": 50.0, "items": items}]}]}
json.dump(report([item(f"old-{k}") for k in range(0, n, 1000)], {}), open(f"{work}/chain-base.json", "w"))
json.dump(report([item("current")], renamed), open(f"{work}/chain-new.json", "w"))
cl = [{"id": f"c{k}", "score": 50.0, "sections": [{"id": "s", "score": 50.0,
       "items": [item("i")]}]} for k in range(50_000)]
json.dump({"format": "selfaudit-report/1", "period": "Q", "score": 50.0, "checklists": cl},
          open(f"{work}/many-checklists.json", "w"))
PY
  read -r s kb < <(measure "$bin" diff "$work/chain-base.json" "$work/chain-new.json" --format json)
  printf '%-28s %10s %12.1f
' "diff, rename chain 100k" "$s" "$(awk "BEGIN{print $kb/1024}")"
  for f in markdown html table; do
    read -r s kb < <(measure "$bin" diff "$work/many-checklists.json" "$work/many-checklists.json" --format "$f")
    printf '%-28s %10s %12.1f
' "diff 50k checklists, $f" "$s" "$(awk "BEGIN{print $kb/1024}")"
  done
fi

if command -v hyperfine >/dev/null; then
  n=${sizes[-1]}
  hyperfine --warmup 1 --runs "$runs" \
    "$bin --checklists $work/team-$n/checklists report $work/team-$n/responses --format json -o $work/team-$n/report.json"
fi

# Against a plain, independent scorer (Python's tomllib), which also checks every figure.
if command -v python3 >/dev/null && python3 -c 'import tomllib' 2>/dev/null; then
  dir="$work/team-3000"
  [ -d "$dir/responses" ] || "$gen" "$dir" 3000 100 2>/dev/null
  read -r ours _ < <(measure "$bin" --checklists "$dir/checklists" report "$dir/responses" --format json -o "$dir/report.json")
  read -r ref _ < <(measure python3 scripts/reference_score.py "$dir/checklists" "$dir/responses")
  python3 scripts/reference_score.py "$dir/checklists" "$dir/responses" "$dir/report.json" | tail -1
  printf '%-28s %10s   (reference scorer %s s: %.0fx)\n' "report 3000 x 100 items" "$ours" "$ref" "$(awk "BEGIN{print $ref/$ours}")"
fi
