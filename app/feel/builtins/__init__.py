"""Built-in functions, registered by name (names may contain spaces)."""

from app.feel.builtins import (  # noqa: F401 - imported for their registrations
    connectors,
    contexts,
    conversion,
    lists,
    numeric,
    ranges,
    strings,
    temporal_fns,
)
from app.feel.builtins.registry import BUILTINS

__all__ = ["BUILTINS"]
