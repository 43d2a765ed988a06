"""A bounded in-memory limit on failed authentications per client address.

Failed UI sign-ins and API requests with an invalid key count together, per address and per
key fingerprint (the callers count each under both names). After
``max_failures`` failures within ``window_seconds`` the address is refused (429 with
Retry-After) until its oldest counted failure leaves the window; a success does not clear
the count. At most ``max_clients`` addresses are remembered: past that, the ones whose last
failure is oldest are forgotten first. The state is per process (per replica).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from starlette.requests import HTTPConnection


class FailureLimiter:
    """Counts authentication failures per client in a sliding window."""

    def __init__(
        self,
        max_failures: int,
        window_seconds: float,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self.max_clients = max_clients
        self.clock = clock
        # Ordered by each client's latest failure, oldest first.
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.max_failures > 0

    def retry_after(self, client: str) -> int | None:
        """Whole seconds until ``client`` may try again, or None when it may now."""
        if not self.enabled:
            return None
        times = self._failures.get(client)
        if times is None:
            return None
        now = self.clock()
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            del self._failures[client]
            return None
        if len(times) < self.max_failures:
            return None
        return max(1, math.ceil(times[0] + self.window - now))

    def failed(self, client: str) -> None:
        """Count one failure of ``client``."""
        if not self.enabled:
            return
        now = self.clock()
        times = self._failures.get(client)
        if times is None:
            times = self._failures[client] = deque(maxlen=self.max_failures)
        times.append(now)
        self._failures.move_to_end(client)
        self._evict(now)

    def tracked(self) -> int:
        """How many addresses are remembered."""
        return len(self._failures)

    def _evict(self, now: float) -> None:
        while self._failures:
            oldest = next(iter(self._failures.values()))
            if now - oldest[-1] < self.window:
                break
            self._failures.popitem(last=False)
        while len(self._failures) > self.max_clients:
            self._failures.popitem(last=False)


def client_address(connection: HTTPConnection) -> str:
    """The caller's address as the server saw it (uvicorn takes it from X-Forwarded-For
    only when the connecting proxy is in SWITCHBOARD_TRUSTED_PROXIES)."""
    return connection.client.host if connection.client else "unknown"
