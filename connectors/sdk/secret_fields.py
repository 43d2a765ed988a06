"""Which inputs of a connector carry credentials: the fields declared ``secret=True`` in
their :class:`~connectors.sdk.fields.Property` metadata, or typed ``SecretStr``.

The runtime masks their values in history, logs and messages whether they came from a
``{{secrets.NAME}}`` placeholder or were typed into the process literally.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from connectors.sdk import placeholders
from connectors.sdk.templates.errors import TemplateError
from connectors.sdk.templates.walk import walk


@functools.cache
def secret_bindings(model: type[BaseModel]) -> tuple[tuple[str, ...], ...]:
    """The paths (binding names split at dots) of ``model``'s secret inputs."""
    try:
        inputs = walk(model)
    except TemplateError:
        return ()
    found = {tuple(i.binding.split(".")) for i in inputs if i.prop.secret or i.shape.is_secret_type}
    return tuple(sorted(found))


def secret_values(model: type[BaseModel] | None, *variables: Mapping[str, Any]) -> list[str]:
    """The string values found at ``model``'s secret paths in each of ``variables``
    (placeholders excepted)."""
    if model is None:
        return []
    paths = secret_bindings(model)
    if not paths:
        return []
    return [value for source in variables for path in paths for value in _at(source, path)]


def _at(source: Any, path: tuple[str, ...]) -> Iterator[str]:
    value = source
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            return
        value = value[part]
    # A placeholder left unresolved names a secret; it is not one (history keeps showing it).
    if isinstance(value, str) and value and not placeholders.names_in_text(value):
        yield value
