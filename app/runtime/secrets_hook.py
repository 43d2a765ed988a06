"""How the runtime obtains secret values: the :class:`SecretResolver` protocol, plus a
standalone resolver reading environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from app.secrets.env import lookup
from app.secrets.errors import SecretNotFoundError
from connectors.sdk.context import JobInfo


@runtime_checkable
class SecretResolver(Protocol):
    """Resolves secret names referenced by a job's variables."""

    async def resolve(self, names: set[str], job: JobInfo) -> dict[str, str]:
        """Return a value for every name.

        Raises ``SecretNotFoundError`` for a name no provider knows (an input error) and
        ``SecretProviderError`` when a provider cannot answer (a transient error).
        """
        ...


class EnvironmentSecretResolver:
    """Reads secret ``NAME`` from the environment variable ``<prefix>NAME`` (``SECRET_NAME``),
    relaxed as Spring does it (``my-key`` is found in ``SECRET_MY_KEY``)."""

    def __init__(self, prefix: str = "SECRET_", environ: Mapping[str, str] | None = None) -> None:
        self._prefix = prefix
        self._environ = environ

    async def resolve(self, names: set[str], job: JobInfo) -> dict[str, str]:
        environ = os.environ if self._environ is None else self._environ
        values: dict[str, str] = {}
        for name in sorted(names):
            value = lookup(environ, self._prefix + name)
            if value is None:
                raise SecretNotFoundError(name)
            values[name] = value
        return values


class StaticSecretResolver:
    """Resolves from a fixed mapping (CLI ``--secret`` options, tests, embedding)."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    async def resolve(self, names: set[str], job: JobInfo) -> dict[str, str]:
        missing = sorted(n for n in names if n not in self._values)
        if missing:
            raise SecretNotFoundError(missing[0])
        return {n: self._values[n] for n in names}
