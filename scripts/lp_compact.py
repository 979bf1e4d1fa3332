#!/usr/bin/env python3
"""Solve a compact hindsight export (`gridshell backtest --export-lp FILE`) with the LP peer.

The compact form lists the segments once and one row per interval (and, per deadline, the job's
segment indices, their GPU-hours per MWh and the intervals before it); this script expands it into
lp_peer's flat arrays (a segment's value in interval t is units_per_mw x miner_usd_per_th_hour[t]
for miners, units_per_mw for jobs) and solves the whole run as one LP, with HiGHS through highspy
(--solver highs) or through PuLP (--solver pulp). Prints one JSON line like lp_peer.py, with the
seconds spent reading and expanding the file reported apart from building and solving.

    python3 scripts/lp_compact.py year.json --solver highs
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lp_peer  # noqa: E402


def expand(doc) -> "lp_peer.Instance":
    if doc.get("format") != "gridshell-hindsight-compact-1":
        raise lp_peer.InputError("not a compact hindsight export: 'format' must be gridshell-hindsight-compact-1")
    seg = doc["segments"]
    mw = np.asarray(seg["mw"], dtype=float)
    units = np.asarray(seg["units_per_mw"], dtype=float)
    miner = np.asarray(seg["miner"], dtype=bool)
    iv = doc["intervals"]
    hours = np.asarray(iv["hours"], dtype=float)
    per_th = np.asarray(iv["miner_usd_per_th_hour"], dtype=float)
    t_count, s_count = hours.shape[0], mw.shape[0]
    if not (len(per_th) == len(iv["cap_mw"]) == len(iv["floor_mw"]) == len(iv["tier_up_to_mw"]) == len(iv["tier_usd_per_mwh"]) == t_count):
        raise lp_peer.InputError("every per-interval list must have one entry per interval")
    # Segment values: miners scale with the TH price of the interval, jobs do not.
    seg_usd = np.where(miner[None, :], units[None, :] * per_th[:, None], units[None, :]).reshape(-1)
    seg_mw = np.broadcast_to(mw, (t_count, s_count)).reshape(-1).copy()
    tier_counts = np.fromiter((len(x) for x in iv["tier_up_to_mw"]), dtype=np.int64, count=t_count)
    tier_up = np.asarray([np.inf if u is None else u for row in iv["tier_up_to_mw"] for u in row], dtype=float)
    tier_usd = np.asarray([c for row in iv["tier_usd_per_mwh"] for c in row], dtype=float)
    constant = hours * (doc["floor_units_miner"] * per_th + doc["floor_units_job"])
    # Deadlines: a job's segments count toward its deadline in the intervals before it.
    deadlines = doc.get("deadlines") or []
    extra = {}
    if deadlines:
        seg_deadline = np.full((t_count, s_count), -1, dtype=np.int64)
        seg_work = np.zeros((t_count, s_count), dtype=float)
        for d, row in enumerate(deadlines):
            idx = np.asarray(row["segments"], dtype=np.int64)
            work = np.asarray(row["gpu_hours_per_mwh"], dtype=float)
            due = int(row["due_intervals"])
            if idx.shape != work.shape or (idx.size and (idx.min() < 0 or idx.max() >= s_count)) or not 0 <= due <= t_count:
                raise lp_peer.InputError(f"deadline {d}: segments, gpu_hours_per_mwh and due_intervals do not fit the export")
            seg_deadline[:due, idx] = d
            seg_work[:due, idx] = work
        extra = dict(
            seg_deadline=seg_deadline.reshape(-1),
            seg_work=seg_work.reshape(-1),
            dl_required=np.asarray([r["required_gpu_hours"] for r in deadlines], dtype=float),
            dl_floor=np.asarray([r["floor_gpu_hours"] for r in deadlines], dtype=float),
            dl_penalty=np.asarray([r["penalty_usd_per_gpu_hour"] for r in deadlines], dtype=float),
        )
    return lp_peer.Instance(
        hours=hours,
        constant_usd=constant,
        base_mw=np.full(t_count, float(doc["base_mw"])),
        cap_mw=np.asarray(iv["cap_mw"], dtype=float),
        floor_mw=np.asarray(iv["floor_mw"], dtype=float),
        floor_penalty=np.full(t_count, float(doc["floor_penalty_usd_per_mwh"])),
        shed_penalty=np.full(t_count, float(doc["shed_penalty_usd_per_mwh"])),
        seg_ptr=np.arange(0, (t_count + 1) * s_count, s_count, dtype=np.int64),
        seg_mw=seg_mw,
        seg_usd=seg_usd,
        tier_ptr=np.concatenate([[0], np.cumsum(tier_counts)]).astype(np.int64),
        tier_up=tier_up,
        tier_usd=tier_usd,
        **extra,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--solver", choices=["highs", "pulp"], default="highs")
    parser.add_argument("--highs-option", action="append", default=[], metavar="KEY=VALUE",
                        help="a HiGHS option, e.g. presolve=off (repeatable)")
    args = parser.parse_args()
    start = time.perf_counter()
    with open(args.file, "rb") as f:
        doc = json.load(f)
    inst = expand(doc)
    prepared = time.perf_counter() - start
    options = lp_peer._parse_highs_options(args.highs_option) or None
    result = lp_peer.solve(inst, solver=args.solver, highs_options=options)
    out = dict(result.__dict__) if hasattr(result, "__dict__") else dict(result)
    out["seconds_total"] = out["seconds_build"] + out["seconds_solve"]
    out["seconds_read_and_expand"] = prepared
    out["highs_options"] = options or {}
    out["intervals"] = int(inst.hours.shape[0])
    out["segments_per_interval"] = int(inst.seg_ptr[1] - inst.seg_ptr[0])
    print(json.dumps(out, default=float))
    return 0 if out.get("optimal") else 3


if __name__ == "__main__":
    sys.exit(main())
