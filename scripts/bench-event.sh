#!/usr/bin/env bash
# Grid event figure for docs/PERFORMANCE.md: openleadr's VTN calls an event on a site of 10,000
# simulated LuxOS miners run by `gridshell serve`; the time from the event being queued at the VTN
# (before it reaches the VEN: the figure is an upper bound) to the VTN receiving the site's report
# that shows every miner asleep (the report carries the power the miners' own telemetry shows).
# Usage: scripts/bench-event.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-10000}
BIN=.build/release/gridshell
export PATH=/opt/swift/usr/bin:$PATH
swift build -c release --product gridshell 2>&1 | tail -n 1
DIR=$(mktemp -d)
echo "work folder: $DIR"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done; [ -n "${KEEP:-}" ] || rm -rf "$DIR"' EXIT
$BIN simulate-fleet --count "$COUNT" --mix s21/luxos:1 --first-address 127.60.0.1 --rpc-port 24500 --web-port 28500 --seconds 3600 --ready-file "$DIR/fleet" > "$DIR/fleet.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 240); do [ -s "$DIR/fleet" ] && break; sleep 0.5; done
python3 scripts/site_vtn.py --port 0 --log "$DIR/vtn.jsonl" --signal setpoint --value $(python3 -c "print($COUNT*25e-6)") --queue-after 25 --start-in 0 --duration 600 --lifetime 3600 --ven-id bench-site 2> /dev/null &
PIDS+=($!)
for _ in $(seq 1 300); do [ -s "$DIR/vtn.jsonl" ] && break; sleep 0.1; done
PORT=$(python3 -c "import json; print(json.loads(open('$DIR/vtn.jsonl').readline())['port'])")
ADDRS=$(python3 -c "
import json
addrs=[m['address'] for m in json.load(open('$DIR/fleet'))]
by={}
for a in addrs:
    p=a.rsplit('.',1); by.setdefault(p[0],[]).append(int(p[1]))
print(', '.join(f'{k}.{min(v)}-{max(v)}' for k,v in by.items()))")
cat > "$DIR/site.yaml" <<YAML
name: Event benchmark site
interconnect_mw: 40
contract: {type: real_time, settlement_point: HB_WEST}
miners:
  - {name: lux, model: Antminer S21, firmware: luxos, count: $COUNT, addresses: [$ADDRS]}
grid_programs:
  openadr: {vtn_url: "http://127.0.0.1:$PORT/OpenADR2/Simple/2.0b", ven_name: bench-site, credit_usd_per_mwh: 100, poll_seconds: 1}
YAML
# A quiet February night at real speed: every miner mines until the event.
LOG_LEVEL=info $BIN serve --site "$DIR/site.yaml" --db "$DIR/site.sqlite" --from 2021-02-02T03:00:00Z --speed 1 --rpc-port 24500 --web-port 28500 --port 0 --poll-seconds 1 > "$DIR/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 600); do grep -q '"type": "opt"' "$DIR/vtn.jsonl" 2>/dev/null && break; sleep 0.1; done
sleep 45
# The site before the event: the first reports came before it reached the VEN.
python3 - "$DIR/vtn.jsonl" "$COUNT" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
count = int(sys.argv[2])
added = next(l for l in lines if l["type"] == "event_added")
opt = next(l for l in lines if l["type"] == "opt")
reports = [l for l in lines if l["type"] == "report" and l["r_id"] == "site_power"]
before = [r["values"][0]["v"] for r in reports if r["wall"] < added["wall"]]
# Every miner asleep: 25 W each (LuxOS), less than one hashing S21 (3.5 kW) above that.
floor = count * 25e-6
done = next((r for r in reports if r["wall"] > added["wall"] and r["values"][0]["v"] <= floor + 0.003), None)
print(f"site power before the event: {before[-1] if before else float('nan'):.3f} MW; every miner asleep would be {floor:.3f} MW")
print(f"event queued at the VTN -> opt-in received: {opt['wall'] - added['wall']:.2f} s")
if done:
    print(f"event queued at the VTN -> report of every miner asleep received: {done['wall'] - added['wall']:.2f} s (report value {done['values'][0]['v']:.4f} MW)")
else:
    last = reports[-1]["values"][0]["v"] if reports else float("nan")
    print(f"no report reached the floor within 30 s; last report {last:.4f} MW")
PY
