"""Example invocations a connector ships: the admin UI offers them on the invoke page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Example:
    """One ready-made test invocation: its ``variables`` and task ``headers``.

    Example::

        Example("Fetch a JSON document", {"method": "GET", "url": "https://example.com/a"})
    """

    name: str
    variables: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)
    description: str | None = None
