"""Encodings connectors apply to values on the way out, declared so secrets are masked in
them too.

A connector that writes a value into a URL, a header or a body in a form of its own (its URL
encoder's character sets, say) declares that function once, at import time; the runtime's
masker then also masks every secret in that form wherever it appears (an error body that
echoes the request, for instance). Declaring the same function again has no effect.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Encoding = Callable[[str], str]

_lock = threading.Lock()
_encodings: dict[str, Encoding] = {}
_version = 0


def declare_encoding(name: str, encode: Encoding) -> None:
    """Mask secrets in the form ``encode(secret)`` from now on (``name`` identifies it)."""
    global _version
    with _lock:
        if _encodings.get(name) is not encode:
            _encodings[name] = encode
            _version += 1


def declared_encodings() -> tuple[int, tuple[Encoding, ...]]:
    """The declared encodings and a version that changes whenever one is declared."""
    with _lock:
        return _version, tuple(_encodings.values())
