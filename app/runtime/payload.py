"""Sizes of JSON payloads, measured once and never by building more text than needed.

:func:`json_size` counts the bytes of a value's compact UTF-8 JSON without building it: a
container reached twice (a FEEL result can share one list many times) is measured once, so
a small value whose JSON would be gigabytes is measured in microseconds, and the count stops
as soon as it passes the caller's limit.
"""

from __future__ import annotations

import json
import sys
from json.encoder import encode_basestring
from typing import Any

TRUNCATED_KEY = "_truncated"
_PREVIEW_OVERHEAD = 96  # the marker's own keys, the size digits and JSON escaping slack


class _OverLimit(Exception):
    pass


def dumps(value: Any) -> str:
    """Compact JSON; values JSON cannot express are rendered with ``str``."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def text_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (lone surrogates count as the 3 bytes JSON text gives them)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def json_size(value: Any, limit: int | None = None) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON, exactly as :func:`dumps` would write it.

    With ``limit``, counting stops once the size is known to be larger: the result is then
    some number above ``limit``, not the exact size.
    """
    bound = sys.maxsize if limit is None else limit
    seen: dict[int, int] = {}  # id of a measured container -> its size
    encode = encode_basestring

    def string(text: str) -> int:
        quoted = encode(text)
        return len(quoted) if quoted.isascii() else len(quoted.encode("utf-8", "surrogatepass"))

    def size(v: Any) -> int:
        kind = type(v)
        if kind is str:
            return string(v)
        if kind is dict or kind is list or kind is tuple:
            known = seen.get(id(v))
            if known is not None:
                return known
            # brackets, commas between items, and a colon per dict entry
            n = 2 + max(len(v) - 1, 0)
            if kind is dict:
                n += len(v)
                for key, item in v.items():
                    n += string(key if type(key) is str else _key(key)) + size(item)
                    if n > bound:
                        raise _OverLimit(n)
            else:
                for item in v:
                    n += size(item)
                    if n > bound:
                        raise _OverLimit(n)
            seen[id(v)] = n
            return n
        if kind is int:
            return len(int.__repr__(v))
        if v is None or v is True:
            return 4
        if v is False:
            return 5
        if isinstance(v, int | float):
            return len(_number(v))
        if isinstance(v, dict):  # subclasses, rare
            return size(dict(v))
        if isinstance(v, list | tuple):
            return size(list(v))
        # str subclasses as strings; anything else as its str(), like dumps(default=str)
        return string(str(v))

    try:
        return size(value)
    except _OverLimit as over:
        return int(over.args[0])


def _number(value: int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    # json.dumps's rules for non-string keys.
    if isinstance(key, str):
        return key
    if key is True or key is False or key is None:
        return json.dumps(key)
    if isinstance(key, int | float):
        return _number(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def cap_payload(value: Any, limit: int, size: int | None = None) -> Any:
    """``value`` itself if its JSON fits in ``limit`` bytes, else a truncation marker.

    The marker is ``{"_truncated": true, "originalBytes": N, "preview": "<JSON prefix>"}``,
    whose own JSON stays within ``limit`` bytes (for any limit of at least 128). ``size`` is
    the value's :func:`json_size` when the caller already knows it.
    """
    if size is None:
        size = json_size(value)
    if size <= limit:
        return value
    budget = max(limit - _PREVIEW_OVERHEAD, 0)
    preview = json_prefix(value, budget)
    marker = {TRUNCATED_KEY: True, "originalBytes": size, "preview": preview}
    # JSON escaping can grow the preview; shrink until the marker fits.
    while preview and json_size(marker) > limit:
        preview = preview[: max(len(preview) - max(len(preview) // 8, 16), 0)]
        marker["preview"] = preview
    return marker


def json_prefix(value: Any, max_bytes: int) -> str:
    """The first ``max_bytes`` UTF-8 bytes of ``dumps(value)``, encoding no more than that."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
    parts: list[str] = []
    taken = 0
    for chunk in encoder.iterencode(value):
        parts.append(chunk)
        taken += text_size(chunk)
        if taken >= max_bytes:
            break
    raw = "".join(parts).encode("utf-8", "surrogatepass")[:max_bytes]
    return raw.decode("utf-8", errors="ignore")
