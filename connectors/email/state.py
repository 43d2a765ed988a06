"""Everything the e-mail connector shares on one event loop: the configuration, the TLS
context, the connection pools and the bounded thread pool the blocking IMAP and POP3 clients
run in. :func:`aclose` (the connector's ``shutdown`` hook) closes it all."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from connectors.email.config import EmailConfig
from connectors.email.pool import Pool
from connectors.sdk.perloop import PerLoop

T = TypeVar("T")


@dataclass
class EmailState:
    config: EmailConfig
    context: ssl.SSLContext
    executor: concurrent.futures.ThreadPoolExecutor
    pools: dict[str, Pool[Any]] = field(default_factory=dict)

    async def in_thread(self, function: Callable[..., T], *args: Any) -> T:
        """Run a blocking call in the e-mail thread pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(function, *args))

    def pool(self, name: str, factory: Callable[[], Pool[Any]]) -> Pool[Any]:
        found = self.pools.get(name)
        if found is None:
            found = self.pools[name] = factory()
        return found

    async def aclose(self) -> None:
        for pool in list(self.pools.values()):
            await pool.aclose()
        self.pools.clear()
        self.executor.shutdown(wait=False, cancel_futures=True)


def _new_state() -> EmailState:
    config = EmailConfig.from_env()
    return EmailState(
        config=config,
        context=config.ssl_context(),
        executor=concurrent.futures.ThreadPoolExecutor(
            max_workers=config.threads, thread_name_prefix="switchboard-email"
        ),
    )


_states: PerLoop[EmailState] = PerLoop(_new_state)


def state() -> EmailState:
    """This loop's state, created from the environment on first use."""
    return _states.get()


async def aclose() -> None:
    """Close this loop's e-mail connections and threads (idempotent)."""
    await _states.aclose()
