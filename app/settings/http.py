"""Options of the HTTP-based connectors (REST, GraphQL), derived from the connectors' own list.

The connectors read these variables themselves (``connectors/_http/config.py``, which must
not import ``app``); its :data:`~connectors._http.config.SETTINGS` is the one source of the
names, defaults and descriptions. The fields below are generated from it, so they appear in
the configuration reference and are validated at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, SecretStr, create_model

from connectors._http.config import SETTINGS, Setting

_TYPES: dict[str, Any] = {"int": int, "text": str, "flag": bool, "secret": SecretStr}


def field_name(setting: Setting) -> str:
    return setting.env.lower()


def _field(setting: Setting) -> tuple[Any, Any]:
    annotation = _TYPES[setting.kind]
    if setting.default is None:
        annotation = annotation | None
    constraints: dict[str, Any] = {}
    if setting.minimum is not None:
        constraints["ge"] = setting.minimum
    if setting.maximum is not None:
        constraints["le"] = setting.maximum
    if setting.pattern is not None:
        constraints["pattern"] = setting.pattern
    return annotation, Field(
        setting.default,
        validation_alias=setting.env,
        description=setting.description,
        **constraints,
    )


if TYPE_CHECKING:

    class HttpSettings(BaseModel):
        """One field per :data:`connectors._http.config.SETTINGS` entry."""

else:
    HttpSettings = create_model(
        "HttpSettings",
        __module__=__name__,
        __doc__="One field per connectors._http.config.SETTINGS entry.",
        **{field_name(setting): _field(setting) for setting in SETTINGS},
    )
