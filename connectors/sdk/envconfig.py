"""Readers of a connector's operator options from environment variables.

Each reader takes the mapping to read (``os.environ`` or a test's dict) and the connector's own
error class, so a bad value raises that class with a message naming the variable.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["env_positive_float", "env_positive_int", "env_text"]


def env_text(env: Mapping[str, str], name: str) -> str | None:
    """The variable's value without surrounding blanks; unset or blank: None."""
    return env.get(name, "").strip() or None


def env_positive_int(
    env: Mapping[str, str], name: str, default: int, error: type[ValueError]
) -> int:
    """A whole number > 0; unset or blank: ``default``."""
    return int(_positive(env, name, default, int, error, zero_ok=False))


def env_positive_float(
    env: Mapping[str, str],
    name: str,
    default: float,
    error: type[ValueError],
    *,
    zero_ok: bool = False,
) -> float:
    """A number > 0 (>= 0 with ``zero_ok``); unset or blank: ``default``."""
    return _positive(env, name, default, float, error, zero_ok=zero_ok)


def _positive(
    env: Mapping[str, str],
    name: str,
    default: float,
    kind: type[int] | type[float],
    error: type[ValueError],
    *,
    zero_ok: bool,
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        noun = "an integer" if kind is int else "a number"
        raise error(f"{name} must be {noun}, got {raw!r}") from None
    if value < 0 or (value == 0 and not zero_ok):
        raise error(f"{name} must be {'>= 0' if zero_ok else '> 0'}, got {raw}")
    return value
