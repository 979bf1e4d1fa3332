#!/usr/bin/env bash
# Installs what the build, the demo and the tests need, only when it is missing.
set -euo pipefail

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
command -v git >/dev/null || need_apt+=(git)
# Foundation on Linux links against these at run time.
[ -e /usr/include/curl/curl.h ] || ldconfig -p 2>/dev/null | grep -q libcurl || need_apt+=(libcurl4-openssl-dev)
ldconfig -p 2>/dev/null | grep -q libxml2 || need_apt+=(libxml2-dev)
# The store (GRDB links the system SQLite), the dashboard's charts (Chart.js, served by the
# binary from Debian's package), the browser test (Chromium and its driver) and the HTTP load
# generator for the API benchmark.
[ -e /usr/include/sqlite3.h ] || need_apt+=(libsqlite3-dev)
[ -e /usr/share/javascript/chart.js/chart.min.js ] || need_apt+=(libjs-chart.js)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v wrk >/dev/null || need_apt+=(wrk)
# The compute tests start a real Slurm (slurmctld, slurmd, the client tools) with munge.
command -v slurmctld >/dev/null || need_apt+=(slurmctld)
command -v slurmd >/dev/null || need_apt+=(slurmd)
command -v squeue >/dev/null || need_apt+=(slurm-client)
command -v munged >/dev/null || need_apt+=(munge)
# slurm-cluster.sh checks its ports are free with ss.
command -v ss >/dev/null || need_apt+=(iproute2)
# The OpenADR TLS test makes its certificates with the openssl command.
command -v openssl >/dev/null || need_apt+=(openssl)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

# The LP peer the hindsight optimiser is checked against, pyasic (the miner library the
# simulated fleet must convince), and pytest.
# selenium drives Chromium in the dashboard test; openleadr is the OpenADR VTN the VEN is tested
# against (scripts/openadr_vtn.py).
if ! python3 -c "import pulp, highspy, pytest, pyasic, selenium, schemathesis, openleadr" 2>/dev/null; then
  echo "installing PyPI packages: pulp highspy pytest pyasic selenium schemathesis openleadr"
  python3 -m pip install --quiet pulp highspy pytest pyasic selenium schemathesis openleadr==0.5.36 || python3 -m pip install --quiet --break-system-packages pulp highspy pytest pyasic selenium schemathesis openleadr==0.5.36
fi
