"""How secret names map to Vault KV v2 paths and keys.

- ``NAME`` (no slash): the key ``value`` of the secret at ``PREFIX/NAME``.
- ``a/b/KEY``: the key ``KEY`` of the secret at ``PREFIX/a/b``.
- Tenant-aware: ``PREFIX/TENANT/...`` instead of ``PREFIX/...``.

The mapping is one-to-one: :func:`name_of` gives back the name of a (path, key) pair.
"""

from __future__ import annotations

VALUE_KEY = "value"


def _bad_segment(segment: str) -> bool:
    return segment in ("", ".", "..")


def base_path(prefix: str, tenant: str | None) -> str | None:
    """``PREFIX[/TENANT]``; None if ``tenant`` cannot be a single path segment."""
    parts = [prefix] if prefix else []
    if tenant is not None:
        if "/" in tenant or _bad_segment(tenant):
            return None
        parts.append(tenant)
    return "/".join(parts)


def location(name: str, prefix: str, tenant: str | None) -> tuple[str, str] | None:
    """The (path, key) holding ``name``; None when no Vault path can hold it."""
    segments = name.split("/")
    if any(_bad_segment(s) for s in segments):
        return None
    base = base_path(prefix, tenant)
    if base is None:
        return None
    if len(segments) == 1:
        relative, key = segments[0], VALUE_KEY
    else:
        relative, key = "/".join(segments[:-1]), segments[-1]
    return (f"{base}/{relative}" if base else relative), key


def name_of(relative_path: str, key: str) -> str:
    """The secret name of ``key`` in the secret at ``relative_path`` (below the base path)."""
    if key == VALUE_KEY and "/" not in relative_path:
        return relative_path
    return f"{relative_path}/{key}"
