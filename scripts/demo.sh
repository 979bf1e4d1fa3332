#!/usr/bin/env bash
# The demo: the example sites' economics on the embedded Bitcoin snapshot.
set -euo pipefail
bin=${1:-.build/debug/gridshell}
cd "$(dirname "$0")/.."

rule() { printf '\n== %s ==\n\n' "$*"; }

rule "Bitcoin hashprice (embedded snapshot of the shipped network history)"
"$bin" hashprice

for site in examples/west-texas-100mw.yaml examples/hybrid-300mw.yaml; do
  rule "Site file: $site"
  "$bin" validate "$site"
  rule "Merit order of $site (best first), at 45 USD/MWh"
  "$bin" breakeven --site "$site" --energy-price 45
done

rule "The West Texas fleet at the 2021 average hashprice (314.61 USD/PH/day): the top of the merit order"
"$bin" breakeven --site examples/west-texas-100mw.yaml --hashprice 314.61 --energy-price 45 | sed -n '1,8p'

rule "One interval's plan: the hybrid campus at 3,000 USD/MWh under a 280 MW demand-response target"
"$bin" dispatch --site examples/hybrid-300mw.yaml --price 3000 --cap 280

rule "The same plan 521.5 hours before the pretraining run's deadline: 0.7 h of slack, so it runs at full power"
"$bin" dispatch --site examples/hybrid-300mw.yaml --price 3000 --cap 280 --at 2027-03-09T06:30:00Z

rule "Backtest: the West Texas site through Winter Storm Uri (HB_WEST real-time, February 2021)"
"$bin" backtest --site examples/west-texas-100mw.yaml --prices data/ercot/ercot_RTM-2021-02.csv \
  --day-ahead data/ercot/ercot_DAM_LZHB_SPP_2021.csv --out out/uri-west-texas

rule "Backtest: the 300 MW hybrid campus through Uri (AI tenant firm, miners as the shock absorber)"
"$bin" backtest --site examples/hybrid-300mw.yaml --prices data/ercot/ercot_RTM-2021-02.csv \
  --day-ahead data/ercot/ercot_DAM_LZHB_SPP_2021.csv --out out/uri-hybrid

rule "Miner fleet: 20 simulated miners on loopback (stock S19j Pro, S21, S21 XP; LuxOS S19j Pro, S21), time x50"
ready=$(mktemp)
rm -f "$ready"
"$bin" simulate-fleet --count 20 --first-address 127.77.0.1 --rpc-port 14028 --web-port 18080 --time-scale 50 \
  --faults no-answer:0.05 --seconds 300 --ready-file "$ready" &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$ready" ] && break; sleep 0.1; done
fleet=(--range 127.77.0.1-20 --rpc-port 14028 --web-port 18080 --timeout 1)
rule "Discovery: probe, then identify each miner over its own protocols"
"$bin" fleet discover "${fleet[@]}"
rule "One poll (summary+stats+pools; the stock web API for work modes); one miner is set not to answer"
"$bin" fleet poll "${fleet[@]}" || true
rule "Curtail: every miner to sleep, each confirmed by its own telemetry (LuxOS curtail, stock set_miner_conf)"
"$bin" fleet command sleep "${fleet[@]}" --confirm-timeout 10 || true
rule "Back up: LuxOS miners to a 2,600 W profile (ATM off first), stock miners woken (a restart, minutes at x1)"
"$bin" fleet command wake "${fleet[@]}" --confirm-timeout 10 || true
"$bin" fleet command power-target 2600 --range 127.77.0.4-5 --range 127.77.0.9-10 --rpc-port 14028 --web-port 18080 --timeout 1 || true
"$bin" fleet poll "${fleet[@]}" || true
kill $sim 2>/dev/null || true
wait $sim 2>/dev/null || true

rule "A bad site file: every problem at once, with its line"
bad=$(mktemp --suffix=.yaml)
trap 'rm -f "$bad" "$ready"' EXIT
cat > "$bad" <<'YAML'
name: Broken site
interconnect_mw: -20
contract:
  type: fixed_price
  settlement_point: HB_WESTT
miners:
  - name: a
    model: Antminer S77
    firmware: luxos
    count: ten
YAML
set +e
"$bin" validate "$bad"
echo "(exit code $?)"
