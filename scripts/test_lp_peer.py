"""Tests for scripts/lp_peer.py (run: python3 -m pytest -q scripts/test_lp_peer.py).

Two independent oracles check the LP peer on small cases:
  * exact_interval_value: brute force over candidate vertices.  Per interval the
    optimum over the segments for a given total X is to fill them in descending
    value order, so the LP reduces to maximising a concave piecewise-linear f(X, shed)
    over a polygon; its maximum is at an intersection of two breakpoint lines
    (X = segment boundary / floor / bounds, shed = 0 / base, X - shed = tier
    boundary - base / cap - base).  We enumerate all of them.
  * greedy_interval_value: the greedy described in the brief (fill segments in value
    order while marginal value (+ floor penalty while under the floor) beats the
    marginal tier cost, respecting the cap; shed only what base > cap forces).  It is
    exact when shedding is never worth more than forced, i.e. when
    shed_penalty >= max(max segment value + floor_penalty, max tier price); it is
    only applied to such cases.
"""

from __future__ import annotations

import copy
import json
import math
import os
import random
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "lp_peer.py")
sys.path.insert(0, HERE)

import lp_peer  # noqa: E402

pytest.importorskip("highspy")
pytest.importorskip("pulp")

REL = 1e-6


def close(a, b, rel=REL):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


# ---------------------------------------------------------------------------
# oracles
# ---------------------------------------------------------------------------


def _seg_value(X, segs_sorted):
    """Value of the best X MW of segments (filled in descending value order)."""
    v, rem = 0.0, X
    for mw, usd in segs_sorted:
        take = max(0.0, min(mw, rem))
        v += take * usd
        rem -= take
    return v


def _tier_cost(P, tiers):
    cost, lo, rem = 0.0, 0.0, P
    for up, usd in tiers:
        w = math.inf if up is None else up - lo
        take = max(0.0, min(w, rem))
        cost += take * usd
        rem -= take
        lo = up if up is not None else lo
    assert rem <= 1e-9, "power above the last tier"
    return cost


def _unpack(iv):
    segs = sorted(((s["mw"], s["usd_per_mwh"]) for s in iv["segments"]), key=lambda p: -p[1])
    tiers = [(t["up_to_mw"], t["usd_per_mwh"]) for t in iv["cost_tiers"]]
    return segs, tiers


def _interval_f(iv, segs, tiers, X, sh):
    P = iv["base_mw"] - sh + X
    return (
        _seg_value(X, segs)
        - _tier_cost(P, tiers)
        - iv["floor_penalty_usd_per_mwh"] * max(0.0, iv["floor_mw"] - X)
        - iv["shed_penalty_usd_per_mwh"] * sh
    )


def exact_interval_value(iv):
    """Brute force over all candidate vertices of the (X, shed) arrangement."""
    segs, tiers = _unpack(iv)
    base, cap, floor = iv["base_mw"], iv["cap_mw"], iv["floor_mw"]
    xmax = sum(mw for mw, _ in segs)
    xs = {0.0, xmax, floor}
    acc = 0.0
    for mw, _ in segs:
        acc += mw
        xs.add(acc)
    shs = {0.0, base}
    ds = {cap - base} | {up - base for up, _ in tiers if up is not None}  # lines X - shed = d
    cands = [(a, b) for a in xs for b in shs]
    cands += [(a, a - d) for a in xs for d in ds]
    cands += [(b + d, b) for b in shs for d in ds]
    eps = 1e-9
    best = -math.inf
    for X, sh in cands:
        if not (-eps <= X <= xmax + eps and -eps <= sh <= base + eps):
            continue
        X = min(max(X, 0.0), xmax)
        sh = min(max(sh, 0.0), base)
        if base - sh + X > cap + eps:
            continue
        best = max(best, _interval_f(iv, segs, tiers, X, sh))
    assert best > -math.inf, "no feasible vertex"
    return iv["constant_usd"] + iv["hours"] * best


def greedy_applicable(iv):
    segs, tiers = _unpack(iv)
    vmax = max((u for _, u in segs), default=-math.inf)
    cmax = max(u for _, u in tiers)
    return iv["shed_penalty_usd_per_mwh"] >= max(vmax + iv["floor_penalty_usd_per_mwh"], cmax)


