# Gridshell: `make demo` shows it working, `make test` runs every test.
# Both install what is missing on a fresh Debian machine first.

SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
SWIFT ?= swift
BIN := .build/debug/gridshell
RELEASE_BIN := .build/release/gridshell

.PHONY: all deps build release demo tour test bench bench-fleet bench-serve bench-plan fmt clean

all: build

# Tools the build and the tests need. Swift itself cannot be fetched here: it must be on PATH
# (or at /opt/swift); the rest comes from Debian's packages and PyPI when missing.
deps:
	@command -v $(SWIFT) >/dev/null || { echo "error: the Swift toolchain (6.1 or later) is not on PATH or at /opt/swift; install it first" >&2; exit 1; }
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product gridshell

# The live controller on the demo site: 1,000 simulated miners dispatched through Winter Storm
# Uri (real ERCOT prices); prints the dashboard URL and tokens; Ctrl-C stops it.
demo: deps
	@$(SWIFT) build -c release --product gridshell 2>&1 | tail -n 1
	@$(RELEASE_BIN) demo

# A tour of the command line: economics, one plan, backtests through Uri, the fleet protocols.
tour: deps
	@$(SWIFT) build --product gridshell 2>&1 | tail -n 1
	@./scripts/demo.sh $(BIN)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel
	python3 -m pytest -q scripts/test_lp_peer.py scripts/test_pyasic_fleet.py scripts/test_api_contract.py scripts/test_dashboard.py

# Speed figures for docs/PERFORMANCE.md (release build; not part of CI).
bench: deps
	./scripts/bench.sh

# The strategic planner's Monte Carlo: 10,000 paths × 15 years, monthly, on 2 threads.
bench-plan: deps
	./scripts/bench-plan.sh

# Fleet figures: 10,000 simulated miners polled and curtailed, and pyasic on the same fleet
# (needs root: pyasic only speaks to ports 80 and 4028).
bench-fleet: deps
	./scripts/bench-fleet.sh

# The API under load (wrk) while the control loop runs 1,000 simulated miners.
bench-serve: deps
	./scripts/bench-serve.sh

clean:
	rm -rf .build
