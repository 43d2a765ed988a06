"""Pydantic validators for inputs bound the way Camunda's Java connectors read them (Jackson's
coercions, Bean Validation's ``@NotBlank`` and ``@Pattern``), for ``BeforeValidator`` and
``AfterValidator`` in a connector's input model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from connectors.sdk.javaforms import java_double

__all__ = [
    "blank_to_none",
    "java_text",
    "matching",
    "not_blank",
    "scalar_text",
    "upper_text",
]


def blank_to_none(value: Any) -> Any:
    """Blank text (the modeler writes ``""`` for a field left empty) is no value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def upper_text(value: Any) -> Any:
    """Choice inputs are read case-insensitively (Jackson's ACCEPT_CASE_INSENSITIVE_ENUMS)."""
    return value.strip().upper() if isinstance(value, str) else value


def scalar_text(value: Any) -> Any:
    """A boolean or number as text (``true``, ``5432``, ``1.5``, Python's float form); other
    values unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def java_text(value: Any) -> Any:
    """A boolean or number as Jackson coerces it into a ``String`` (``Double.toString`` for
    floats: ``1.0E7``); other values unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    return value


def not_blank(value: str) -> str:
    """``@NotBlank``: text with at least one non-blank character."""
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def matching(pattern: re.Pattern[str], message: str) -> Callable[[str], str]:
    """``@NotBlank`` and ``@Pattern``: a validator for text that is not blank and matches
    ``pattern`` as a whole, else fails with ``message``."""

    def check(value: str) -> str:
        not_blank(value)
        if not pattern.fullmatch(value):
            raise ValueError(message)
        return value

    return check