def greedy_interval_value(iv):
    segs, tiers = _unpack(iv)
    base, cap, floor = iv["base_mw"], iv["cap_mw"], iv["floor_mw"]
    fp = iv["floor_penalty_usd_per_mwh"]
    shed = max(0.0, base - cap)  # forced shed only
    P = base - shed
    X = 0.0
    eps = 1e-12
    done = False
    for mw, usd in segs:
        rem = mw
        while rem > eps and not done:
            room_cap = cap - P
            if room_cap <= eps:
                done = True
                break
            # marginal tier at P (right derivative)
            lo, t_usd, t_room = 0.0, None, None
            for up, c in tiers:
                if up is None or P < up - eps:
                    t_usd, t_room = c, (math.inf if up is None else up - P)
                    break
            under_floor = X < floor - eps
            floor_room = floor - X if under_floor else math.inf
            gain = usd + (fp if under_floor else 0.0) - t_usd
            if gain <= 0:
                done = True
                break
            step = min(rem, room_cap, t_room, floor_room)
            X += step
            P += step
            rem -= step
        if done:
            break
    return iv["constant_usd"] + iv["hours"] * _interval_f(iv, segs, tiers, X, shed)


def exact_value(doc):
    return math.fsum(exact_interval_value(iv) for iv in doc["intervals"])


def greedy_value(doc):
    return math.fsum(greedy_interval_value(iv) for iv in doc["intervals"])


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def interval(segments, tiers, *, hours=1.0, constant=0.0, base=0.0, cap=100.0, floor=0.0, fp=0.0, sp=1e5):
    return {
        "hours": hours,
        "constant_usd": constant,
        "base_mw": base,
        "cap_mw": cap,
        "floor_mw": floor,
        "floor_penalty_usd_per_mwh": fp,
        "shed_penalty_usd_per_mwh": sp,
        "cost_tiers": [{"up_to_mw": u, "usd_per_mwh": c} for u, c in tiers],
        "segments": [{"mw": m, "usd_per_mwh": v} for m, v in segments],
    }


def solve_both(doc):
    rh = lp_peer.solve(doc, "highs")
    rp = lp_peer.solve(doc, "pulp")
    assert rh.optimal and rp.optimal, (rh.status, rp.status)
    assert rh.variables == rp.variables and rh.constraints == rp.constraints
    return rh.objective, rp.objective


def run_cli(args, stdin=None):
    p = subprocess.run(
        [sys.executable, SCRIPT, *args], input=stdin, capture_output=True, text=True, timeout=300
    )
    return p


# ---------------------------------------------------------------------------
# hand-computed cases
# ---------------------------------------------------------------------------

# (name, intervals, optimum computed by hand)
HAND_CASES = [
    # sorted by value: 8 MW @50, 3 MW @25, 5 MW @15; tier 10 MW @10 then @20.
    # 8 MW: (50-10)*8 = 320; 2 MW @25 in tier 1: 30; 1 MW @25 in tier 2: 5; @15 < 20 stop.
    ("tiers", [interval([(8, 50), (5, 15), (3, 25)], [(10, 10), (None, 20)])], 355.0),
    # same, hours 0.5 and constant 7
    ("hours_constant", [interval([(8, 50), (5, 15), (3, 25)], [(10, 10), (None, 20)], hours=0.5, constant=7)],
     7 + 0.5 * 355.0),
    # cap binds at 9 MW total: base 2 + 7 MW of the 50-segment: (50-10)*7 = 280, minus base cost 20
    ("cap", [interval([(8, 50), (5, 15), (3, 25)], [(10, 10), (None, 20)], base=2, cap=9)], 280.0 - 20.0),
    # floor 3 with penalty 100: run 3 MW at 30 against price 40: -30 (no penalty)
    ("floor_run", [interval([(5, 30)], [(None, 40)], floor=3, fp=100)], -30.0),
    # penalty 5 < loss 10: do not run, pay 3 * 5
    ("floor_pay", [interval([(5, 30)], [(None, 40)], floor=3, fp=5)], -15.0),
    # floor above total segment capacity: run both (free), short 3 @10
    ("floor_short", [interval([(1, 0), (1, 0)], [(None, 0)], floor=5, fp=10)], -30.0),
    # base 50 > cap 30: shed 20 @1000; serve 30 = 20 @10 + 10 @30
    ("forced_shed", [interval([], [(20, 10), (None, 30)], base=50, cap=30, sp=1000)], -(20000 + 200 + 300)),
    # voluntary shed: marginal tier 500 > shed 100: shed 5 -> 5 @1 + 5 @100
    ("shed_cheaper_than_tier", [interval([], [(5, 1), (None, 500)], base=10, sp=100)], -505.0),
    # shed base to make room for a 300-value segment under the cap: 4 * (300 - 100)
    ("shed_for_segment", [interval([(4, 300)], [(None, 0)], base=10, cap=10, sp=100)], 800.0),
    # floor limited by cap: shedding 3 @20 beats short 3 @50
    ("shed_for_floor", [interval([(5, 0)], [(None, 0)], base=8, cap=10, floor=5, fp=50, sp=20)], -60.0),
    # negative tier price: run everything, even a negative-value segment when price is below it
    ("negative_price", [interval([(2, -5), (1, 3)], [(None, -10)])], 2 * 5 + 1 * 13),
    # zero-width first tier, zero-capacity segment, zero hours elsewhere
    ("degenerate", [interval([(0, 99), (1, 1)], [(0, -50), (None, 0)]),
                    interval([(3, 1000)], [(None, 0)], hours=0.0, constant=-4.5)], 1.0 - 4.5),
]


