#!/usr/bin/env bash
# Fleet figures for docs/PERFORMANCE.md: a 10,000-miner simulated fleet on this machine, polled
# and curtailed by Gridshell, and the same fleet read by pyasic with its defaults.
# Needs root (pyasic only speaks to ports 80 and 4028). Usage: scripts/bench-fleet.sh [COUNT] [PEER_COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-10000}
PEER=${2:-500}
BIN=.build/release/gridshell
export PATH=/opt/swift/usr/bin:$PATH
swift build -c release --product gridshell 2>&1 | tail -n 1
READY=$(mktemp)
rm -f "$READY"
$BIN simulate-fleet --count "$COUNT" --first-address 127.40.0.1 --seconds 3600 --ready-file "$READY" > /tmp/gridshell-bench-fleet.log 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do [ -s "$READY" ] && break; sleep 0.5; done
head -n 1 /tmp/gridshell-bench-fleet.log
RANGES=$(python3 -c "
import json
addrs=[m['address'] for m in json.load(open('$READY'))]
by={}
for a in addrs:
    p=a.rsplit('.',1); by.setdefault(p[0],[]).append(int(p[1]))
print(' '.join(f'--range {k}.{min(v)}-{max(v)}' for k,v in by.items()))")
echo "== Gridshell: poll (summary+stats+pools) of $COUNT miners; the first sweep also identifies"
$BIN fleet poll $RANGES --sweeps 3 --json | python3 -c "import json,sys; d=json.load(sys.stdin); print('sweeps (s):', [round(x,3) for x in d['sweepSeconds']], 'reachable:', d['reachable'])"
echo "== Gridshell: curtail $COUNT miners, every acknowledgement (after a first read)"
$BIN fleet command sleep $RANGES --no-confirm --json | python3 -c "import json,sys; d=json.load(sys.stdin); print('first read (s):', round(d['identifySeconds'],3), 'curtail (s):', round(d['seconds'],3), 'acknowledged:', d['acknowledged'])"
$BIN fleet command wake $RANGES --no-confirm --json > /dev/null || true
PEER_RANGES=$(python3 -c "
import json
addrs=[m['address'] for m in json.load(open('$READY'))][:$PEER]
by={}
for a in addrs:
    p=a.rsplit('.',1); by.setdefault(p[0],[]).append(int(p[1]))
print(' '.join(f'--range {k}.{min(v)}-{max(v)}' for k,v in by.items()))")
echo "== Side by side on the first $PEER miners: identify and read each once"
G=$( { /usr/bin/time -f "%e" $BIN fleet poll $PEER_RANGES --json > /tmp/gridshell-peer.json; } 2>&1 | tail -n 1)
python3 -c "import json; d=json.load(open('/tmp/gridshell-peer.json')); print('gridshell: read', d['reachable'], 'of', len(d['miners']), 'in', $G, 's (process wall time)')"
P=$( { /usr/bin/time -f "%e" python3 scripts/pyasic_poll.py --first 127.40.0.1 --count "$PEER" > /tmp/pyasic-peer.json; } 2>&1 | tail -n 1)
python3 -c "import json; d=json.load(open('/tmp/pyasic-peer.json')); print('pyasic defaults:', d, 'process wall', $P, 's'); print('ratio pyasic/gridshell: %.1f' % ($P / $G))"
P2=$( { /usr/bin/time -f "%e" python3 scripts/pyasic_poll.py --first 127.40.0.1 --count "$PEER" --limit 50 > /tmp/pyasic-peer2.json; } 2>&1 | tail -n 1)
python3 -c "import json; d=json.load(open('/tmp/pyasic-peer2.json')); print('pyasic tuned (semaphore 50):', d, 'process wall', $P2, 's'); print('ratio pyasic-tuned/gridshell: %.1f' % ($P2 / $G))"
