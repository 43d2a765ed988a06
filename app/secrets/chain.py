"""The provider chain: ask providers in order, first value wins; cache and mask the results."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence

from app.secrets.cache import TTLCache
from app.secrets.context import JobLike, SecretContext
from app.secrets.errors import SecretNotFoundError
from app.secrets.masking import SecretMasker
from app.secrets.provider import SecretProvider

log = logging.getLogger(__name__)


class SecretChain:
    """Resolves secret names through providers in order.

    A provider error stops the chain (a later provider must not silently answer with a
    different value while the first one is down). Every value returned is registered with the
    masker before the caller sees it.
    """

    def __init__(
        self,
        providers: Sequence[SecretProvider],
        masker: SecretMasker,
        cache_seconds: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.providers = tuple(providers)
        self.masker = masker
        self.cache = TTLCache(cache_seconds, clock=clock)

    async def lookup(self, names: Iterable[str], context: SecretContext) -> dict[str, str]:
        """Values of ``names``; raises SecretNotFoundError / SecretProviderError."""
        wanted = set(names)
        if not wanted:
            return {}
        found: dict[str, str] = {}
        for name in wanted:
            cached = self.cache.get((context.tenant_id, context.process_id, name))
            if cached is not None:
                found[name] = cached
        missing = wanted - found.keys()
        for provider in self.providers:
            if not missing:
                break
            values = await provider.get_many(sorted(missing), context)
            values = {n: v for n, v in values.items() if n in missing and isinstance(v, str)}
            self.masker.register_many(values.values())
            for name, value in values.items():
                self.cache.put((context.tenant_id, context.process_id, name), value)
            found.update(values)
            missing -= values.keys()
        if missing:
            raise SecretNotFoundError(sorted(missing)[0])
        self.masker.register_many(found.values())
        return found

    async def resolve(self, names: set[str], job: JobLike) -> dict[str, str]:
        """The runtime's ``SecretResolver``: resolve ``names`` for ``job`` (tenant, process)."""
        return await self.lookup(names, SecretContext.of(job))

    def invalidate(self, name: str | None = None) -> None:
        self.cache.invalidate(name)
