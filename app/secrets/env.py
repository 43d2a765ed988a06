"""The environment provider: ``SECRET_NAME`` environment variables (read-only)."""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Mapping
from typing import Any

from app.secrets.context import SecretContext
from app.secrets.provider import SecretInfo

log = logging.getLogger(__name__)


def lookup(environ: Mapping[str, str], name: str) -> str | None:
    """The value of environment variable ``name``, relaxed as Spring's
    ``SystemEnvironmentPropertySource`` resolves a property name (camunda/connectors reads
    its environment secrets through Spring's ``Environment``): ``name`` as written, with
    ``.`` and/or ``-`` replaced by ``_``, then the same upper-cased. So the secret
    ``my-api-key`` is found in ``SECRET_MY_API_KEY``."""
    for candidate in _spring_candidates(name):
        value = environ.get(candidate)
        if value is not None:
            return value
    return None


def _spring_candidates(name: str) -> list[str]:
    def forms(text: str) -> list[str]:
        no_dot = text.replace(".", "_")
        no_hyphen = text.replace("-", "_")
        both = no_dot.replace("-", "_")
        return [text, no_dot, no_hyphen, both]

    upper = name.upper()
    candidates = forms(name) + (forms(upper) if upper != name else [])
    return list(dict.fromkeys(candidates))  # in order, without repeats


class EnvironmentProvider:
    """Reads ``PREFIX[TENANT_][PROCESS_]NAME`` from the process environment, as Camunda does
    (names relaxed as Spring relaxes them, see :func:`lookup`)."""

    name = "environment"
    writable = False

    def __init__(
        self,
        prefix: str = "SECRET_",
        *,
        tenant_aware: bool = False,
        process_aware: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.prefix = prefix
        self.tenant_aware = tenant_aware
        self.process_aware = process_aware
        self._environ = os.environ if environ is None else environ

    def variable_name(self, name: str, context: SecretContext) -> str:
        """The environment variable that holds ``name`` in ``context``."""
        segments = []
        if self.tenant_aware:
            segments.append(context.tenant_id)
        if self.process_aware:
            segments.append(context.process_id)
        segments.append(name)
        return self.prefix + "_".join(segments)

    async def start(self) -> None:
        if not self.prefix:
            log.warning(
                "SWITCHBOARD_SECRETS_ENV_PREFIX is empty: every environment variable is "
                "available to connectors as a secret"
            )

    async def close(self) -> None:
        return None

    async def health(self) -> dict[str, Any]:
        return {"status": "up", "prefix": self.prefix}

    async def get_many(self, names: Collection[str], context: SecretContext) -> dict[str, str]:
        found: dict[str, str] = {}
        for name in names:
            value = lookup(self._environ, self.variable_name(name, context))
            if value is not None:
                found[name] = value
        return found

    async def list_secrets(self, tenant_id: str | None = None) -> list[SecretInfo]:
        """Names (without the prefix) of the variables this provider can read."""
        if not self.prefix:
            return []  # every variable would be listed: PATH, HOME, ...
        names = sorted(k[len(self.prefix) :] for k in self._environ if k.startswith(self.prefix))
        return [SecretInfo(name=n, provider=self.name) for n in names if n]
