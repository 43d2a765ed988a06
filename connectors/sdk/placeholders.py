"""Secret placeholders inside job variables: ``{{secrets.NAME}}`` and the bare ``secrets.NAME``.

Replacement works on decoded string values, which is equivalent to inserting the value
JSON-escaped into the variables' JSON text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Same grammar as the Camunda connector runtime, so templates behave identically:
# - braced: any run of non-space characters up to the first "}}", spaces allowed around it;
# - bare: runs of letters/digits joined by single "/", ".", "_" or "-" (so "db/password" and
#   "API_TOKEN" work, a trailing separator is not part of the name). Like Camunda, the bare
#   form is found anywhere, also right after a letter ("mysecrets.X" references "X").
BARE_NAME = r"[A-Za-z0-9]+(?:[/._-][A-Za-z0-9]+)*"
# Java's \s is ASCII-only; spell it out so e.g. a no-break space counts as a name character.
_WS = r"[ \t\n\x0b\f\r]"
BRACED = re.compile(r"\{\{" + _WS + r"*secrets\.([^ \t\n\x0b\f\r]+?)" + _WS + r"*\}\}")
BARE = re.compile(r"secrets\.(" + BARE_NAME + r")")
_ANY = re.compile(BRACED.pattern + "|" + BARE.pattern)


def names_in(value: Any) -> set[str]:
    """All secret names referenced anywhere in the string values of ``value``."""
    found: set[str] = set()
    _collect(value, found)
    return found


def _collect(value: Any, found: set[str]) -> None:
    if isinstance(value, str):
        if "secrets." in value:
            for braced, bare in _ANY.findall(value):
                found.add(braced or bare)
    elif isinstance(value, Mapping):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, found)


def substitute(value: Any, secrets: Mapping[str, str]) -> Any:
    """Return a copy of ``value`` with every placeholder replaced from ``secrets``.

    Names absent from ``secrets`` are left as they are; callers resolve all names first.
    """
    if isinstance(value, str):
        if "secrets." not in value:
            return value
        # One pass, so a resolved value that itself mentions "secrets.X" is never expanded.
        return _ANY.sub(lambda m: secrets.get(m.group(1) or m.group(2), m.group(0)), value)
    if isinstance(value, Mapping):
        return {k: substitute(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, secrets) for v in value]
    return value
