"""Runs feelin (npm, under tests/node) in one node process for a batch of cases."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.feel.format import describe
from app.feel.values import FeelFunction, Range, UnaryTestValue, YearMonthDuration

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
RUNNER = NODE_DIR / "feelin_runner.mjs"


def missing_reason() -> str | None:
    """Why feelin cannot run, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed; it is required for the feelin differential tests"
    if not (NODE_DIR / "node_modules" / "feelin").is_dir():
        return (
            "tests/node/node_modules is missing: run `make test` (it runs "
            "`npm install --prefix tests/node --no-audit --no-fund` first)"
        )
    return None


def run(payload: dict[str, Any], timeout: float = 120.0) -> Any:
    proc = subprocess.run(
        ["node", str(RUNNER)],
        input=json.dumps(payload).encode(),
        capture_output=True,
        timeout=timeout,
        check=False,
        cwd=NODE_DIR,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"feelin runner failed: {proc.stderr.decode()[-2000:]}")
    return json.loads(proc.stdout)


def normalize(v: Any) -> Any:
    """Our FEEL value in the runner's serialized shape."""
    t = type(v)
    if v is None or t is bool or t is str:
        return v
    if t is int or t is Decimal or t is float:
        f = float(v)
        return {"n": f} if math.isfinite(f) else None
    if t is list:
        return [normalize(x) for x in v]
    if t is dict:
        return {k: normalize(x) for k, x in v.items()}
    if t in (dt.date, dt.datetime, dt.time, dt.timedelta, YearMonthDuration):
        return {"t": describe(v)}
    if t is Range:
        return {"range": [v.start_included, normalize(v.start), normalize(v.end), v.end_included]}
    if t is UnaryTestValue:
        bounds = {
            "<": [False, None, normalize(v.operand), False],
            "<=": [False, None, normalize(v.operand), True],
            ">": [False, normalize(v.operand), None, False],
            ">=": [True, normalize(v.operand), None, False],
        }
        return {"range": bounds.get(v.op, [])}
    if t is FeelFunction:
        return {"fn": True}
    return repr(v)


def same(a: Any, b: Any) -> bool:
    if type(a) is dict and type(b) is dict:
        if set(a) == {"n"} and set(b) == {"n"}:
            return math.isclose(a["n"], b["n"], rel_tol=1e-9, abs_tol=1e-12)
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if type(a) is list and type(b) is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b
