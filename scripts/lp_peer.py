#!/usr/bin/env python3
"""Independent LP "peer" for Gridshell's hindsight dispatch optimiser.

Solves the same dispatch LP that the Swift hindsight optimiser solves, with an
independent code path (Python + HiGHS), so tests and benchmarks can compare the
optimal objective (expected equal within 1e-6 relative) and the speed.

Usage
-----
    python3 scripts/lp_peer.py INSTANCE.json --solver highs   # highspy, vectorised CSC build
    python3 scripts/lp_peer.py INSTANCE.json --solver pulp    # PuLP model, solved by HiGHS
    python3 scripts/lp_peer.py - --solver highs < INSTANCE.json
    python3 scripts/lp_peer.py --make-synthetic 35040 300 2 --seed 1 > big.json

Input (JSON)
------------
    {"intervals": [{"hours": 0.25, "constant_usd": 123.4, "base_mw": 12.0,
                    "cap_mw": 100.0, "floor_mw": 20.0,
                    "floor_penalty_usd_per_mwh": 5000.0,
                    "shed_penalty_usd_per_mwh": 100000.0,
                    "cost_tiers": [{"up_to_mw": 95.0, "usd_per_mwh": 30.0},
                                   {"up_to_mw": null, "usd_per_mwh": 45.0}],
                    "segments": [{"mw": 1.2, "usd_per_mwh": 80.0}]}]}

Deadlines (optional): a top-level list
    "deadlines": [{"required_gpu_hours": 400.0, "floor_gpu_hours": 12.0,
                   "penalty_usd_per_gpu_hour": 7.05}]
and, on the segments of a deadline job in the intervals before its deadline,
    {"mw": ..., "usd_per_mwh": ..., "deadline": 0, "gpu_hours_per_mwh": 590.1}
(other keys of a deadline, such as "name" or "due_intervals", are ignored).

Unknown keys are ignored. Validation (failure -> exit 2, message names the
interval index and the field, or the deadline index): every numeric field finite; hours, base_mw,
cap_mw, floor_mw, both penalties and every segment mw >= 0; at least one cost
tier; only the last tier has "up_to_mw": null (and it must); finite up_to_mw
strictly increasing and the first one >= 0; tier prices non-decreasing;
every deadline's three numbers finite, floor and penalty >= 0; a segment's
"deadline" an index into "deadlines" with a finite "gpu_hours_per_mwh" >= 0.

The LP (per interval t; intervals are independent, but the whole thing is
built and solved as ONE LP, as the Swift side sees it)
-----------------------------------------------------------------------------
    variables  x_s in [0, mw_s] (segments), shed in [0, base_mw], short >= 0,
               z_k in [0, width_k] (cost tiers; width_k = up_to_k - up_to_{k-1},
               first tier from 0, the null tier unbounded)
    balance    sum_k z_k = base_mw - shed + sum_s x_s
    cap        base_mw - shed + sum_s x_s <= cap_mw
    floor      sum_s x_s + short >= floor_mw
    maximise   sum_t constant_usd + hours * (sum_s usd_s x_s - sum_k usd_k z_k
                                 - floor_penalty * short - shed_penalty * shed)
               - sum_d penalty_d * missing_d
    deadline d (couples the intervals): missing_d >= 0 and
               sum over segments s of d (all intervals) of hours_t * gpu_hours_per_mwh_s * x_s
               + missing_d >= required_gpu_hours_d - floor_gpu_hours_d

Output: one JSON line on stdout
    {"objective", "status", "solver", "variables", "constraints",
     "seconds_build", "seconds_solve", "seconds_total", ...extra keys}
seconds_total = seconds_build + seconds_solve;
reading/parsing/validating the JSON is reported separately as seconds_parse.
In pulp mode seconds_solve is PuLP's solve() call, which includes PuLP copying
the model into HiGHS column by column; seconds_highs_run is HiGHS's own run
time where available.

HiGHS runs with its default options unless --highs-option KEY=VALUE is given (repeatable).
On the 35,040 x 300 synthetic instance, `--highs-option presolve=off` roughly halves the solve
time (presolve spends ~60 s and removes almost nothing on this structure).

Library use: parse_instance(doc) -> Instance; validate_instance(inst) for Instances built
directly (tier_up = +inf marks the null tier); solve(doc_or_instance, "highs"|"pulp") -> Result.

Exit codes: 0 optimal; 2 bad input/usage; 3 solver finished without an optimal
solution (the JSON line is still printed, with "objective": null); 4 the
requested solver is not available.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from dataclasses import dataclass

import numpy as np

try:  # orjson parses large instances several times faster; optional.
    import orjson as _orjson
except Exception:  # pragma: no cover - depends on the environment
    _orjson = None

EXIT_BAD_INPUT = 2
EXIT_NOT_OPTIMAL = 3
EXIT_NO_SOLVER = 4

SCALAR_FIELDS = (
    "hours",
    "constant_usd",
    "base_mw",
    "cap_mw",
    "floor_mw",
    "floor_penalty_usd_per_mwh",
    "shed_penalty_usd_per_mwh",
)
NON_NEGATIVE_FIELDS = (
    "hours",
    "base_mw",
    "cap_mw",
    "floor_mw",
    "floor_penalty_usd_per_mwh",
    "shed_penalty_usd_per_mwh",
)


class InputError(Exception):
    """Bad instance; the message names the interval index and the field."""


class SolverUnavailable(Exception):
    pass


@dataclass
class Instance:
    """Flat (ragged) arrays for all intervals."""

    hours: np.ndarray
    constant_usd: np.ndarray
    base_mw: np.ndarray
    cap_mw: np.ndarray
    floor_mw: np.ndarray
    floor_penalty: np.ndarray
    shed_penalty: np.ndarray
    seg_ptr: np.ndarray  # int64, len T+1
    seg_mw: np.ndarray
    seg_usd: np.ndarray
    tier_ptr: np.ndarray  # int64, len T+1
    tier_up: np.ndarray  # +inf for the null (unbounded) tier
    tier_usd: np.ndarray
    # deadlines (optional): per segment its deadline (-1: none) and GPU-hours per MWh; per deadline
    # the work required, the work done anyway by the job's floor, and the penalty per GPU-hour short
    seg_deadline: np.ndarray | None = None
    seg_work: np.ndarray | None = None
    dl_required: np.ndarray | None = None
    dl_floor: np.ndarray | None = None
    dl_penalty: np.ndarray | None = None

    @property
    def n_deadlines(self) -> int:
        return 0 if self.dl_required is None else int(np.shape(self.dl_required)[0])

    @property
    def n_intervals(self) -> int:
        return int(self.hours.shape[0])

    @property
    def seg_counts(self) -> np.ndarray:
        return np.diff(self.seg_ptr)

    @property
    def tier_counts(self) -> np.ndarray:
        return np.diff(self.tier_ptr)

    def tier_width(self) -> np.ndarray:
        """width_k = up_to_k - up_to_{k-1}; first tier of each interval from 0."""
        prev = np.empty_like(self.tier_up)
        prev[0:1] = 0.0
        prev[1:] = self.tier_up[:-1]
        prev[self.tier_ptr[:-1]] = 0.0
        return self.tier_up - prev  # inf - finite = inf for the null tier


# --------------------------------------------------------------------------
# Parsing and validation
# --------------------------------------------------------------------------


def _is_number(v) -> bool:
    return type(v) in (int, float)


def _all_numbers(values, allow_none=False) -> bool:
    allowed = {int, float, type(None)} if allow_none else {int, float}
    return set(map(type, values)) <= allowed


def _check_number(i, field, v, non_negative=False):
    if not _is_number(v):
        raise InputError(f"interval {i}: field '{field}' must be a number, got {v!r}")
    if not math.isfinite(v):
        raise InputError(f"interval {i}: field '{field}' must be finite, got {v!r}")
    if non_negative and v < 0:
        raise InputError(f"interval {i}: field '{field}' must be >= 0, got {v!r}")


def _validate_interval(i, iv):
    """Slow, thorough check of one interval; raises InputError on the first problem."""
    if not isinstance(iv, dict):
        raise InputError(f"interval {i}: must be a JSON object, got {type(iv).__name__}")
    for f in SCALAR_FIELDS:
        if f not in iv:
            raise InputError(f"interval {i}: missing field '{f}'")
        _check_number(i, f, iv[f], non_negative=f in NON_NEGATIVE_FIELDS)

    segs = iv.get("segments")
    if "segments" not in iv:
        raise InputError(f"interval {i}: missing field 'segments'")
    if not isinstance(segs, list):
        raise InputError(f"interval {i}: field 'segments' must be a list")
    for j, s in enumerate(segs):
        if not isinstance(s, dict):
            raise InputError(f"interval {i}: field 'segments[{j}]' must be an object")
        for f in ("mw", "usd_per_mwh"):
            if f not in s:
                raise InputError(f"interval {i}: missing field 'segments[{j}].{f}'")
            _check_number(i, f"segments[{j}].{f}", s[f], non_negative=(f == "mw"))

    tiers = iv.get("cost_tiers")
    if "cost_tiers" not in iv:
        raise InputError(f"interval {i}: missing field 'cost_tiers'")
    if not isinstance(tiers, list) or not tiers:
        raise InputError(f"interval {i}: field 'cost_tiers' must be a non-empty list")
    prev_up, prev_usd = None, None
    for k, tr in enumerate(tiers):
        if not isinstance(tr, dict):
            raise InputError(f"interval {i}: field 'cost_tiers[{k}]' must be an object")
        for f in ("up_to_mw", "usd_per_mwh"):
            if f not in tr:
                raise InputError(f"interval {i}: missing field 'cost_tiers[{k}].{f}'")
        usd = tr["usd_per_mwh"]
        _check_number(i, f"cost_tiers[{k}].usd_per_mwh", usd)
        up = tr["up_to_mw"]
        last = k == len(tiers) - 1
        if up is None:
            if not last:
                raise InputError(
                    f"interval {i}: field 'cost_tiers[{k}].up_to_mw' is null but only the "
                    f"last tier may be unbounded"
                )
        else:
            _check_number(i, f"cost_tiers[{k}].up_to_mw", up)
            if last:
                raise InputError(
                    f"interval {i}: field 'cost_tiers[{k}].up_to_mw' must be null: the last "
                    f"cost tier must be unbounded (otherwise the LP can be infeasible)"
                )
            if k == 0 and up < 0:
                raise InputError(
                    f"interval {i}: field 'cost_tiers[0].up_to_mw' must be >= 0, got {up!r}"
                )
            if prev_up is not None and not up > prev_up:
                raise InputError(
                    f"interval {i}: field 'cost_tiers[{k}].up_to_mw' must be greater than "
                    f"the previous tier's ({prev_up!r}), got {up!r}"
                )
            prev_up = up
        if prev_usd is not None and usd < prev_usd:
            raise InputError(
                f"interval {i}: field 'cost_tiers[{k}].usd_per_mwh' must be >= the previous "
                f"tier's ({prev_usd!r}), got {usd!r} (tier prices must be non-decreasing)"
            )
        prev_usd = usd


def _locate_error(intervals):
    for i, iv in enumerate(intervals):
        _validate_interval(i, iv)
    raise InputError("invalid instance (could not locate the offending field)")  # pragma: no cover


def _fast_parse(intervals) -> Instance | None:
    """Vectorised extraction + checks; returns None if anything looks wrong."""
    try:
        if set(map(type, intervals)) != {dict}:
            return None
        cols = {}
        for f in SCALAR_FIELDS:
            vals = [iv[f] for iv in intervals]
            if not _all_numbers(vals):
                return None
            cols[f] = np.asarray(vals, dtype=np.float64)

        seg_lists = [iv["segments"] for iv in intervals]
        tier_lists = [iv["cost_tiers"] for iv in intervals]
        if not set(map(type, seg_lists)) <= {list} or not set(map(type, tier_lists)) <= {list}:
            return None
        seg_counts = np.fromiter(map(len, seg_lists), dtype=np.int64, count=len(seg_lists))
        tier_counts = np.fromiter(map(len, tier_lists), dtype=np.int64, count=len(tier_lists))
        if (tier_counts < 1).any():
            return None
        segs = list(itertools.chain.from_iterable(seg_lists))
        tiers = list(itertools.chain.from_iterable(tier_lists))
        if segs and set(map(type, segs)) != {dict}:
            return None
        if set(map(type, tiers)) != {dict}:
            return None
        seg_mw_l = [s["mw"] for s in segs]
        seg_usd_l = [s["usd_per_mwh"] for s in segs]
        tier_up_l = [t["up_to_mw"] for t in tiers]
        tier_usd_l = [t["usd_per_mwh"] for t in tiers]
        if not (_all_numbers(seg_mw_l) and _all_numbers(seg_usd_l) and _all_numbers(tier_usd_l)):
            return None
        if not _all_numbers(tier_up_l, allow_none=True):
            return None
    except (KeyError, TypeError):
        return None

    seg_mw = np.asarray(seg_mw_l, dtype=np.float64).reshape(-1)
    seg_usd = np.asarray(seg_usd_l, dtype=np.float64).reshape(-1)
    tier_usd = np.asarray(tier_usd_l, dtype=np.float64)
    tier_up = np.asarray([math.inf if u is None else u for u in tier_up_l], dtype=np.float64)
    # +inf in tier_up means "null"; a numeric up_to_mw that is not finite (1e400, NaN, Infinity
    # literals) must not pass as null: let the slow path report it.
    n_null = sum(u is None for u in tier_up_l)
    if int(np.isinf(tier_up).sum()) != n_null or np.isnan(tier_up).any():
        return None
    del seg_mw_l, seg_usd_l, tier_up_l, tier_usd_l, segs, tiers

    seg_ptr = np.zeros(len(intervals) + 1, dtype=np.int64)
    np.cumsum(seg_counts, out=seg_ptr[1:])
    tier_ptr = np.zeros(len(intervals) + 1, dtype=np.int64)
    np.cumsum(tier_counts, out=tier_ptr[1:])

    return Instance(
        hours=cols["hours"],
        constant_usd=cols["constant_usd"],
        base_mw=cols["base_mw"],
        cap_mw=cols["cap_mw"],
        floor_mw=cols["floor_mw"],
        floor_penalty=cols["floor_penalty_usd_per_mwh"],
        shed_penalty=cols["shed_penalty_usd_per_mwh"],
        seg_ptr=seg_ptr,
        seg_mw=seg_mw,
        seg_usd=seg_usd,
        tier_ptr=tier_ptr,
        tier_up=tier_up,
        tier_usd=tier_usd,
    )


def parse_instance(doc) -> Instance:
    """Validate a decoded JSON document and turn it into flat arrays."""
    if not isinstance(doc, dict):
        raise InputError("top level must be a JSON object with an 'intervals' list")
    intervals = doc.get("intervals")
    if not isinstance(intervals, list):
        raise InputError("top level field 'intervals' must be a list")
    if not intervals:
        raise InputError("top level field 'intervals' must not be empty")
    inst = _fast_parse(intervals)
    if inst is None:
        _locate_error(intervals)  # raises with interval index + field
    _parse_deadlines(doc, intervals, inst)
    validate_instance(inst)
    return inst


def _parse_deadlines(doc, intervals, inst: Instance) -> None:
    """Reads the optional top-level "deadlines" and the segments' "deadline" and
    "gpu_hours_per_mwh" (read only when the document has deadlines) into `inst`."""
    deadlines = doc.get("deadlines", [])
    if deadlines is None:
        deadlines = []
    if not isinstance(deadlines, list):
        raise InputError("top level field 'deadlines' must be a list")
    if not deadlines:
        return
    rows = []
    for d, row in enumerate(deadlines):
        if not isinstance(row, dict):
            raise InputError(f"deadline {d}: must be a JSON object")
        values = []
        for f, non_negative, default in (("required_gpu_hours", False, None), ("floor_gpu_hours", True, 0.0),
                                         ("penalty_usd_per_gpu_hour", True, None)):
            v = row.get(f, default)
            if v is None:
                raise InputError(f"deadline {d}: missing field '{f}'")
            if not _is_number(v) or not math.isfinite(v) or (non_negative and v < 0):
                need = "a finite number >= 0" if non_negative else "a finite number"
                raise InputError(f"deadline {d}: field '{f}' must be {need}, got {v!r}")
            values.append(float(v))
        rows.append(values)
    seg_deadline = np.full(inst.seg_mw.shape[0], -1, dtype=np.int64)
    seg_work = np.zeros(inst.seg_mw.shape[0], dtype=np.float64)
    p = 0
    for i, iv in enumerate(intervals):
        for j, seg in enumerate(iv["segments"]):
            if "deadline" in seg:
                d = seg["deadline"]
                if type(d) is not int or not 0 <= d < len(rows):
                    raise InputError(
                        f"interval {i}: field 'segments[{j}].deadline' must be an index into 'deadlines' "
                        f"(0 to {len(rows) - 1}), got {d!r}")
                w = seg.get("gpu_hours_per_mwh")
                if w is None:
                    raise InputError(f"interval {i}: missing field 'segments[{j}].gpu_hours_per_mwh'")
                _check_number(i, f"segments[{j}].gpu_hours_per_mwh", w, non_negative=True)
                seg_deadline[p] = d
                seg_work[p] = w
            p += 1
    table = np.asarray(rows, dtype=np.float64)
    inst.seg_deadline = seg_deadline
    inst.seg_work = seg_work
    inst.dl_required = table[:, 0].copy()
    inst.dl_floor = table[:, 1].copy()
    inst.dl_penalty = table[:, 2].copy()


_ARRAY_FIELDS = (
    ("hours", "hours", True),
    ("constant_usd", "constant_usd", False),
    ("base_mw", "base_mw", True),
    ("cap_mw", "cap_mw", True),
    ("floor_mw", "floor_mw", True),
    ("floor_penalty", "floor_penalty_usd_per_mwh", True),
    ("shed_penalty", "shed_penalty_usd_per_mwh", True),
)


def validate_instance(inst: Instance) -> None:
    """Vectorised value checks on an Instance (also for callers that build one directly,
    e.g. scripts/lp_compact.py). Raises InputError naming the interval index and the field.
    In the arrays, tier_up = +inf stands for the null (unbounded) tier."""
    T = int(np.shape(inst.hours)[0]) if np.ndim(inst.hours) == 1 else -1
    if T < 1:
        raise InputError("instance must have at least one interval (1-D arrays)")
    for attr, _, _ in _ARRAY_FIELDS:
        if np.shape(getattr(inst, attr)) != (T,):
            raise InputError(f"array '{attr}' must have one entry per interval ({T})")
    for name, ptr, arrays in (
        ("seg_ptr", inst.seg_ptr, ("seg_mw", "seg_usd")),
        ("tier_ptr", inst.tier_ptr, ("tier_up", "tier_usd")),
    ):
        ptr = np.asarray(ptr)
        if ptr.shape != (T + 1,) or ptr[0] != 0 or (np.diff(ptr) < 0).any():
            raise InputError(f"array '{name}' must have {T + 1} non-decreasing entries starting at 0")
        for a in arrays:
            if np.shape(getattr(inst, a)) != (int(ptr[-1]),):
                raise InputError(f"array '{a}' must have {int(ptr[-1])} entries ({name}[-1])")

    def first(mask):
        idx = np.flatnonzero(mask)
        return int(idx[0]) if idx.size else None

    _validate_deadlines(inst, first)

    for attr, field, non_negative in _ARRAY_FIELDS:
        a = np.asarray(getattr(inst, attr), dtype=np.float64)
        i = first(~np.isfinite(a) | ((a < 0) if non_negative else False))
        if i is not None:
            need = "a finite number >= 0" if non_negative else "a finite number"
            raise InputError(f"interval {i}: field '{field}' must be {need}, got {a[i].item()!r}")

    def where(ptr, p):
        t = int(np.searchsorted(ptr, p, side="right") - 1)
        return t, p - int(ptr[t])

    seg_ptr = np.asarray(inst.seg_ptr)
    for arr, f, non_negative in ((inst.seg_mw, "mw", True), (inst.seg_usd, "usd_per_mwh", False)):
        p = first(~np.isfinite(arr) | ((arr < 0) if non_negative else False))
        if p is not None:
            t, j = where(seg_ptr, p)
            need = "a finite number >= 0" if non_negative else "a finite number"
            raise InputError(f"interval {t}: field 'segments[{j}].{f}' must be {need}, got {arr[p].item()!r}")

    tier_ptr = np.asarray(inst.tier_ptr)
    counts = np.diff(tier_ptr)
    t = first(counts < 1)
    if t is not None:
        raise InputError(f"interval {t}: field 'cost_tiers' must be a non-empty list")
    up, usd = np.asarray(inst.tier_up, dtype=np.float64), np.asarray(inst.tier_usd, dtype=np.float64)
    n = up.shape[0]
    is_last = np.zeros(n, dtype=bool)
    is_last[tier_ptr[1:] - 1] = True
    is_first = np.zeros(n, dtype=bool)
    is_first[tier_ptr[:-1]] = True
    checks = [
        (~np.isfinite(usd), "usd_per_mwh", lambda k, v: f"must be a finite number, got {v!r}", usd),
        (is_last & ~(up == np.inf), "up_to_mw",
         lambda k, v: f"must be null: the last cost tier must be unbounded (otherwise the LP can be infeasible), got {v!r}",
         up),
        (~is_last & ~np.isfinite(up), "up_to_mw",
         lambda k, v: "is null (or not finite) but only the last tier may be unbounded", up),
        (is_first & ~is_last & (up < 0), "up_to_mw", lambda k, v: f"must be >= 0, got {v!r}", up),
    ]
    same = np.zeros(n, dtype=bool)  # tier k and k-1 are in the same interval
    same[1:] = ~is_first[1:]
    prev_up = np.empty(n)
    prev_up[0:1] = 0.0
    prev_up[1:] = up[:-1]
    prev_usd = np.empty(n)
    prev_usd[0:1] = 0.0
    prev_usd[1:] = usd[:-1]
    checks.append((same & ~is_last & ~(up > prev_up), "up_to_mw",
                   lambda k, v: f"must be greater than the previous tier's, got {v!r}", up))
    checks.append((same & (usd < prev_usd), "usd_per_mwh",
                   lambda k, v: f"must be >= the previous tier's (tier prices must be non-decreasing), got {v!r}",
                   usd))
    bad = [(p, field, msg, arr) for mask, field, msg, arr in checks for p in [first(mask)] if p is not None]
    if bad:
        p, field, msg, arr = min(bad, key=lambda b: b[0])
        t, k = where(tier_ptr, p)
        v = arr[p].item()
        v = None if v == math.inf and field == "up_to_mw" else v
        raise InputError(f"interval {t}: field 'cost_tiers[{k}].{field}' {msg(k, v)}")


def _validate_deadlines(inst: Instance, first) -> None:
    D = inst.n_deadlines
    if D == 0:
        if inst.seg_deadline is not None and (np.asarray(inst.seg_deadline) >= 0).any():
            raise InputError("segments name deadlines but the instance has none")
        return
    for attr in ("dl_floor", "dl_penalty"):
        if np.shape(getattr(inst, attr)) != (D,):
            raise InputError(f"array '{attr}' must have one entry per deadline ({D})")
    NS = int(np.shape(inst.seg_mw)[0])
    for attr in ("seg_deadline", "seg_work"):
        if getattr(inst, attr) is None or np.shape(getattr(inst, attr)) != (NS,):
            raise InputError(f"array '{attr}' must have one entry per segment ({NS})")
    for attr, field, non_negative in (("dl_required", "required_gpu_hours", False),
                                      ("dl_floor", "floor_gpu_hours", True),
                                      ("dl_penalty", "penalty_usd_per_gpu_hour", True)):
        a = np.asarray(getattr(inst, attr), dtype=np.float64)
        d = first(~np.isfinite(a) | ((a < 0) if non_negative else False))
        if d is not None:
            need = "a finite number >= 0" if non_negative else "a finite number"
            raise InputError(f"deadline {d}: field '{field}' must be {need}, got {a[d].item()!r}")
    sd = np.asarray(inst.seg_deadline)
    sw = np.asarray(inst.seg_work, dtype=np.float64)
    bad = first((sd < -1) | (sd >= D) | ((sd >= 0) & (~np.isfinite(sw) | (sw < 0))))
    if bad is not None:
        t = int(np.searchsorted(np.asarray(inst.seg_ptr), bad, side="right") - 1)
        j = bad - int(inst.seg_ptr[t])
        raise InputError(f"interval {t}: segment {j} has deadline {int(sd[bad])} (of {D}) and "
                         f"gpu_hours_per_mwh {sw[bad].item()!r}: needs an index below {D} and a finite work >= 0")


def load_json_bytes(data: bytes):
    try:
        if _orjson is not None:
            try:
                return _orjson.loads(data)
            except _orjson.JSONDecodeError:
                # orjson rejects NaN/Infinity literals; let json report/handle them
                pass
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(f"input is not valid JSON: {e}") from None


# --------------------------------------------------------------------------
# HiGHS direct (vectorised) build
# --------------------------------------------------------------------------


@dataclass
class Result:
    objective: float | None
    status: str
    optimal: bool
    solver: str
    variables: int
    constraints: int
    seconds_build: float
    seconds_solve: float
    seconds_highs_run: float | None = None


def _highspy_version() -> str:
    try:
        from importlib.metadata import version

        return version("highspy")
    except Exception:  # pragma: no cover
        return "unknown"


def build_highs_arrays(inst: Instance):
    """Column-wise (CSC) arrays for the whole LP, built with numpy only.

    Column layout: x (all segments, interval-major) | shed (T) | short (T) | z (all tiers) | missing (D).
    Row layout:    balance (T) | cap (T) | floor (T) | deadline (D).
        balance_t:  sum z - sum x + shed  = base          (== sum z = base - shed + sum x)
        cap_t:      sum x - shed          <= cap - base
        floor_t:    sum x + short         >= floor
        deadline_d: sum hours*work*x + missing >= required - floor work
    """
    T = inst.n_intervals
    NS = int(inst.seg_mw.shape[0])
    NK = int(inst.tier_up.shape[0])
    D = inst.n_deadlines
    in_deadline = (np.asarray(inst.seg_deadline) >= 0) if D else np.zeros(NS, dtype=bool)
    n_dl_seg = int(in_deadline.sum())
    n_col = NS + 2 * T + NK + D
    n_row = 3 * T + D
    nnz = 3 * NS + n_dl_seg + 2 * T + T + NK + D
    if nnz >= 2**31 - 1 or n_col >= 2**31 - 1:
        raise InputError(f"instance too large for 32-bit HiGHS indices ({n_col} columns, {nnz} nonzeros)")

    t_idx = np.arange(T, dtype=np.int32)
    seg_t = np.repeat(t_idx, inst.seg_counts)
    tier_t = np.repeat(t_idx, inst.tier_counts)
    h = inst.hours

    col_cost = np.empty(n_col, dtype=np.float64)
    col_lower = np.zeros(n_col, dtype=np.float64)
    col_upper = np.empty(n_col, dtype=np.float64)
    o_shed, o_short, o_z, o_miss = NS, NS + T, NS + 2 * T, NS + 2 * T + NK
    np.multiply(h[seg_t], inst.seg_usd, out=col_cost[:NS])
    col_cost[o_shed:o_short] = -h * inst.shed_penalty
    col_cost[o_short:o_z] = -h * inst.floor_penalty
    col_cost[o_z:o_miss] = -h[tier_t] * inst.tier_usd
    col_upper[:NS] = inst.seg_mw
    col_upper[o_shed:o_short] = inst.base_mw
    col_upper[o_short:o_z] = np.inf
    col_upper[o_z:o_miss] = inst.tier_width()
    if D:
        col_cost[o_miss:] = -inst.dl_penalty
        col_upper[o_miss:] = np.inf

    row_lower = np.empty(n_row, dtype=np.float64)
    row_upper = np.empty(n_row, dtype=np.float64)
    row_lower[:T] = inst.base_mw
    row_upper[:T] = inst.base_mw
    row_lower[T : 2 * T] = -np.inf
    row_upper[T : 2 * T] = inst.cap_mw - inst.base_mw
    row_lower[2 * T : 3 * T] = inst.floor_mw
    row_upper[2 * T : 3 * T] = np.inf
    if D:
        row_lower[3 * T :] = inst.dl_required - inst.dl_floor
        row_upper[3 * T :] = np.inf

    nnz_per_col = np.empty(n_col, dtype=np.int32)
    nnz_per_col[:NS] = 3 + in_deadline
    nnz_per_col[o_shed:o_short] = 2
    nnz_per_col[o_short:] = 1
    a_start = np.empty(n_col, dtype=np.int32)
    a_start[0] = 0
    np.cumsum(nnz_per_col[:-1], out=a_start[1:])
    del nnz_per_col

    a_index = np.empty(nnz, dtype=np.int32)
    a_value = np.empty(nnz, dtype=np.float64)
    p = 0
    # x columns: (balance, -1), (cap, +1), (floor, +1), and (deadline, hours * work) for a deadline's
    if n_dl_seg == 0:
        xi = a_index[p : p + 3 * NS].reshape(NS, 3)
        xv = a_value[p : p + 3 * NS].reshape(NS, 3)
    else:
        xi = np.empty((NS, 4), dtype=np.int32)
        xv = np.empty((NS, 4), dtype=np.float64)
    xi[:, 0] = seg_t
    xi[:, 1] = seg_t + T
    xi[:, 2] = seg_t + 2 * T
    xv[:, 0] = -1.0
    xv[:, 1:3] = 1.0
    if n_dl_seg:
        xi[:, 3] = 3 * T + np.maximum(np.asarray(inst.seg_deadline), 0)
        xv[:, 3] = h[seg_t] * np.asarray(inst.seg_work, dtype=np.float64)
        keep = np.ones((NS, 4), dtype=bool)
        keep[:, 3] = in_deadline
        a_index[p : p + 3 * NS + n_dl_seg] = xi[keep]
        a_value[p : p + 3 * NS + n_dl_seg] = xv[keep]
        del keep
    del xi, xv
    p += 3 * NS + n_dl_seg
    # shed columns: (balance, +1), (cap, -1)
    si = a_index[p : p + 2 * T].reshape(T, 2)
    si[:, 0] = t_idx
    si[:, 1] = t_idx + T
    sv = a_value[p : p + 2 * T].reshape(T, 2)
    sv[:, 0] = 1.0
    sv[:, 1] = -1.0
    p += 2 * T
    # short columns: (floor, +1)
    a_index[p : p + T] = t_idx + 2 * T
    a_value[p : p + T] = 1.0
    p += T
    # tier columns: (balance, +1)
    a_index[p : p + NK] = tier_t
    a_value[p : p + NK] = 1.0
    p += NK
    # missing-work columns: (deadline, +1)
    a_index[p : p + D] = 3 * T + np.arange(D, dtype=np.int32)
    a_value[p : p + D] = 1.0
    p += D
    assert p == nnz

    offset = float(math.fsum(inst.constant_usd.tolist()))
    return dict(
        n_col=n_col,
        n_row=n_row,
        nnz=nnz,
        offset=offset,
        col_cost=col_cost,
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=row_lower,
        row_upper=row_upper,
        a_start=a_start,
        a_index=a_index,
        a_value=a_value,
    )


def _configure_highs(h, threads=None, log_file=None, time_limit=None, highs_options=None):
    if log_file:
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("log_file", log_file)
    else:
        h.setOptionValue("output_flag", False)
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    import highspy

    for k, v in (highs_options or {}).items():
        if h.setOptionValue(k, v) != highspy.HighsStatus.kOk:
            raise InputError(f"HiGHS rejected option {k}={v!r}")


def solve_highs(inst: Instance, threads=None, log_file=None, time_limit=None, highs_options=None) -> Result:
    import highspy

    t0 = time.perf_counter()
    a = build_highs_arrays(inst)
    h = highspy.Highs()
    _configure_highs(h, threads, log_file, time_limit, highs_options)
    st = h.passModel(
        a["n_col"],
        a["n_row"],
        a["nnz"],
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize),
        a["offset"],
        a["col_cost"],
        a["col_lower"],
        a["col_upper"],
        a["row_lower"],
        a["row_upper"],
        a["a_start"],
        a["a_index"],
        a["a_value"],
        # all continuous; must be a full-length array (an empty one is read as garbage)
        np.zeros(a["n_col"], dtype=np.int32),
    )
    if st != highspy.HighsStatus.kOk:
        raise RuntimeError(f"HiGHS passModel failed: {st}")
    n_col, n_row = a["n_col"], a["n_row"]
    del a
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    ms = h.getModelStatus()
    optimal = ms == highspy.HighsModelStatus.kOptimal
    obj = float(h.getInfo().objective_function_value) if optimal else None
    return Result(
        objective=obj,
        status=h.modelStatusToString(ms),
        optimal=optimal,
        solver=f"HiGHS {h.version()} via highspy {_highspy_version()} (direct CSC passModel)",
        variables=n_col,
        constraints=n_row,
        seconds_build=t1 - t0,
        seconds_solve=t2 - t1,
        seconds_highs_run=float(h.getRunTime()),
    )


# --------------------------------------------------------------------------
# PuLP build
# --------------------------------------------------------------------------


def _pulp_solver(backend: str, threads=None, time_limit=None, highs_options=None):
    """Returns (solver object, kind) where kind in {'HiGHS', 'HiGHS_CMD', 'CBC'}."""
    import pulp

    def highs_api():
        cls = getattr(pulp, "HiGHS", None)
        if cls is None:
            return None
        s = cls(msg=False, threads=threads, timeLimit=time_limit, **(highs_options or {}))
        return s if s.available() else None

    def highs_cmd():
        cls = getattr(pulp, "HiGHS_CMD", None)
        if cls is None:
            return None
        s = cls(msg=False, threads=threads, timeLimit=time_limit)
        return s if s.available() else None

    def cbc():
        import warnings

        for name in ("PULP_CBC_CMD", "COIN_CMD"):  # PULP_CBC_CMD is deprecated in PuLP 3.3
            cls = getattr(pulp, name, None)
            if cls is None:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                s = cls(msg=False, threads=threads, timeLimit=time_limit)
                if s.available():
                    return s
        return None

    order = {
        "auto": [("HiGHS", highs_api), ("HiGHS_CMD", highs_cmd), ("CBC", cbc)],
        "highs": [("HiGHS", highs_api)],
        "highs_cmd": [("HiGHS_CMD", highs_cmd)],
        "cbc": [("CBC", cbc)],
    }[backend]
    for kind, make in order:
        s = make()
        if s is not None:
            return s, kind
    raise SolverUnavailable(f"no PuLP solver available for backend '{backend}'")


def solve_pulp(inst: Instance, backend="auto", threads=None, time_limit=None, highs_options=None) -> Result:
    import pulp

    solver, kind = _pulp_solver(backend, threads, time_limit, highs_options)
    t0 = time.perf_counter()
    prob = pulp.LpProblem("gridshell_dispatch", pulp.LpMaximize)
    T = inst.n_intervals
    hours = inst.hours.tolist()
    base = inst.base_mw.tolist()
    cap = inst.cap_mw.tolist()
    floor = inst.floor_mw.tolist()
    fpen = inst.floor_penalty.tolist()
    spen = inst.shed_penalty.tolist()
    seg_ptr = inst.seg_ptr.tolist()
    seg_mw = inst.seg_mw.tolist()
    seg_usd = inst.seg_usd.tolist()
    tier_ptr = inst.tier_ptr.tolist()
    width = inst.tier_width().tolist()
    tier_usd = inst.tier_usd.tolist()
    # PuLP >= 3.3 deprecates constructing LpVariable directly in favour of prob.add_variable
    Var = prob.add_variable if hasattr(prob, "add_variable") else pulp.LpVariable
    Expr = pulp.LpAffineExpression
    Con = pulp.LpConstraint
    obj_terms = []
    D = inst.n_deadlines
    seg_dl = inst.seg_deadline.tolist() if D else None
    seg_work = inst.seg_work.tolist() if D else None
    dl_terms = [[] for _ in range(D)]
    for t in range(T):
        h = hours[t]
        xs = [Var(f"x_{t}_{j}", 0, seg_mw[s]) for j, s in enumerate(range(seg_ptr[t], seg_ptr[t + 1]))]
        if D:
            for j, x in enumerate(xs):
                d = seg_dl[seg_ptr[t] + j]
                if d >= 0:
                    dl_terms[d].append((x, h * seg_work[seg_ptr[t] + j]))
        zs = []
        for k, q in enumerate(range(tier_ptr[t], tier_ptr[t + 1])):
            w = width[q]
            zs.append(Var(f"z_{t}_{k}", 0, None if math.isinf(w) else w))
        shed = Var(f"shed_{t}", 0, base[t])
        short = Var(f"short_{t}", 0)
        for j, x in enumerate(xs):
            obj_terms.append((x, h * seg_usd[seg_ptr[t] + j]))
        for k, z in enumerate(zs):
            obj_terms.append((z, -h * tier_usd[tier_ptr[t] + k]))
        obj_terms.append((short, -h * fpen[t]))
        obj_terms.append((shed, -h * spen[t]))
        # sum z = base - shed + sum x   <=>  sum z + shed - sum x = base
        prob.addConstraint(
            Con(Expr([(z, 1.0) for z in zs] + [(shed, 1.0)] + [(x, -1.0) for x in xs]),
                sense=pulp.LpConstraintEQ, rhs=base[t]),
            f"balance_{t}",
        )
        # base - shed + sum x <= cap
        prob.addConstraint(
            Con(Expr([(x, 1.0) for x in xs] + [(shed, -1.0)]), sense=pulp.LpConstraintLE, rhs=cap[t] - base[t]),
            f"cap_{t}",
        )
        # sum x + short >= floor
        prob.addConstraint(
            Con(Expr([(x, 1.0) for x in xs] + [(short, 1.0)]), sense=pulp.LpConstraintGE, rhs=floor[t]),
            f"floor_{t}",
        )
    for d in range(D):
        # sum hours * work * x + missing >= required - floor work
        missing = Var(f"missing_{d}", 0)
        obj_terms.append((missing, -float(inst.dl_penalty[d])))
        prob.addConstraint(
            Con(Expr(dl_terms[d] + [(missing, 1.0)]), sense=pulp.LpConstraintGE,
                rhs=float(inst.dl_required[d] - inst.dl_floor[d])),
            f"deadline_{d}",
        )
    prob.setObjective(Expr(obj_terms, constant=math.fsum(inst.constant_usd.tolist())))
    # free the Python-side copies before HiGHS allocates its own model (matters at ~10M variables)
    del obj_terms, xs, zs, seg_mw, seg_usd, width, tier_usd
    t1 = time.perf_counter()
    prob.solve(solver)
    t2 = time.perf_counter()

    highs_run = None
    if kind == "HiGHS":
        import highspy

        ms = prob.solverModel.getModelStatus()
        optimal = ms == highspy.HighsModelStatus.kOptimal
        status = prob.solverModel.modelStatusToString(ms)
        highs_run = float(prob.solverModel.getRunTime())
        solver_name = f"PuLP {pulp.__version__} + HiGHS {prob.solverModel.version()} (highspy {_highspy_version()})"
    else:
        optimal = prob.status == pulp.LpStatusOptimal and prob.sol_status == pulp.LpSolutionOptimal
        status = pulp.LpStatus[prob.status]
        solver_name = f"PuLP {pulp.__version__} + {kind}"
    obj = float(pulp.value(prob.objective)) if optimal else None
    return Result(
        objective=obj,
        status=status,
        optimal=optimal,
        solver=solver_name,
        variables=len(prob.variables()),
        constraints=prob.numConstraints() if hasattr(prob, "numConstraints") else len(prob.constraints),
        seconds_build=t1 - t0,
        seconds_solve=t2 - t1,
        seconds_highs_run=highs_run,
    )


def solve(doc_or_inst, solver="highs", **kw) -> Result:
    """Library entry point used by the tests: doc (dict) or Instance -> Result."""
    if isinstance(doc_or_inst, Instance):
        inst = doc_or_inst
        validate_instance(inst)
    else:
        inst = parse_instance(doc_or_inst)
    if solver == "highs":
        return solve_highs(inst, **kw)
    if solver == "pulp":
        return solve_pulp(inst, **kw)
    raise ValueError(f"unknown solver {solver!r}")


# --------------------------------------------------------------------------
# Synthetic instances (benchmarks)
# --------------------------------------------------------------------------


def synthetic_document(n_intervals: int, n_segments: int, n_tiers: int, seed: int = 1) -> str:
    """A reproducible synthetic instance as JSON text (segments unsorted in value)."""
    if n_tiers < 1:
        raise ValueError("n_tiers must be >= 1")
    rng = np.random.default_rng(seed)
    T, S, K = n_intervals, n_segments, n_tiers
    hours = 0.25
    base = np.round(rng.uniform(5, 60, T), 3)
    cap = np.round(base * rng.uniform(0.9, 3.0, T), 3)  # ~5% of intervals have base > cap
    floor = np.round(rng.uniform(0, 0.3, T) * S * 0.5, 3)
    const = np.round(rng.normal(0, 100, T), 4)
    price = rng.uniform(15, 60, T) * np.where(rng.random(T) < 0.03, 20, 1)  # rare scarcity
    seg_mw = np.round(rng.uniform(0.0, 1.0, (T, S)), 4)
    seg_usd = np.round(rng.normal(1.0, 0.6, (T, S)) * price[:, None] * 1.3, 4)
    # tiers: widths ~ U(20, 80) MW, prices rising by 0-50%
    tier_up = np.round(np.cumsum(rng.uniform(20, 80, (T, max(K - 1, 0))), axis=1), 3)
    tier_usd = np.round(price[:, None] * np.cumprod(rng.uniform(1.0, 1.5, (T, K)), axis=1), 4)
    parts = []
    for t in range(T):
        segs = ",".join(
            f'{{"mw":{m!r},"usd_per_mwh":{u!r}}}' for m, u in zip(seg_mw[t].tolist(), seg_usd[t].tolist())
        )
        ups = tier_up[t].tolist() + [None]
        tiers = ",".join(
            f'{{"up_to_mw":{"null" if u is None else repr(u)},"usd_per_mwh":{c!r}}}'
            for u, c in zip(ups, tier_usd[t].tolist())
        )
        parts.append(
            f'{{"hours":{hours!r},"constant_usd":{const[t].item()!r},"base_mw":{base[t].item()!r},'
            f'"cap_mw":{cap[t].item()!r},"floor_mw":{floor[t].item()!r},'
            f'"floor_penalty_usd_per_mwh":5000.0,"shed_penalty_usd_per_mwh":100000.0,'
            f'"cost_tiers":[{tiers}],"segments":[{segs}]}}'
        )
    return '{"intervals":[\n' + ",\n".join(parts) + "\n]}\n"


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def _parse_highs_options(items):
    opts = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--highs-option expects KEY=VALUE, got {item!r}")
        val = raw
        for conv in (int, float):
            try:
                val = conv(raw)
                break
            except ValueError:
                pass
        if raw.lower() in ("true", "false"):
            val = raw.lower() == "true"
        opts[key] = val
    return opts


def _fail(msg, code):
    print(f"lp_peer: error: {msg}", file=sys.stderr)
    return code


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Independent LP peer for Gridshell's hindsight dispatch LP (whole horizon as one LP)."
    )
    ap.add_argument("input", nargs="?", help="instance JSON file, or '-' for stdin")
    ap.add_argument("--solver", choices=("highs", "pulp"), default="highs",
                    help="highs: vectorised highspy build (default); pulp: PuLP model solved by HiGHS")
    ap.add_argument("--pulp-backend", choices=("auto", "highs", "highs_cmd", "cbc"), default="auto",
                    help="solver PuLP uses (auto: HiGHS via highspy, else HiGHS_CMD, else CBC)")
    ap.add_argument("--threads", type=int, default=None, help="solver threads (default: solver's own)")
    ap.add_argument("--time-limit", type=float, default=None, help="solver time limit in seconds")
    ap.add_argument("--highs-log", metavar="FILE", default=None, help="write the HiGHS log to FILE (highs mode)")
    ap.add_argument("--highs-option", metavar="KEY=VALUE", action="append", default=[],
                    help="extra HiGHS option, repeatable (e.g. presolve=off, solver=ipm); highs mode and "
                         "pulp mode with the HiGHS backend")
    ap.add_argument("--make-synthetic", nargs=3, type=int, metavar=("INTERVALS", "SEGMENTS", "TIERS"),
                    help="write a synthetic instance JSON to stdout (or -o) and exit")
    ap.add_argument("--seed", type=int, default=1, help="seed for --make-synthetic")
    ap.add_argument("-o", "--output", default=None, help="output file for --make-synthetic")
    args = ap.parse_args(argv)

    if args.make_synthetic:
        t, s, k = args.make_synthetic
        if t < 1 or s < 0 or k < 1:
            return _fail("--make-synthetic needs INTERVALS >= 1, SEGMENTS >= 0, TIERS >= 1", EXIT_BAD_INPUT)
        text = synthetic_document(t, s, k, args.seed)
        if args.output:
            with open(args.output, "w") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
        return 0

    if args.input is None:
        ap.print_usage(sys.stderr)
        return _fail("an input file (or '-') is required", EXIT_BAD_INPUT)

    try:
        highs_options = _parse_highs_options(args.highs_option)
    except ValueError as e:
        return _fail(str(e), EXIT_BAD_INPUT)

    t0 = time.perf_counter()
    try:
        if args.input == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.input, "rb") as f:
                data = f.read()
    except OSError as e:
        return _fail(f"cannot read input: {e}", EXIT_BAD_INPUT)
    try:
        doc = load_json_bytes(data)
        del data
        inst = parse_instance(doc)
        del doc
    except InputError as e:
        return _fail(f"bad input: {e}", EXIT_BAD_INPUT)
    t_parse = time.perf_counter() - t0

    try:
        if args.solver == "highs":
            res = solve_highs(inst, threads=args.threads, log_file=args.highs_log, time_limit=args.time_limit,
                              highs_options=highs_options)
        else:
            res = solve_pulp(inst, backend=args.pulp_backend, threads=args.threads, time_limit=args.time_limit,
                             highs_options=highs_options)
    except SolverUnavailable as e:
        return _fail(str(e), EXIT_NO_SOLVER)
    except InputError as e:
        return _fail(f"bad input: {e}", EXIT_BAD_INPUT)

    out = {
        "objective": res.objective,
        "status": res.status,
        "solver": res.solver,
        "variables": res.variables,
        "constraints": res.constraints,
        "seconds_build": res.seconds_build,
        "seconds_solve": res.seconds_solve,
        "seconds_total": res.seconds_build + res.seconds_solve,
        "seconds_parse": t_parse,
        "seconds_highs_run": res.seconds_highs_run,
        "mode": args.solver,
        "intervals": inst.n_intervals,
        "segments": int(inst.seg_mw.shape[0]),
        "tiers": int(inst.tier_up.shape[0]),
        "deadlines": inst.n_deadlines,
    }
    print(json.dumps(out), flush=True)
    if not res.optimal:
        return _fail(f"solver finished with status '{res.status}', not optimal", EXIT_NOT_OPTIMAL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
