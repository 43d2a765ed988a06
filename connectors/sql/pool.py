"""SQLAlchemy async engines shared by the jobs of one event loop: one per distinct
:class:`Target` (at most ``max_targets``; the least recently used one is disposed to make
room), each with a bounded connection pool (``pool_size``, no overflow) that checks a
connection before handing it out, so a database restart costs no job.

Camunda's connector opens a new JDBC connection for every job; pooling saves the login round
trips and keeps the server's connection count flat.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import OrderedDict
from typing import Any

from sqlalchemy import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from connectors.sdk.perloop import PerLoop
from connectors.sql.config import SqlConfig
from connectors.sql.errors import SqlConnectionError
from connectors.sql.target import Target

APPLICATION_NAME = "switchboard-sql-connector"


class EnginePool:
    """The engines of one event loop."""

    def __init__(self, config: SqlConfig) -> None:
        self.config = config
        self._engines: OrderedDict[Target, AsyncEngine] = OrderedDict()
        self._disposing: set[asyncio.Task[None]] = set()
        self._closed = False

    def engine(self, target: Target) -> AsyncEngine:
        """The engine for ``target``, created on first use."""
        if self._closed:
            raise SqlConnectionError("the SQL connector is shutting down")
        engine = self._engines.get(target)
        if engine is not None:
            self._engines.move_to_end(target)
            return engine
        while len(self._engines) >= self.config.max_targets:
            _, oldest = self._engines.popitem(last=False)
            # Connections in use finish their statement; idle ones close now.
            task = asyncio.create_task(oldest.dispose())
            self._disposing.add(task)
            task.add_done_callback(self._disposing.discard)
        engine = _create_engine(target, self.config)
        self._engines[target] = engine
        return engine

    def targets(self) -> tuple[str, ...]:
        return tuple(t.display() for t in self._engines)

    async def aclose(self) -> None:
        """Dispose every engine; later jobs fail."""
        self._closed = True
        engines = list(self._engines.values())
        self._engines.clear()
        await asyncio.gather(*(e.dispose() for e in engines), return_exceptions=True)
        if self._disposing:
            await asyncio.gather(*self._disposing, return_exceptions=True)


def connect_timeout(target: Target, config: SqlConfig) -> float:
    """The connectTimeout property when set, else the operator's bound."""
    return target.connect_timeout or config.connect_timeout_seconds


def _create_engine(target: Target, config: SqlConfig) -> AsyncEngine:
    timeout = connect_timeout(target, config)
    connect_args: dict[str, Any]
    if target.dialect == "postgresql":
        driver = "postgresql+asyncpg"
        settings = {"application_name": target.application_name or APPLICATION_NAME}
        if target.schema:
            settings["search_path"] = target.schema
        connect_args = {"timeout": timeout, "server_settings": settings}
        if target.ssl_mode is not None:
            connect_args["ssl"] = target.ssl_mode
    else:
        driver = "mysql+aiomysql"
        connect_args = {"connect_timeout": timeout, "charset": "utf8mb4"}
        context = _mysql_ssl(target.ssl_mode)
        if context is not None:
            connect_args["ssl"] = context
    url = URL.create(
        driver,
        username=target.user,
        password=target.password,
        host=target.host,
        port=target.port,
        database=target.database,
    )
    return create_async_engine(
        url,
        pool_size=config.pool_size,
        max_overflow=0,
        pool_timeout=timeout,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args=connect_args,
    )


def _mysql_ssl(mode: str | None) -> ssl.SSLContext | None:
    if mode is None or mode == "disable":
        return None
    context = ssl.create_default_context()
    if mode in ("trust", "verify-ca"):
        context.check_hostname = False
    if mode == "trust":
        context.verify_mode = ssl.CERT_NONE
    return context


_pools: PerLoop[EnginePool] = PerLoop(lambda: EnginePool(SqlConfig.from_env()))


def pool() -> EnginePool:
    """This event loop's engines, created (from the environment) on first use."""
    return _pools.get()


async def aclose() -> None:
    """Dispose this loop's engines (idempotent). The runtime calls it on shutdown."""
    await _pools.aclose()
