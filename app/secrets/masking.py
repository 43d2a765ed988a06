"""Masking of resolved secret values in text, JSON values and log records.

Every registered value is replaced wherever it occurs, whatever its length, as Camunda's
runtime does (camunda/connectors connector-runtime/connector-runtime-spring/src/main/java/io/
camunda/connector/runtime/outbound/job/OutboundConnectorExceptionHandler.java,
``hideSecretsFromMessage``: ``message.replace(secret, "***")``). A one-character secret
masks every occurrence of that character: use secrets of reasonable length.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import string
import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from connectors.sdk.encodings import declared_encodings

MASK = "***"

_log = logging.getLogger(__name__)

# Attributes every LogRecord has; anything else came in through ``extra=`` and is masked too.
_STANDARD_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime"}


class SecretMasker:
    """Thread-safe registry of secret values and the masking of text and JSON-like values.

    Registering is cheap (the matcher is rebuilt on the next use), so many values can be
    registered in a row.
    """

    def __init__(self, mask: str = MASK) -> None:
        self._mask = mask
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._stale = False
        self._encodings_version = -1
        self._exact: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None

    def __len__(self) -> int:
        return len(self._values)

    def __bool__(self) -> bool:
        return True

    @property
    def active(self) -> bool:
        """Whether any value is registered (masking is a no-op until then)."""
        return bool(self._values)

    def register(self, value: str) -> None:
        """Mask ``value`` (and the encoded forms it takes in output) from now on."""
        self.register_many((value,))

    def register_many(self, values: Iterable[str]) -> None:
        new = {v for v in values if isinstance(v, str) and v and v not in self._values}
        if not new:
            return
        with self._lock:
            self._values |= new
            self._stale = True

    def _matcher(self) -> tuple[re.Pattern[str] | None, frozenset[str]]:
        version = declared_encodings()[0]
        if self._stale or version != self._encodings_version:
            with self._lock:
                if self._stale or version != self._encodings_version:
                    self._encodings_version = version
                    forms: set[str] = set()
                    for value in self._values:
                        forms.update(_variants(value))
                    ordered = sorted(forms, key=len, reverse=True)  # the longest form wins
                    self._exact = frozenset(forms | self._values)
                    self._pattern = re.compile("|".join(re.escape(f) for f in ordered))
                    self._stale = False
        return self._pattern, self._exact

    def mask(self, text: str) -> str:
        """``text`` with every registered value replaced by ``***``."""
        if not self._values or not text:
            return text
        pattern, exact = self._matcher()
        if pattern is None:
            return text
        if text in exact:
            return self._mask
        return pattern.sub(self._mask, text)

    def mask_value(self, value: Any) -> Any:
        """A copy of a JSON-like value with secrets masked in strings, keys and numbers."""
        if not self._values:
            return value
        return self._mask_value(value, self._matcher()[1])

    def _mask_value(self, value: Any, exact: frozenset[str]) -> Any:
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            # A secret that happens to be numeric may come back from a service as a number.
            return self._mask if str(value) in exact else value
        if isinstance(value, Mapping):
            return {
                (self.mask(k) if isinstance(k, str) else k): self._mask_value(v, exact)
                for k, v in value.items()
            }
        if isinstance(value, tuple):
            return tuple(self._mask_value(v, exact) for v in value)
        if isinstance(value, list):
            return [self._mask_value(v, exact) for v in value]
        if isinstance(value, bytes | bytearray):
            text = bytes(value).decode("utf-8", "replace")
            masked = self.mask(text)
            return value if masked == text else masked.encode()
        return value


def _printable_but(excluded: str) -> str:
    return "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in excluded)


_UNRESERVED = string.ascii_letters + string.digits + "-._~"
# WHATWG URL percent-encode sets (https://url.spec.whatwg.org/#percent-encoded-bytes), as the
# HTTP client (httpx) applies them to each part of a URL; characters kept as they are.
_URL_SAFE_SETS = (
    "",  # a component, every reserved character encoded (urllib's quote(safe=""))
    _printable_but(' "<>`'),  # fragment
    _printable_but(' "#<>'),  # query
    _printable_but(" \"#<>'"),  # query of special schemes
    _printable_but(' "#<>?`{}'),  # path
    _printable_but(' "#<>?`{}/:;=@[\\]^|'),  # userinfo
)
_FORM_SAFE = string.ascii_letters + string.digits + "*-._"  # WHATWG / Java URLEncoder
_MIN_BASE64_CORE = 8


def _percent(value: str, safe: str, space: str | None = None) -> str:
    keep = _UNRESERVED + safe if space is None else safe
    out: list[str] = []
    for char in value:
        if char in keep:
            out.append(char)
        elif char == " " and space is not None:
            out.append(space)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    return "".join(out)


def _base64_cores(value: str) -> set[str]:
    """The part of the Base64 of any text containing ``value`` that only ``value``
    determines, for each of the three byte alignments (and both alphabets): so
    ``Basic base64(user:password)`` is masked without knowing ``user``."""
    data = value.encode("utf-8", "surrogatepass")
    cores: set[str] = set()
    for before in range(3):
        encoded = base64.b64encode(b"\0" * before + data + b"\0\0").decode("ascii")
        first = next(p for p in range(len(encoded)) if _span(p)[0] >= before)
        last = max(p for p in range(len(encoded)) if _span(p)[1] <= before + len(data))
        core = encoded[first : last + 1]
        if len(core) >= _MIN_BASE64_CORE:
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


def _span(position: int) -> tuple[int, int]:
    """The input bytes ``[start, end)`` that Base64 output character ``position`` reads."""
    group, index = divmod(position, 4)
    start = 3 * group + (0, 0, 1, 2)[index]
    end = 3 * group + (1, 2, 3, 3)[index]
    return start, end


def _variants(value: str) -> set[str]:
    """The forms a value takes on its way out: raw, JSON-escaped, percent-encoded as each part
    of a URL and as a form field, inside Base64 (a Basic authorization header), and, when it
    is not ASCII, its UTF-8 bytes read as Latin-1 (an HTTP header value as a server decodes
    it)."""
    forms = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    if not value.isascii():
        latin = value.encode("utf-8", "surrogatepass").decode("latin-1")
        forms.update((latin, json.dumps(latin)[1:-1], json.dumps(latin, ensure_ascii=False)[1:-1]))
    forms.update(_percent(value, safe) for safe in _URL_SAFE_SETS)
    forms.add(urllib.parse.quote_plus(value, safe=""))
    forms.add(_percent(value, _FORM_SAFE, space="+"))
    forms.update(_base64_cores(value))
    for encode in declared_encodings()[1]:
        try:
            forms.add(encode(value))
        except Exception:  # a connector's encoder must never cost masking the others
            continue
    return {f for f in forms if f}


class SecretMaskingFilter(logging.Filter):
    """Masks secret values in a record's message, arguments, extras and exception text.

    Attach it to handlers (not loggers): a logger's filters do not see records propagated from
    child loggers, a handler's do.
    """

    def __init__(self, masker: SecretMasker) -> None:
        super().__init__()
        self.masker = masker

    def filter(self, record: logging.LogRecord) -> bool:
        masker = self.masker
        if not masker.active:
            return True
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg!s} {record.args!r}"
        masked = masker.mask(message)
        if masked != message or not isinstance(record.msg, str):
            record.msg = masked
            record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            masked_text = masker.mask(text)
            if masked_text != text:
                # A formatter would render exc_info again; give it only the masked text.
                record.exc_text = masked_text
                record.exc_info = None
        elif record.exc_text:
            record.exc_text = masker.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = masker.mask(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_RECORD_ATTRS:
                setattr(record, key, masker.mask_value(value) if _jsonish(value) else value)
        return True


def _jsonish(value: Any) -> bool:
    return isinstance(value, str | int | float | list | tuple | Mapping | bytes)


def install_log_masking(masker: SecretMasker) -> SecretMaskingFilter:
    """Attach a :class:`SecretMaskingFilter` for ``masker`` to every existing handler.

    Covers the root logger's handlers and those of loggers that do not propagate (such as
    uvicorn's). Call it after logging is configured; handlers added later need
    ``handler.addFilter(filter)``. Calling it again for the same masker attaches nothing
    twice. :func:`remove_log_masking` undoes it (for example when an app shuts down).
    """
    masking = SecretMaskingFilter(masker)
    for handler in _all_handlers():
        if not any(
            isinstance(f, SecretMaskingFilter) and f.masker is masker for f in handler.filters
        ):
            handler.addFilter(masking)
    return masking


def remove_log_masking(masking: SecretMaskingFilter) -> None:
    """Detach a filter returned by :func:`install_log_masking` from every handler."""
    for handler in _all_handlers():
        handler.removeFilter(masking)


def _all_handlers() -> list[logging.Handler]:
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [
        logger
        for logger in list(logging.Logger.manager.loggerDict.values())
        if isinstance(logger, logging.Logger)
    ]
    return [handler for logger in loggers for handler in logger.handlers]
