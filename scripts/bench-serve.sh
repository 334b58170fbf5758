#!/usr/bin/env bash
# Load test of `selfaudit serve` on this machine: N respondents (default 500) answer the 21
# questions of the default checklists all at once over HTTP on 127.0.0.1, every answer saved
# (atomic write + fsync) before it is acknowledged. Prints throughput, answer latency
# (p50/p90/p99/max) and the server's peak memory (VmHWM).
#
#   scripts/bench-serve.sh            # 500 respondents
#   scripts/bench-serve.sh 50         # fewer
#   THINK_MS=1000 scripts/bench-serve.sh   # people who read each question (0..2 s) first
#   SELFAUDIT_BIN=path/to/selfaudit scripts/bench-serve.sh   # another build of the server (no build)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-500}
work=${BENCH_DIR:-target/bench-serve}
rm -rf "$work" && mkdir -p "$work"
bin=${SELFAUDIT_BIN:-target/release/selfaudit}
if [ -z "${SELFAUDIT_BIN:-}" ]; then
  cargo build --release --quiet --bin selfaudit --example bench-serve
fi
{
  for i in $(seq 1 "$n"); do printf '[[people]]\nname = "Person %05d"\n\n' "$i"; done
} > "$work/team.toml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --period BENCH --team "$work/team.toml" --responses "$work/responses" \
  --listen "127.0.0.1:$port" > "$work/server.out" 2> "$work/server.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "Stop with Ctrl-C" "$work/server.out" 2>/dev/null && break; sleep 0.1; done
echo "selfaudit serve: $n respondents × 21 answers, think time ${THINK_MS:-0} ms, on $(nproc) cores, responses in $work/responses"
cpu() { awk -v t="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / t}' "/proc/$1/stat"; }
before=$(cpu $pid)
# The load generator shares the cores with the server: its CPU time is said too.
/usr/bin/time -f "load generator CPU: %U s user + %S s system" \
  target/release/examples/bench-serve "$work/server.out"
echo "server CPU: $(awk -v a="$(cpu $pid)" -v b="$before" 'BEGIN {printf "%.1f", a - b}') s; peak memory: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
echo "machine load (1 min): $(cut -d' ' -f1 /proc/loadavg)"
kill -TERM $pid
wait $pid || true
files=$(find "$work/responses/BENCH" -name '*.toml.partial' | wc -l)
echo "progress files written: $files"
