"""The real client check: pyasic, the most used open-source miner library, must take Gridshell's
simulated miners for real ones: identify make, model and firmware, read hashrate, wattage, fans,
boards and pools, and its control calls must change the simulated miner's state.

Runs `gridshell simulate-fleet` on loopback addresses with the real ports (4028 and 80, which
pyasic cannot change), so it needs root or CAP_NET_BIND_SERVICE, as the CI machine has.
"""

import asyncio
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pyasic
import pytest

ROOT = Path(__file__).resolve().parent.parent
BINARY = Path(os.environ.get("GRIDSHELL_BIN", ROOT / ".build" / "debug" / "gridshell"))
FIRST = "127.31.0.1"
MIX = "s19jpro/stock:1,s21/stock:1,s21xp/stock:1,s19jpro/luxos:1,s21/luxos:1"
EXPECTED = {
    "127.31.0.1": ("S19j Pro", "Stock", 100.0, 126),
    "127.31.0.2": ("S21", "Stock", 200.0, 108),
    "127.31.0.3": ("S21 XP", "Stock", 270.0, 91),
    "127.31.0.4": ("S19j Pro", "LuxOS", 100.0, 126),
    "127.31.0.5": ("S21", "LuxOS", 200.0, 108),
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: build first (make test does)")
    ready = tmp_path_factory.mktemp("fleet") / "ready.json"
    # Time ×20: a stock restart (≈5 min) takes about 15 s of wall time.
    proc = subprocess.Popen(
        [str(BINARY), "simulate-fleet", "--count", "5", "--mix", MIX, "--first-address", FIRST,
         "--time-scale", "20", "--ready-file", str(ready), "--seconds", "600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while not ready.exists():
        if proc.poll() is not None:
            pytest.fail(f"simulate-fleet exited with {proc.returncode}: {proc.stderr.read()}")
        if time.time() > deadline:
            proc.kill()
            pytest.fail("simulate-fleet did not get ready in 30 s")
        time.sleep(0.1)
    yield json.loads(ready.read_text())
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def run(coro):
    return asyncio.run(coro)


async def read(ip):
    miner = await pyasic.get_miner(ip)
    assert miner is not None, f"pyasic found no miner at {ip}"
    return miner, await miner.get_data()


def gridshell_poll(ip):
    """What Gridshell's own client sees."""
    out = subprocess.run(
        [str(BINARY), "fleet", "poll", "--range", ip, "--json"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    states = json.loads(out.stdout)["miners"]
    assert len(states) == 1
    return states[0]


def test_ready_file_lists_the_mix(fleet):
    assert [m["address"] for m in fleet] == list(EXPECTED)
    assert {(m["model"], m["firmware"]) for m in fleet} == {
        ("Antminer S19j Pro", "stock"), ("Antminer S21", "stock"), ("Antminer S21 XP", "stock"),
        ("Antminer S19j Pro", "luxos"), ("Antminer S21", "luxos")}


@pytest.mark.parametrize("ip", list(EXPECTED))
def test_pyasic_identifies_and_reads(fleet, ip):
    model, firmware, ths, chips = EXPECTED[ip]
    miner, data = run(read(ip))
    assert data.make == "AntMiner"
    assert data.model == model
    assert data.firmware == firmware
    assert abs(float(data.hashrate) - ths) < ths * 0.02
    assert len(data.fans) == 4 and all(f.speed > 1000 for f in data.fans)
    assert len(data.hashboards) == 3
    for board in data.hashboards:
        assert board.chips == chips and board.expected_chips == chips
        assert board.temp is not None and 30 < board.temp < 90
        assert abs(float(board.hashrate) - ths / 3) < ths * 0.02
    assert len(data.pools) == 3 and data.pools[0].accepted > 0 and str(data.pools[0].url).startswith("stratum+tcp://")
    if firmware == "LuxOS":
        # pyasic reads power from LuxOS's `power` command; it has no power reading for stock.
        assert data.wattage is not None and data.wattage > 2000
        assert data.wattage_limit is not None


def test_stock_stop_and_resume_reach_the_simulator(fleet):
    ip = "127.31.0.2"

    async def stop():
        miner = await pyasic.get_miner(ip)
        assert await miner.stop_mining() is True
        await asyncio.sleep(2)
        return await miner.get_data()

    data = run(stop())
    assert data.is_mining is False
    assert float(data.hashrate) == 0
    seen = gridshell_poll(ip)
    assert seen["reachable"] and seen["telemetry"]["mode"] == "sleep"

    async def resume():
        miner = await pyasic.get_miner(ip)
        assert await miner.resume_mining() is True
        await asyncio.sleep(1)
        return await miner.get_data()

    data = run(resume())
    assert data.is_mining is True
    seen = gridshell_poll(ip)
    assert seen["telemetry"]["mode"] in ("ramping", "normal")


def test_luxos_sleep_wake_and_power_limit(fleet):
    ip = "127.31.0.5"

    async def control(call, *args):
        miner = await pyasic.get_miner(ip)
        assert await getattr(miner, call)(*args) is True
        await asyncio.sleep(1.5)
        return await miner.get_data()

    data = run(control("stop_mining"))
    assert float(data.hashrate) == 0 and data.wattage < 100
    assert gridshell_poll(ip)["telemetry"]["mode"] == "sleep"

    data = run(control("resume_mining"))
    assert float(data.hashrate) > 150
    assert gridshell_poll(ip)["telemetry"]["mode"] == "normal"

    data = run(control("set_power_limit", 2600))
    assert data.wattage_limit <= 2600 and data.wattage <= 2600
    assert float(data.hashrate) < 200
    seen = gridshell_poll(ip)["telemetry"]
    assert seen["powerW"] <= 2600 and seen["profile"] != "default"


def test_pyasic_declines_stock_power_limit(fleet):
    """pyasic has no power limit for stock Antminer firmware: it returns False and the simulated
    miner is left as it was."""
    ip = "127.31.0.1"

    async def call():
        miner = await pyasic.get_miner(ip)
        return await miner.set_power_limit(2500)

    assert run(call()) is False
    assert gridshell_poll(ip)["telemetry"]["mode"] in ("normal", "ramping")
