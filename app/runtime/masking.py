"""Replace resolved secret values with ``***`` in text and JSON-like values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"


class SecretMasker:
    """Masks every occurrence of the given secret values.

    Longer values are replaced first, so a secret that contains another one is masked whole.
    Empty values are ignored. Only strings are rewritten (mapping keys included); numbers and
    booleans keep their type.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Iterable[str] = ()) -> None:
        unique = {v for v in values if isinstance(v, str) and v}
        self._values = tuple(sorted(unique, key=len, reverse=True))

    def __bool__(self) -> bool:
        return bool(self._values)

    def text(self, text: str) -> str:
        """``text`` with every secret value replaced by ``***``."""
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def value(self, value: Any) -> Any:
        """A copy of a JSON-like ``value`` with secrets masked in every string."""
        if not self._values:
            return value
        return self._mask(value)

    def _mask(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self._mask(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._mask(v) for v in value]
        return value


def mask_secrets(value: Any, secrets: Iterable[str]) -> Any:
    """Mask every occurrence of ``secrets`` in ``value`` (a string or JSON-like value)."""
    masker = SecretMasker(secrets)
    return masker.text(value) if isinstance(value, str) else masker.value(value)
