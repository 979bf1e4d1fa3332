#!/usr/bin/env bash
# API figure for docs/PERFORMANCE.md: /api/v1/state under wrk while the control loop runs the
# demo site against its 1,000 simulated miners (all in the one `gridshell demo` process).
# Usage: scripts/bench-serve.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-20}
CONNECTIONS=${2:-64}
BIN=.build/release/gridshell
export PATH=/opt/swift/usr/bin:$PATH
swift build -c release --product gridshell 2>&1 | tail -n 1
DIR=$(mktemp -d)
$BIN demo --port 0 --ready-file "$DIR/ready" --db "$DIR/bench.sqlite" --seconds $((DURATION + 60)) --poll-seconds "${POLL:-2}" > "$DIR/out" 2> "$DIR/err" &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 600); do [ -s "$DIR/ready" ] && break; sleep 0.1; done
URL=$(python3 -c "import json; print(json.load(open('$DIR/ready'))['url'])")
TOKEN=$(awk '/Viewer token:/ {print $3}' "$DIR/out")
# Let the first sweeps of the fleet finish and the loop settle into its rhythm.
sleep 8
echo "== control loop before the load"
curl -s -H "Authorization: Bearer $TOKEN" "${URL}api/v1/state" | python3 -c "import json,sys; d=json.load(sys.stdin); print('interval', d['interval']['index'], 'of', d['interval']['of'], 'miners', d['miners'])"
echo "== wrk: ${DURATION} s, ${THREADS:-2} threads, ${CONNECTIONS} connections, GET /api/v1/state"
wrk -t"${THREADS:-2}" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "${URL}api/v1/state"
echo "== control loop after the load (it kept dispatching and polling)"
curl -s -H "Authorization: Bearer $TOKEN" "${URL}api/v1/state" | python3 -c "import json,sys; d=json.load(sys.stdin); print('interval', d['interval']['index'], 'of', d['interval']['of'], 'miners', d['miners'])"
curl -s "${URL}metrics" | grep -E '^gridshell_poll_duration_seconds_(count|sum)|^gridshell_ledger_intervals_total' || true
