"""Every benchmark script starts and explains itself: a script that no longer imports (an API
it used changed under it) fails here, not on the day someone runs the benchmarks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = sorted(
    path.name for path in BENCH.glob("*.py") if "__main__" in path.read_text(encoding="utf-8")
)  # the others are sections of a script (rest_transport.py belongs to throughput.py)


def test_there_are_benchmarks() -> None:
    assert {"feel.py", "http.py", "throughput.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_script_answers_help(script: str) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=BENCH.parent,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout
