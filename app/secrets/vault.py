"""The Vault / OpenBao provider: KV version 2 through hvac, in a bounded thread pool."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import re
import threading
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import hvac
import hvac.exceptions
import requests

from app.secrets import vault_paths
from app.secrets.context import DEFAULT_TENANT, SecretContext
from app.secrets.errors import (
    InvalidSecretNameError,
    SecretNotFoundError,
    SecretProviderError,
)
from app.secrets.provider import SecretInfo
from app.secrets.vault_auth import VaultAuth, VaultAuthError, _describe

log = logging.getLogger(__name__)

T = TypeVar("T")

_MAX_LIST_DEPTH = 16
_MAX_LISTED_SECRETS = 5_000
_CAS_ATTEMPTS = 10
_RETRY_FIRST_DELAY = 1.0
_RETRY_MAX_DELAY = 30.0
_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


@dataclass(frozen=True)
class _Secret:
    data: dict[str, Any]
    version: int | None
    created: dt.datetime | None


class _OperationError(Exception):
    """Carries a reason out of a worker thread (never a value)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class VaultProvider:
    """Reads and writes secrets in a KV v2 engine; see :mod:`app.secrets.vault_paths`."""

    name = "vault"
    writable = True

    def __init__(
        self,
        address: str,
        auth: VaultAuth,
        *,
        mount: str = "secret",
        path_prefix: str = "switchboard",
        tenant_aware: bool = False,
        timeout: float = 5.0,
        verify: bool | str = True,
        namespace: str | None = None,
        pool_size: int = 4,
    ) -> None:
        self.address = address
        self.auth = auth
        self.mount = mount
        self.path_prefix = path_prefix
        self.tenant_aware = tenant_aware
        self.timeout = timeout
        self._verify = verify
        self._namespace = namespace
        self._pool_size = pool_size
        self._pool: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._clients: list[hvac.Client] = []
        self._clients_lock = threading.Lock()
        self._stop = asyncio.Event()
        self._renewer: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the pool, log in (a failure is logged, not raised) and start token renewal."""
        self._ensure_pool()
        self._stop = asyncio.Event()
        try:
            await self._run(self.auth.refresh_if_due, op="log in")
        except SecretProviderError as exc:
            log.warning("Vault is not ready yet: %s", exc.reason)
        self._renewer = asyncio.create_task(self._renew_loop(), name="vault-token-renewal")

    async def close(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        with self._clients_lock:
            for client in self._clients:
                with contextlib.suppress(Exception):
                    client.adapter.close()
            self._clients.clear()

    async def _renew_loop(self) -> None:
        delay = _RETRY_FIRST_DELAY
        while not self._stop.is_set():
            due = self.auth.refresh_due_in()
            wait = 300.0 if due is None else due
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=wait)
                return
            try:
                await self._run(self.auth.refresh_if_due, op="renew the token")
                delay = _RETRY_FIRST_DELAY
            except SecretProviderError as exc:
                log.warning("Vault token refresh failed: %s", exc.reason)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=delay)
                    return
                delay = min(delay * 2, _RETRY_MAX_DELAY)

    async def health(self) -> dict[str, Any]:
        info: dict[str, Any] = {"address": self.address, "mount": self.mount}
        info.update(self.auth.status())
        try:
            status = await self._run(self._sys_health, op="check health", authenticated=False)
        except SecretProviderError as exc:
            return {"status": "down", **info, "error": exc.reason}
        info.update(status)
        if status.get("sealed") or not status.get("initialized", True):
            return {"status": "down", **info, "error": "Vault is sealed or not initialized"}
        if self.auth.state is None:
            return {"status": "down", **info, "error": self.auth.last_error or "not logged in"}
        return {"status": "up", **info}

    # -- reads ---------------------------------------------------------------------------------

    async def get_many(self, names: Collection[str], context: SecretContext) -> dict[str, str]:
        tenant = context.tenant_id if self.tenant_aware else None
        wanted: dict[str, list[tuple[str, str]]] = {}
        for name in names:
            where = vault_paths.location(name, self.path_prefix, tenant)
            if where is not None:
                wanted.setdefault(where[0], []).append((name, where[1]))
        paths = sorted(wanted)
        secrets = await asyncio.gather(
            *(self._run(self._read, path, op=f"read '{self._show(path)}'") for path in paths)
        )
        found: dict[str, str] = {}
        for path, secret in zip(paths, secrets, strict=True):
            if secret is None:
                continue
            for name, key in wanted[path]:
                if key in secret.data and secret.data[key] is not None:
                    found[name] = _as_text(secret.data[key])
        return found

    async def list_secrets(self, tenant_id: str | None = None) -> list[SecretInfo]:
        tenant = self._tenant(tenant_id)
        base = vault_paths.base_path(self.path_prefix, tenant)
        if base is None:
            raise InvalidSecretNameError(str(tenant_id), "not a valid tenant id")
        leaves = await self._run(self._walk, base, op=f"list '{self._show(base)}'")
        infos: list[SecretInfo] = []
        for chunk_start in range(0, len(leaves), 32):
            chunk = leaves[chunk_start : chunk_start + 32]
            secrets = await asyncio.gather(
                *(self._run(self._read, self._join(base, rel), op=f"read '{rel}'") for rel in chunk)
            )
            for rel, secret in zip(chunk, secrets, strict=True):
                if secret is None:
                    continue
                for key in sorted(secret.data):
                    infos.append(
                        SecretInfo(
                            name=vault_paths.name_of(rel, key),
                            provider=self.name,
                            version=secret.version,
                            updated_at=secret.created,
                            tenant_id=tenant,
                        )
                    )
        return sorted(infos, key=lambda i: i.name)

    # -- writes --------------------------------------------------------------------------------

    async def set_secret(self, name: str, value: str, tenant_id: str | None = None) -> SecretInfo:
        tenant = self._tenant(tenant_id)
        path, key = self._location(name, tenant)
        version, created = await self._run(
            self._merge, path, key, value, op=f"write '{self._show(path)}'"
        )
        return SecretInfo(name, self.name, version, created, tenant)

    async def delete_secret(self, name: str, tenant_id: str | None = None) -> None:
        tenant = self._tenant(tenant_id)
        path, key = self._location(name, tenant)
        removed = await self._run(self._remove, path, key, op=f"delete '{self._show(path)}'")
        if not removed:
            raise SecretNotFoundError(name)

    # -- helpers -------------------------------------------------------------------------------

    def _tenant(self, tenant_id: str | None) -> str | None:
        if not self.tenant_aware:
            return None
        return tenant_id or DEFAULT_TENANT

    def _location(self, name: str, tenant: str | None) -> tuple[str, str]:
        where = vault_paths.location(name, self.path_prefix, tenant)
        if where is None:
            raise InvalidSecretNameError(name, "no Vault path can hold it")
        return where

    @staticmethod
    def _join(base: str, relative: str) -> str:
        return f"{base}/{relative}" if base else relative

    def _show(self, path: str) -> str:
        return f"{self.mount}/{path}"

    def _ensure_pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._pool_size, thread_name_prefix="vault")
        return self._pool

    def _client(self) -> hvac.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = hvac.Client(
                url=self.address,
                token="",
                timeout=self.timeout,
                verify=self._verify,
                namespace=self._namespace,
            )
            self._local.client = client
            with self._clients_lock:
                self._clients.append(client)
        return client

    async def _run(
        self,
        fn: Callable[..., T],
        *args: Any,
        op: str,
        authenticated: bool = True,
    ) -> T:
        """Run ``fn(client, *args)`` in the pool; map every failure to SecretProviderError."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._ensure_pool(), self._call, fn, args, authenticated
            )
        except (SecretNotFoundError, InvalidSecretNameError):
            raise
        except _OperationError as exc:
            raise SecretProviderError(self.name, f"{op}: {exc.reason}") from None
        except VaultAuthError as exc:
            raise SecretProviderError(self.name, str(exc)) from None
        except hvac.exceptions.Forbidden:
            raise SecretProviderError(
                self.name, f"permission denied to {op} (check the token's policies)"
            ) from None
        except hvac.exceptions.VaultDown:
            raise SecretProviderError(
                self.name, f"cannot {op}: Vault is sealed or unavailable"
            ) from None
        except hvac.exceptions.VaultError as exc:
            raise SecretProviderError(self.name, f"cannot {op}: {_describe(exc)}") from None
        except requests.exceptions.Timeout:
            raise SecretProviderError(
                self.name, f"cannot {op}: no answer from {self.address} within {self.timeout:g}s"
            ) from None
        except requests.exceptions.ConnectionError:
            raise SecretProviderError(
                self.name, f"cannot {op}: cannot connect to {self.address}"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise SecretProviderError(self.name, f"cannot {op}: {type(exc).__name__}") from None
        except RuntimeError as exc:
            # the pool was shut down while the call was queued
            raise SecretProviderError(self.name, f"cannot {op}: {exc}") from None
        except Exception as exc:
            # e.g. an answer of unexpected shape: still a provider failure, never a crash.
            # Only the type: the message of such an error could quote data read from Vault.
            raise SecretProviderError(
                self.name, f"cannot {op}: unexpected {type(exc).__name__}"
            ) from None

    def _call(self, fn: Callable[..., T], args: tuple[Any, ...], authenticated: bool) -> T:
        client = self._client()
        if not authenticated:
            return fn(client, *args)
        token = self.auth.token(client)
        client.token = token
        try:
            return fn(client, *args)
        except (hvac.exceptions.Forbidden, hvac.exceptions.Unauthorized):
            # An expired or revoked token also answers 403: log in again once and retry.
            if not self.auth.invalidate(token):
                raise
            client.token = self.auth.token(client)
            return fn(client, *args)

    # -- blocking operations (worker threads) --------------------------------------------------

    def _sys_health(self, client: hvac.Client) -> dict[str, Any]:
        response = client.sys.read_health_status(method="GET", standby_ok=True)
        data = response if isinstance(response, dict) else _json_of(response)
        return {
            "initialized": bool(data.get("initialized", False)),
            "sealed": bool(data.get("sealed", True)),
            "version": data.get("version"),
        }

    def _read(self, client: hvac.Client, path: str) -> _Secret | None:
        try:
            response = client.secrets.kv.v2.read_secret_version(
                path=path, mount_point=self.mount, raise_on_deleted_version=True
            )
        except hvac.exceptions.InvalidPath:
            return None  # never written, or its latest version is deleted
        body = response.get("data") or {}
        metadata = body.get("metadata") or {}
        data = body.get("data")
        return _Secret(
            data=dict(data) if isinstance(data, dict) else {},
            version=metadata.get("version"),
            created=_parse_time(metadata.get("created_time")),
        )

    def _read_for_update(self, client: hvac.Client, path: str) -> tuple[dict[str, Any], int]:
        """Current data and version from one response (a deleted latest version: no data)."""
        try:
            response = client.secrets.kv.v2.read_secret_version(
                path=path, mount_point=self.mount, raise_on_deleted_version=False
            )
        except hvac.exceptions.InvalidPath:
            return {}, 0  # never written: check-and-set 0 means "only if it does not exist"
        body = response.get("data") or {}
        data = body.get("data")
        version = (body.get("metadata") or {}).get("version") or 0
        return (dict(data) if isinstance(data, dict) else {}), int(version)

    def _merge(
        self, client: hvac.Client, path: str, key: str, value: str
    ) -> tuple[int | None, dt.datetime | None]:
        for _ in range(_CAS_ATTEMPTS):
            data, version = self._read_for_update(client, path)
            data[key] = value
            try:
                response = client.secrets.kv.v2.create_or_update_secret(
                    path=path, secret=data, cas=version, mount_point=self.mount
                )
            except hvac.exceptions.InvalidRequest as exc:
                if "check-and-set" in _describe(exc):
                    continue  # written concurrently: read again
                raise
            written = response.get("data") or {}
            return written.get("version"), _parse_time(written.get("created_time"))
        raise _OperationError("the secret kept changing while being written; try again")

    def _remove(self, client: hvac.Client, path: str, key: str) -> bool:
        for _ in range(_CAS_ATTEMPTS):
            current = self._read(client, path)
            if current is None or key not in current.data:
                return False
            data = {k: v for k, v in current.data.items() if k != key}
            if not data:
                client.secrets.kv.v2.delete_metadata_and_all_versions(
                    path=path, mount_point=self.mount
                )
                return True
            try:
                client.secrets.kv.v2.create_or_update_secret(
                    path=path, secret=data, cas=current.version or 0, mount_point=self.mount
                )
                return True
            except hvac.exceptions.InvalidRequest as exc:
                if "check-and-set" in _describe(exc):
                    continue
                raise
        raise _OperationError("the secret kept changing while being deleted; try again")

    def _walk(self, client: hvac.Client, base: str) -> list[str]:
        """Paths (relative to ``base``) of every secret below it, breadth first, bounded."""
        leaves: list[str] = []
        folders: list[tuple[str, int]] = [("", 0)]
        while folders:
            relative, depth = folders.pop(0)
            try:
                response = client.secrets.kv.v2.list_secrets(
                    path=self._join(base, relative) if relative else base, mount_point=self.mount
                )
            except hvac.exceptions.InvalidPath:
                continue
            for key in (response.get("data") or {}).get("keys") or []:
                child = f"{relative}{key}"
                if key.endswith("/"):
                    if depth + 1 < _MAX_LIST_DEPTH:
                        folders.append((child, depth + 1))
                else:
                    leaves.append(child)
                    if len(leaves) >= _MAX_LISTED_SECRETS:
                        return leaves
        return leaves


def _as_text(value: Any) -> str:
    """Vault stores JSON: strings as they are, anything else as its JSON text."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _parse_time(text: Any) -> dt.datetime | None:
    """Vault's RFC 3339 times carry nanoseconds; Python keeps microseconds."""
    match = _TIME.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    head, fraction, zone = match.groups()
    zone = "+00:00" if zone in (None, "Z") else zone
    return dt.datetime.fromisoformat(f"{head}.{(fraction or '0')[:6]:0<6}{zone}")


def _json_of(response: Any) -> dict[str, Any]:
    try:
        data = response.json()
    except Exception:
        return {}
    return data if isinstance(data, dict) else {}
