#!/usr/bin/env bash
# Dispatch speed figures for docs/PERFORMANCE.md: a year of 15-minute intervals (ERCOT HB_WEST
# day-ahead 2019 on the 15-minute grid, 35,040 intervals) for the benchmark-scale hybrid site
# (32 miner groups, 5 GPU clusters, 50 training jobs, a 200 MW tenant), release build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product gridshell >/dev/null
bin=.build/release/gridshell
site=examples/hybrid-300mw-scaled.yaml
prices=data/ercot/ercot_DAM_LZHB_SPP_2019.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for policy in gridshell hindsight; do
  for run in 1 2 3; do
    start=$(date +%s.%N)
    "$bin" backtest --site "$site" --prices "$prices" --interval-minutes 15 --fee-share 2 --policy "$policy" --no-progress --json > "$work/$policy.json"
    end=$(date +%s.%N)
    python3 - "$work/$policy.json" "$start" "$end" "$policy" "$run" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); r = d["rows"][0]
print(f"{sys.argv[4]} run {sys.argv[5]}: {d['intervals']} intervals, policy {r['seconds']:.3f} s in process, whole command {float(sys.argv[3]) - float(sys.argv[2]):.3f} s, net {r['netMarginUSD']:.2f} USD")
PY
  done
done

echo "hindsight formulation against the LP peer (HiGHS through highspy, one LP for the year):"
"$bin" backtest --site "$site" --prices "$prices" --interval-minutes 15 --fee-share 2 --policy hindsight --no-progress \
  --export-lp "$work/year.json" 2> "$work/ours.txt" > /dev/null
cat "$work/ours.txt"
# HiGHS's presolve removes almost nothing on this structure and doubles its time: give the peer
# its better setting.
python3 scripts/lp_compact.py "$work/year.json" --solver highs --highs-option presolve=off | tee "$work/peer.json"
python3 - "$work/ours.txt" "$work/peer.json" <<'PY'
import json, re, sys
ours_line = open(sys.argv[1]).read()
ours = float(re.search(r"objective (-?[0-9.e+]+)", ours_line).group(1))
ours_s = float(re.search(r"solved in ([0-9.]+) s", ours_line).group(1))
peer = json.loads(open(sys.argv[2]).read())
rel = abs(ours - peer["objective"]) / max(1.0, abs(peer["objective"]))
print(f"objective: ours {ours:.6f}, peer {peer['objective']:.6f}, relative difference {rel:.2e}")
print(f"time: ours {ours_s:.3f} s, peer build+solve {peer['seconds_total']:.3f} s: peer/ours = {peer['seconds_total'] / ours_s:.0f}x")
PY

echo "hindsight with deadlines: the same year, four training runs due at the ends of quarters (three bind):"
"$bin" backtest --site examples/hybrid-300mw-scaled-deadlines.yaml --prices "$prices" --interval-minutes 15 --fee-share 2 \
  --policy gridshell,hindsight --no-progress | tail -n 6