@pytest.mark.parametrize("name,intervals,expected", HAND_CASES, ids=[c[0] for c in HAND_CASES])
def test_hand_cases(name, intervals, expected):
    doc = {"intervals": intervals}
    oh, op = solve_both(doc)
    assert close(oh, expected), (oh, expected)
    assert close(op, expected), (op, expected)
    assert close(exact_value(doc), expected)  # the oracle itself agrees with the hand value
    if all(greedy_applicable(iv) for iv in intervals):
        assert close(greedy_value(doc), expected)


def test_multi_interval_is_sum():
    ivs = [c[1][0] for c in HAND_CASES[:6]]
    expected = sum(c[2] for c in HAND_CASES[:6])
    oh, op = solve_both({"intervals": ivs})
    assert close(oh, expected) and close(op, expected)


def test_brief_example_and_counts():
    doc = {"intervals": [interval([(1.2, 80.0), (0.5, -3.0)], [(95.0, 30.0), (None, 45.0)],
                                  hours=0.25, constant=123.4, base=12.0, cap=100.0, floor=20.0,
                                  fp=5000.0, sp=100000.0)]}
    # run both segments (floor penalty 5000 dominates), short 18.3; P = 13.7 in tier 1
    expected = 123.4 + 0.25 * (1.2 * 80 - 0.5 * 3 - 30 * 13.7 - 5000 * 18.3)
    r = lp_peer.solve(doc, "highs")
    assert r.optimal and close(r.objective, expected)
    assert r.variables == 2 + 2 + 2 and r.constraints == 3


# ---------------------------------------------------------------------------
# random small cases vs both oracles
# ---------------------------------------------------------------------------


def random_doc(rng: random.Random, greedy_regime: bool):
    ivs = []
    for _ in range(rng.randint(1, 3)):
        segs = []
        for _ in range(rng.randint(1, 4)):
            mw = rng.choice([0.0, round(rng.uniform(0, 5), 2), float(rng.randint(1, 4))])
            segs.append((mw, round(rng.uniform(-30, 120) * 2) / 2))  # half-dollar grid: ties happen
        c1 = round(rng.uniform(-20, 60), 1)
        if rng.random() < 0.5:
            tiers = [(None, c1)]
        else:
            tiers = [(round(rng.uniform(0.5, 15), 2), c1), (None, round(c1 + rng.uniform(0, 60), 1))]
        base = round(rng.uniform(0, 15), 2) if rng.random() < 0.8 else 0.0
        cap = round(base * rng.uniform(0.5, 2.0), 2) if rng.random() < 0.85 else round(rng.uniform(0, 25), 2)
        floor = round(rng.uniform(0, 12), 2) if rng.random() < 0.7 else 0.0
        fp = round(rng.uniform(0, 150), 1)
        if greedy_regime:
            vmax = max(v for _, v in segs)
            sp = max(vmax + fp, max(c for _, c in tiers)) + rng.uniform(0, 1000)
        else:
            sp = round(rng.uniform(0, 200), 1)
        ivs.append(interval(segs, tiers, hours=rng.choice([0.25, 0.5, 1.0]),
                            constant=round(rng.uniform(-50, 50), 2),
                            base=base, cap=cap, floor=floor, fp=fp, sp=sp))
    return {"intervals": ivs}


