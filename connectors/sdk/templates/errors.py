"""The error raised when a connector cannot be turned into an element template."""

from __future__ import annotations


class TemplateError(ValueError):
    """A connector definition or input model the generator cannot express.

    The message names the connector and, where it applies, the model field and the reason.
    """
