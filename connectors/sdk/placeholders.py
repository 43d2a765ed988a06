"""Secret placeholders: ``{{secrets.NAME}}`` and the deprecated bare ``secrets.NAME``.

Replacement works exactly as Camunda's connector runtime does it (camunda/connectors
connector-runtime/connector-runtime-core/src/main/java/io/camunda/connector/runtime/core/
secret/SecretUtil.java): on the JSON text of the variables, object keys included; first
the ``{{...}}`` form, then the bare form over the result; each value inserted JSON-escaped.
Each form is replaced in as many passes as the text had matches of it when its turn came,
so a value that itself holds a placeholder is expanded (up to that many levels), and the
bare pass also sees names that values of the ``{{...}}`` pass brought in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

# Camunda's patterns. Java's \s is ASCII-only: spelled out, so a no-break space counts as a
# name character. Bare names: letters/digits joined by single "/", ".", "_" or "-" (a
# trailing separator is not part of the name), found anywhere, also right after a letter
# ("mysecrets.X" references "X").
BARE_NAME = r"(?:[a-zA-Z0-9]+[/._-])*[a-zA-Z0-9]+"
_S = r"[ \t\n\x0b\f\r]"
_NS = r"[^ \t\n\x0b\f\r]"
BRACED = re.compile(r"\{\{" + _S + r"*secrets\.(" + _NS + r"+?" + _S + r"*)\}\}")
BARE = re.compile(r"secrets\.(" + BARE_NAME + r")")
MARKER = "secrets."
"""Text without this substring holds no placeholder."""

Lookup = Callable[[str], str | None]
"""A secret's value by name; ``None`` leaves the placeholder as it is (a filtered name)."""


def _java_trim(name: str) -> str:
    # String.trim(): every character up to U+0020 at either end.
    start, end = 0, len(name)
    while start < end and name[start] <= " ":
        start += 1
    while end > start and name[end - 1] <= " ":
        end -= 1
    return name[start:end]


def names_in_text(text: str) -> set[str]:
    """Every secret name referenced in ``text`` (either form), as Camunda lists them."""
    if MARKER not in text:
        return set()
    found = {_java_trim(m.group(1)) for m in BRACED.finditer(text)}
    found.update(m.group(1) for m in BARE.finditer(text))
    found.discard("")
    return found


def json_escaped(value: str) -> str:
    """``value`` escaped for the inside of a JSON string, as Jackson's ``quoteAsString``."""
    escaped = json.dumps(value, ensure_ascii=False)[1:-1]
    if "\\u" in escaped:  # Jackson writes upper-case hex digits
        escaped = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), escaped)
    return escaped


class ExpansionTooLarge(ValueError):
    """Replacing placeholders (values holding placeholders themselves) grew the text past
    the caller's limit."""


PATTERNS = (BRACED, BARE)
"""The two forms, in the order Camunda replaces them."""


def passes(pattern: re.Pattern[str], text: str) -> int:
    """How many passes Camunda makes with ``pattern`` over ``text``: its number of matches
    there (``while (matcher.find())`` over the text as it was when the form's turn came)."""
    return sum(1 for _ in pattern.finditer(text)) if MARKER in text else 0


def names_of(pattern: re.Pattern[str], text: str) -> set[str]:
    """The names one pass of ``pattern`` over ``text`` asks for."""
    return {name for m in pattern.finditer(text) if (name := _java_trim(m.group(1)))}


def replace_pass(pattern: re.Pattern[str], text: str, lookup: Lookup) -> str:
    """One pass: every match of ``pattern`` replaced by its value, JSON-escaped (kept as it
    is when ``lookup`` gives ``None``)."""

    def value(match: re.Match[str]) -> str:
        name = _java_trim(match.group(1))
        if not name:
            return "null"  # what Camunda's StringBuilder appends for a blank name
        found = lookup(name)
        return match.group(0) if found is None else json_escaped(found)

    return pattern.sub(value, text)


def replace_in_text(text: str, lookup: Lookup, max_chars: int | None = None) -> str:
    """``text`` (JSON) with every placeholder replaced as Camunda's ``SecretUtil`` does it.

    ``lookup`` may raise (a secret that does not exist); text growing past ``max_chars``
    raises :class:`ExpansionTooLarge`.
    """
    for pattern in PATTERNS:
        for _ in range(passes(pattern, text)):
            replaced = replace_pass(pattern, text, lookup)
            if replaced == text:
                break  # a fixed point: Camunda's remaining passes change nothing either
            if max_chars is not None and len(replaced) > max_chars:
                raise ExpansionTooLarge(
                    f"secret values grew the variables past {max_chars} characters"
                )
            text = replaced
    return text


def names_in(value: Any) -> set[str]:
    """Every secret name referenced anywhere in ``value`` (a JSON-like value), keys included."""
    return names_in_text(_dumps(value))


def substitute(value: Any, secrets: Mapping[str, str]) -> Any:
    """A copy of ``value`` with the placeholders of ``secrets`` replaced as
    :func:`replace_in_text` does; names absent from ``secrets`` are left as they are."""
    text = _dumps(value)
    replaced = replace_in_text(text, secrets.get)
    return value if replaced == text else json.loads(replaced)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