def test_random_small_cases_against_oracles():
    rng = random.Random(20240601)
    n_greedy = 0
    for case in range(200):
        doc = random_doc(rng, greedy_regime=(case % 2 == 0))
        oh, op = solve_both(doc)
        ex = exact_value(doc)
        assert close(oh, op), (case, oh, op, doc)
        assert close(oh, ex), (case, oh, ex, doc)
        if all(greedy_applicable(iv) for iv in doc["intervals"]):
            n_greedy += 1
            gr = greedy_value(doc)
            assert close(oh, gr), (case, oh, gr, doc)
    assert n_greedy >= 100


def test_large_instance_highs_matches_pulp_and_greedy():
    rng = random.Random(7)
    T, S = 2000, 50
    ivs = []
    for t in range(T):
        price = rng.uniform(15, 60)
        segs = [(round(rng.uniform(0, 1), 3), round(price * rng.gauss(1.0, 0.6), 2)) for _ in range(S)]
        up = round(rng.uniform(10, 40), 2)
        base = round(rng.uniform(0, 30), 2)
        ivs.append(interval(segs, [(up, round(price, 2)), (None, round(price * 1.4, 2))], hours=0.25,
                            constant=round(rng.uniform(-10, 10), 2), base=base,
                            cap=round(base * rng.uniform(0.9, 2.5), 2), floor=round(rng.uniform(0, 10), 2),
                            fp=5000.0, sp=100000.0))
    doc = {"intervals": ivs}
    rh = lp_peer.solve(doc, "highs")
    rp = lp_peer.solve(doc, "pulp")
    assert rh.optimal and rp.optimal
    assert rh.variables == rp.variables == T * S + 2 * T + 2 * T
    assert rh.constraints == rp.constraints == 3 * T
    assert close(rh.objective, rp.objective), (rh.objective, rp.objective)
    assert all(greedy_applicable(iv) for iv in ivs)
    assert close(rh.objective, greedy_value(doc)), (rh.objective, greedy_value(doc))


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def test_cli_both_modes_on_synthetic(tmp_path):
    path = tmp_path / "syn.json"
    p = run_cli(["--make-synthetic", "40", "25", "3", "--seed", "3", "-o", str(path)])
    assert p.returncode == 0, p.stderr
    doc = json.loads(path.read_text())
    outs = {}
    for mode in ("highs", "pulp"):
        p = run_cli([str(path), "--solver", mode])
        assert p.returncode == 0, p.stderr
        lines = p.stdout.strip().splitlines()
        assert len(lines) == 1
        out = json.loads(lines[0])
        for k in ("objective", "status", "solver", "variables", "constraints",
                  "seconds_build", "seconds_solve", "seconds_total"):
            assert k in out
        assert out["status"] == "Optimal"
        assert out["variables"] == 40 * 25 + 2 * 40 + 40 * 3 and out["constraints"] == 3 * 40
        assert abs(out["seconds_total"] - out["seconds_build"] - out["seconds_solve"]) < 1e-9
        outs[mode] = out
    assert "HiGHS" in outs["pulp"]["solver"] and "PuLP" in outs["pulp"]["solver"]
    assert close(outs["highs"]["objective"], outs["pulp"]["objective"])
    assert close(outs["highs"]["objective"], exact_value(doc))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cli_stdin_and_cbc_backend():
    doc = {"intervals": [c[1][0] for c in HAND_CASES[:4]]}
    expected = sum(c[2] for c in HAND_CASES[:4])
    import pulp

    backends = ["auto"] + (["cbc"] if pulp.PULP_CBC_CMD(msg=False).available() else [])
    for backend in backends:
        p = run_cli(["-", "--solver", "pulp", "--pulp-backend", backend], stdin=json.dumps(doc))
        assert p.returncode == 0, p.stderr
        out = json.loads(p.stdout)
        assert close(out["objective"], expected)
        if backend == "cbc":
            assert "CBC" in out["solver"]


