"""FEEL benchmark: evaluations per second, ours (compiled, cached) vs feelin in node.

Run: .venv/bin/python bench/feel.py   (needs `npm install --prefix tests/node` for feelin)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# `python bench/<x>.py` puts bench/ first on sys.path, where bench/http.py would shadow the
# standard library's http package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from app.feel import compile  # noqa: E402

NODE_DIR = ROOT / "tests" / "node"
RUNNER = NODE_DIR / "feelin_runner.mjs"

CONTEXT: dict[str, Any] = {
    "response": {
        "status": 404,
        "headers": {"content-type": "application/json", "x-request-id": "abc-123"},
        "body": {
            "id": "ord-42",
            "name": "Order 42",
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "vip": True},
            "items": [
                {"id": f"i{i}", "name": f"Item {i}", "price": 2.5 * i, "qty": i % 3 + 1}
                for i in range(1, 11)
            ],
        },
    },
    "error": {"code": "404", "message": "Order not found", "type": "http", "variables": {}},
    "job": {"retries": 3},
}

EXPRESSIONS = [
    '= {"statusCode": response.status, "body": response.body}',
    '= {"orderId": response.body.id, "customer": response.body.customer.name}',
    '= if error.code = "404" then bpmnError("NOT_FOUND", error.message) else null',
    '= if response.status >= 500 then jobError("Server error", {}, job.retries - 1, @"PT30S") '
    "else null",
    '= {"expensive": response.body.items[price > 10].id}',
    '= {"total": sum(for i in response.body.items return i.price * i.qty)}',
    "= response.body.items[1].name",
    '= if starts with(error.message, "Order") then bpmnError("ORDER_" + error.code, '
    'error.message, {"orderId": response.body.id}) else jobError(error.message)',
]

TARGET_SECONDS = 0.4


def ours(expr: str) -> tuple[int, float]:
    compiled = compile(expr)
    compiled.evaluate(CONTEXT)
    n, start = 0, time.perf_counter()
    batch = 200
    while True:
        for _ in range(batch):
            compile(expr).evaluate(CONTEXT)  # the runtime looks the expression up every job
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= TARGET_SECONDS:
            return n, elapsed


def feelin(iterations: dict[str, int]) -> dict[str, tuple[int, float]]:
    cases = [{"expr": e.lstrip("= "), "context": CONTEXT} for e in EXPRESSIONS]
    results: dict[str, tuple[int, float]] = {}
    for expr, case in zip(EXPRESSIONS, cases, strict=True):
        payload = {"mode": "bench", "iterations": iterations[expr], "cases": [case]}
        proc = subprocess.run(
            ["node", str(RUNNER)],
            input=json.dumps(payload).encode(),
            capture_output=True,
            timeout=120,
            check=True,
            cwd=NODE_DIR,
        )
        row = json.loads(proc.stdout)[0]
        results[expr] = (row["iterations"], row["seconds"])
    return results


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        description="FEEL evaluations per second: Switchboard's compiled expressions against "
        "feelin (node), side by side, with one ratio per expression and overall."
    ).parse_args(argv)
    if not (NODE_DIR / "node_modules" / "feelin").is_dir():
        print("feelin is missing: run `npm install --prefix tests/node --no-audit --no-fund`")
        return 2
    mine = {e: ours(e) for e in EXPRESSIONS}
    # Give feelin roughly the same wall time: scale its iteration count from a short probe.
    probe = feelin(dict.fromkeys(EXPRESSIONS, 300))
    budget = {e: max(300, int(300 * TARGET_SECONDS / max(probe[e][1], 1e-6))) for e in EXPRESSIONS}
    theirs = feelin(budget)
    print(f"{'expression':70s} {'ours/s':>10s} {'feelin/s':>10s} {'ratio':>7s}")
    total_ours = total_theirs = 0.0
    for e in EXPRESSIONS:
        o = mine[e][0] / mine[e][1]
        t = theirs[e][0] / theirs[e][1]
        total_ours += mine[e][1] / mine[e][0]
        total_theirs += theirs[e][1] / theirs[e][0]
        label = e if len(e) <= 70 else e[:67] + "..."
        print(f"{label:70s} {o:10.0f} {t:10.0f} {o / t:6.1f}x")
    n = len(EXPRESSIONS)
    mean_ours = n / total_ours
    mean_theirs = n / total_theirs
    print(
        f"{'overall (all expressions, harmonic mean)':70s} {mean_ours:10.0f} "
        f"{mean_theirs:10.0f} {mean_ours / mean_theirs:6.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
