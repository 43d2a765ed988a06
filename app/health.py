"""Health checks: each component reports {"status": "up"|"down"|"disabled", ...}."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

HealthCheck = Callable[[], Awaitable[dict[str, Any]]]


class HealthRegistry:
    """Named checks; readiness is up when no check reports "down"."""

    def __init__(self, timeout: float = 1.0) -> None:
        self._checks: dict[str, HealthCheck] = {}
        self._timeout = timeout

    def add(self, name: str, check: HealthCheck) -> None:
        self._checks[name] = check

    async def report(self) -> tuple[bool, dict[str, Any]]:
        names = list(self._checks)
        results = await asyncio.gather(*(self._run(self._checks[n]) for n in names))
        components = dict(zip(names, results, strict=True))
        ready = all(c.get("status") != "down" for c in components.values())
        return ready, {"status": "up" if ready else "down", "components": components}

    async def _run(self, check: HealthCheck) -> dict[str, Any]:
        try:
            return await asyncio.wait_for(check(), self._timeout)
        except TimeoutError:
            return {"status": "down", "error": "health check timed out"}
        except Exception as exc:
            return {"status": "down", "error": type(exc).__name__}