def test_cli_not_optimal_exits_nonzero(tmp_path):
    path = tmp_path / "syn.json"
    assert run_cli(["--make-synthetic", "300", "40", "2", "-o", str(path)]).returncode == 0
    p = run_cli([str(path), "--solver", "highs", "--time-limit", "0"])
    assert p.returncode == lp_peer.EXIT_NOT_OPTIMAL, (p.returncode, p.stdout, p.stderr)
    assert "not optimal" in p.stderr
    assert json.loads(p.stdout)["objective"] is None


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def _good():
    return copy.deepcopy({"intervals": [c[1][0] for c in HAND_CASES[:3]]})


def _mut(fn):
    d = copy.deepcopy(_good())
    fn(d)
    return d


BAD = [
    ("missing_cap", lambda d: d["intervals"][1].pop("cap_mw"), ["interval 1", "cap_mw"]),
    ("negative_cap", lambda d: d["intervals"][1].update(cap_mw=-1.0), ["interval 1", "cap_mw", ">= 0"]),
    ("string_hours", lambda d: d["intervals"][2].update(hours="0.25"), ["interval 2", "hours"]),
    ("bool_base", lambda d: d["intervals"][0].update(base_mw=True), ["interval 0", "base_mw"]),
    ("nan_floor", lambda d: d["intervals"][1].update(floor_mw=float("nan")), ["interval 1", "floor_mw", "finite"]),
    ("negative_penalty", lambda d: d["intervals"][0].update(floor_penalty_usd_per_mwh=-1),
     ["interval 0", "floor_penalty_usd_per_mwh"]),
    ("negative_mw", lambda d: d["intervals"][2]["segments"][1].update(mw=-0.5), ["interval 2", "segments[1].mw"]),
    ("missing_seg_usd", lambda d: d["intervals"][1]["segments"][0].pop("usd_per_mwh"),
     ["interval 1", "segments[0].usd_per_mwh"]),
    ("segments_not_list", lambda d: d["intervals"][0].update(segments={}), ["interval 0", "segments"]),
    ("no_tiers", lambda d: d["intervals"][2].update(cost_tiers=[]), ["interval 2", "cost_tiers"]),
    ("last_tier_bounded", lambda d: d["intervals"][1]["cost_tiers"][1].update(up_to_mw=50.0),
     ["interval 1", "cost_tiers[1].up_to_mw", "null"]),
    ("null_tier_not_last", lambda d: d["intervals"][0]["cost_tiers"][0].update(up_to_mw=None),
     ["interval 0", "cost_tiers[0].up_to_mw"]),
    ("tier_price_decreasing", lambda d: d["intervals"][2]["cost_tiers"][1].update(usd_per_mwh=1.0),
     ["interval 2", "cost_tiers[1].usd_per_mwh", "non-decreasing"]),
    ("tier_up_not_increasing",
     lambda d: d["intervals"][1].update(cost_tiers=[{"up_to_mw": 5.0, "usd_per_mwh": 1.0},
                                                    {"up_to_mw": 5.0, "usd_per_mwh": 2.0},
                                                    {"up_to_mw": None, "usd_per_mwh": 3.0}]),
     ["interval 1", "cost_tiers[1].up_to_mw"]),
    ("negative_first_up", lambda d: d["intervals"][0]["cost_tiers"][0].update(up_to_mw=-1.0),
     ["interval 0", "cost_tiers[0].up_to_mw"]),
    ("interval_not_object", lambda d: d["intervals"].__setitem__(1, [1, 2]), ["interval 1"]),
]


@pytest.mark.parametrize("name,mutate,needles", BAD, ids=[b[0] for b in BAD])
def test_validation_messages(name, mutate, needles):
    doc = _mut(mutate)
    with pytest.raises(lp_peer.InputError) as ei:
        lp_peer.parse_instance(doc)
    msg = str(ei.value)
    for n in needles:
        assert n in msg, (n, msg)


def test_validation_top_level():
    for doc, needle in (([], "top level"), ({}, "intervals"), ({"intervals": []}, "empty")):
        with pytest.raises(lp_peer.InputError) as ei:
            lp_peer.parse_instance(doc)
        assert needle in str(ei.value)


