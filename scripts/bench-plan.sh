#!/usr/bin/env bash
# Strategic planner speed for docs/PERFORMANCE.md: 10,000 Monte Carlo simulations × 15 years,
# monthly steps, all four paths, on the demo site; release build, 2 worker threads. Prints the
# Monte Carlo's own time (as the planner measures it) and the whole command's, five runs.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product gridshell >/dev/null
bin=.build/release/gridshell
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git rev-parse --short HEAD)"
for run in 1 2 3 4 5; do
  start=$(date +%s.%N)
  "$bin" plan --site examples/demo-hybrid.yaml --years 15 --paths mine,lease,cloud,hybrid --simulations 10000 --workers 2 --json > "$work/plan.json"
  end=$(date +%s.%N)
  python3 - "$work/plan.json" "$start" "$end" "$run" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"run {sys.argv[4]}: {d['simulations']} simulations x {d['years']} years x {len(d['paths'])} paths, "
      f"Monte Carlo {d['monteCarloSeconds']:.3f} s, whole command {float(sys.argv[3]) - float(sys.argv[2]):.3f} s")
PY
done