def test_cli_bad_input_exit_code(tmp_path):
    bad = _mut(lambda d: d["intervals"][2]["cost_tiers"][1].update(up_to_mw=50.0))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    for mode in ("highs", "pulp"):
        p = run_cli([str(path), "--solver", mode])
        assert p.returncode == lp_peer.EXIT_BAD_INPUT
        assert p.stdout == ""
        assert "interval 2" in p.stderr and "cost_tiers[1].up_to_mw" in p.stderr
    p = run_cli(["-"], stdin="{not json")
    assert p.returncode == lp_peer.EXIT_BAD_INPUT and "not valid JSON" in p.stderr
    p = run_cli([str(tmp_path / "missing.json")])
    assert p.returncode == lp_peer.EXIT_BAD_INPUT and "cannot read input" in p.stderr


def test_non_finite_up_to_is_not_taken_for_null():
    doc = _mut(lambda d: d["intervals"][1]["cost_tiers"][0].update(up_to_mw=float("inf")))
    with pytest.raises(lp_peer.InputError, match=r"interval 1: field 'cost_tiers\[0\].up_to_mw' must be finite"):
        lp_peer.parse_instance(doc)
    # JSON text with an overflowing literal
    text = json.dumps(_good()).replace('"up_to_mw": 10', '"up_to_mw": 1e400', 1)
    with pytest.raises(lp_peer.InputError, match="up_to_mw' must be finite"):
        lp_peer.parse_instance(lp_peer.load_json_bytes(text.encode()))


def test_instance_built_directly_is_validated_and_solved():
    inst = lp_peer.parse_instance(copy.deepcopy(_good()))
    expected = sum(c[2] for c in HAND_CASES[:3])
    for mode in ("highs", "pulp"):
        r = lp_peer.solve(inst, mode)
        assert r.optimal and close(r.objective, expected)
    bad = copy.deepcopy(inst)
    bad.seg_mw[4] = -1.0  # interval 1 has segments 3..5
    with pytest.raises(lp_peer.InputError, match=r"interval 1: field 'segments\[1\].mw'"):
        lp_peer.solve(bad, "highs")
    bad = copy.deepcopy(inst)
    bad.tier_up[-1] = 30.0
    with pytest.raises(lp_peer.InputError, match=r"interval 2: field 'cost_tiers\[1\].up_to_mw' must be null"):
        lp_peer.solve(bad, "highs")
    bad = copy.deepcopy(inst)
    bad.seg_ptr = bad.seg_ptr[:-1]
    with pytest.raises(lp_peer.InputError, match="seg_ptr"):
        lp_peer.solve(bad, "highs")


# ---------------------------------------------------------------------------
# deadlines: work coupling the intervals, the shortfall at a penalty
# ---------------------------------------------------------------------------


def with_deadlines(intervals, deadlines, members):
    """members: {(interval, segment): (deadline, gpu_hours_per_mwh)}"""
    doc = {"intervals": copy.deepcopy(intervals), "deadlines": [
        {"required_gpu_hours": r, "floor_gpu_hours": f, "penalty_usd_per_gpu_hour": p} for r, f, p in deadlines]}
    for (t, j), (d, w) in members.items():
        doc["intervals"][t]["segments"][j].update(deadline=d, gpu_hours_per_mwh=w)
    return doc


def dual_oracle(doc):
    """The optimum of a one-deadline instance by strong duality: min over lambda in [0, P] of
    sum_t max_x [interval objective + lambda * work] - lambda * (required - floor). The dual is
    convex and piecewise linear in lambda; golden-section search finds its minimum."""
    (dl,) = doc["deadlines"]
    need = dl["required_gpu_hours"] - dl.get("floor_gpu_hours", 0.0)

    def g(lam):
        total = 0.0
        for iv in doc["intervals"]:
            priced = copy.deepcopy(iv)
            for s in priced["segments"]:
                if "deadline" in s:
                    s["usd_per_mwh"] += lam * s["gpu_hours_per_mwh"]
            total += exact_interval_value(priced)
        return total - lam * need

    lo, hi = 0.0, dl["penalty_usd_per_gpu_hour"]
    phi = (math.sqrt(5) - 1) / 2
    a, b = hi - phi * (hi - lo), lo + phi * (hi - lo)
    ga, gb = g(a), g(b)
    for _ in range(90):
        if ga <= gb:
            hi, b, gb = b, a, ga
            a = hi - phi * (hi - lo)
            ga = g(a)
        else:
            lo, a, ga = a, b, gb
            b = lo + phi * (hi - lo)
            gb = g(b)
    return min(g(lo), g(hi), ga, gb, g(0.0), g(dl["penalty_usd_per_gpu_hour"]))


def test_deadline_hand_case():
    # Work 5 GPU-h per MWh. Interval 1 (price 20): 2 MW at a loss of 10/MWh = 2 $/GPU-h, worth it
    # against a 5 $ penalty: 10 GPU-h for 20 $. Interval 0 (price 40): a loss of 6 $/GPU-h, worse
    # than the penalty: the last 2 GPU-h are missed, 10 $.
    doc = with_deadlines(
        [interval([(2, 10)], [(None, 40)]), interval([(2, 10)], [(None, 20)])],
        [(12.0, 0.0, 5.0)], {(0, 0): (0, 5.0), (1, 0): (0, 5.0)})
    oh, op = solve_both(doc)
    assert close(oh, -30.0) and close(op, -30.0), (oh, op)
    assert close(dual_oracle(doc), -30.0)
    # A penalty of 7 beats the 6 $/GPU-h loss: interval 0 makes up the 2 GPU-h for 12 $.
    doc["deadlines"][0]["penalty_usd_per_gpu_hour"] = 7.0
    oh, op = solve_both(doc)
    assert close(oh, -32.0) and close(op, -32.0), (oh, op)
    # The floor's work counts: with 4 GPU-h done anyway only 8 are needed, all from interval 1.
    doc["deadlines"][0]["floor_gpu_hours"] = 4.0
    oh, _ = solve_both(doc)
    assert close(oh, -16.0), oh
    # Without deadlines the same intervals run nothing.
    assert close(solve_both({"intervals": doc["intervals"]})[0], 0.0)


def test_deadline_counts_variables_and_rows():
    doc = with_deadlines(
        [interval([(2, 10), (1, 5)], [(None, 40)]), interval([(2, 10)], [(None, 20)])],
        [(12.0, 0.0, 5.0), (3.0, 1.0, 2.0)], {(0, 0): (0, 5.0), (0, 1): (1, 3.0), (1, 0): (0, 5.0)})
    r = lp_peer.solve(doc, "highs")
    assert r.optimal
    assert r.variables == 3 + 2 * 2 + 2 + 2  # segments, shed+short per interval, tiers, shortfalls
    assert r.constraints == 3 * 2 + 2


def random_deadline_doc(rng: random.Random, n_deadlines: int):
    doc = random_doc(rng, greedy_regime=False)
    ivs = doc["intervals"]
    members = {}
    for t, iv in enumerate(ivs):
        for j, s in enumerate(iv["segments"]):
            if rng.random() < 0.6:
                members[(t, j)] = (rng.randrange(n_deadlines), round(rng.uniform(0, 8), 2))
    capacity = [0.0] * n_deadlines
    for (t, j), (d, w) in members.items():
        capacity[d] += ivs[t]["hours"] * ivs[t]["segments"][j]["mw"] * w
    deadlines = [(round(capacity[d] * rng.uniform(0.3, 1.2) + rng.uniform(0, 3), 2), round(rng.uniform(0, 2), 2),
                  round(rng.uniform(0, 60), 1)) for d in range(n_deadlines)]
    return with_deadlines(ivs, deadlines, members)


def test_random_deadline_cases_against_the_dual_oracle():
    rng = random.Random(20261122)
    binding = 0
    for case in range(120):
        doc = random_deadline_doc(rng, 1)
        oh, op = solve_both(doc)
        assert close(oh, op), (case, oh, op, doc)
        dual = dual_oracle(doc)
        assert close(oh, dual, rel=1e-6), (case, oh, dual, doc)
        plain = exact_value({"intervals": doc["intervals"]})
        if oh < plain - 1e-6:  # the deadline costs something: it binds or is missed
            binding += 1
    assert binding >= 40, binding


def test_random_cases_with_several_deadlines_highs_equals_pulp():
    rng = random.Random(77)
    for case in range(60):
        doc = random_deadline_doc(rng, rng.randint(2, 3))
        oh, op = solve_both(doc)
        assert close(oh, op), (case, oh, op, doc)
        # Never better than the same intervals with no work required.
        assert oh <= exact_value({"intervals": doc["intervals"]}) + 1e-6 * max(1, abs(oh))


DEADLINE_BAD = [
    ("not_a_list", lambda d: d.update(deadlines={}), ["deadlines", "list"]),
    ("missing_required", lambda d: d["deadlines"][0].pop("required_gpu_hours"), ["deadline 0", "required_gpu_hours"]),
    ("negative_penalty", lambda d: d["deadlines"][0].update(penalty_usd_per_gpu_hour=-1), ["deadline 0", "penalty_usd_per_gpu_hour", ">= 0"]),
    ("nan_floor", lambda d: d["deadlines"][0].update(floor_gpu_hours=float("nan")), ["deadline 0", "floor_gpu_hours"]),
    ("index_out_of_range", lambda d: d["intervals"][1]["segments"][0].update(deadline=3), ["interval 1", "segments[0].deadline", "index"]),
    ("bool_index", lambda d: d["intervals"][1]["segments"][0].update(deadline=True), ["interval 1", "segments[0].deadline"]),
    ("missing_work", lambda d: d["intervals"][0]["segments"][0].pop("gpu_hours_per_mwh"), ["interval 0", "segments[0].gpu_hours_per_mwh"]),
    ("negative_work", lambda d: d["intervals"][0]["segments"][0].update(gpu_hours_per_mwh=-2.0), ["interval 0", "segments[0].gpu_hours_per_mwh", ">= 0"]),
]


@pytest.mark.parametrize("name,mutate,needles", DEADLINE_BAD, ids=[b[0] for b in DEADLINE_BAD])
def test_deadline_validation_messages(name, mutate, needles):
    doc = with_deadlines(
        [interval([(2, 10)], [(None, 40)]), interval([(2, 10)], [(None, 20)])],
        [(12.0, 0.0, 5.0)], {(0, 0): (0, 5.0), (1, 0): (0, 5.0)})
    mutate(doc)
    with pytest.raises(lp_peer.InputError) as ei:
        lp_peer.parse_instance(doc)
    for n in needles:
        assert n in str(ei.value), (n, str(ei.value))


def test_compact_export_with_deadlines_expands_to_the_same_lp():
    import lp_compact

    compact = {
        "format": "gridshell-hindsight-compact-1", "base_mw": 1.0, "floor_units_miner": 0.0, "floor_units_job": 0.0,
        "floor_penalty_usd_per_mwh": 1e6, "shed_penalty_usd_per_mwh": 1e7,
        "segments": {"mw": [2.0, 1.0], "units_per_mw": [1000.0, 10.0], "miner": [True, False]},
        "intervals": {"hours": [1.0, 1.0, 1.0], "miner_usd_per_th_hour": [0.05, 0.01, 0.03], "cap_mw": [10.0, 10.0, 10.0],
                      "floor_mw": [0.0, 0.0, 0.0], "tier_up_to_mw": [[None], [None], [None]],
                      "tier_usd_per_mwh": [[30.0], [45.0], [25.0]]},
        "deadlines": [{"required_gpu_hours": 9.0, "floor_gpu_hours": 1.0, "penalty_usd_per_gpu_hour": 6.0,
                       "due_intervals": 2, "segments": [1], "gpu_hours_per_mwh": [5.0]}],
    }
    inst = lp_compact.expand(compact)
    # The same LP written per interval: the job segment counts in intervals 0 and 1 only.
    per_th = compact["intervals"]["miner_usd_per_th_hour"]
    prices = [30.0, 45.0, 25.0]
    ivs = [interval([(2.0, 1000.0 * per_th[t]), (1.0, 10.0)], [(None, prices[t])], base=1.0, cap=10.0, fp=1e6, sp=1e7)
           for t in range(3)]
    doc = with_deadlines(ivs, [(9.0, 1.0, 6.0)], {(0, 1): (0, 5.0), (1, 1): (0, 5.0)})
    a, b = lp_peer.solve(inst, "highs"), lp_peer.solve(doc, "highs")
    assert a.optimal and b.optimal and close(a.objective, b.objective)
    assert a.variables == b.variables and a.constraints == b.constraints
    # Work 5 GPU-h per MWh at a 20 or 35 $/MWh loss (4 or 7 $/GPU-h) against a 6 $ penalty: the
    # cheaper interval runs, the rest is missed (8 needed, 5 done, 3 short).
    base_cost = sum(prices)
    miners = sum(2.0 * max(0.0, 1000.0 * per_th[t] - prices[t]) for t in range(3))
    assert close(a.objective, miners - base_cost - 20.0 - 3 * 6.0), a.objective
