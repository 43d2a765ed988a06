"""Turn one walked input into an element-template property (without id and condition)."""

from __future__ import annotations

import enum
import json
import re
from typing import Any

from pydantic_core import PydanticUndefined

from connectors.sdk.templates import types as t
from connectors.sdk.templates.errors import TemplateError
from connectors.sdk.templates.walk import Input

# Let a FEEL expression or a secret placeholder through a pattern meant for plain values:
# the modeler checks the raw text, the runtime checks the evaluated, secret-resolved value.
_FEEL_OR_SECRET = r"^=[\s\S]*|\{\{\s*secrets\.|"
_SECRET_ONLY = r"\{\{\s*secrets\.|"
SECRET_PLACEHOLDER = "{{secrets.MY_SECRET}}"

_DEFAULT_TYPE = {
    t.BOOLEAN: "Boolean",
    t.NUMBER: "Number",
    t.STRING: "String",
    t.JSON: "String",
    t.CHOICE: "Dropdown",
    t.CONSTANT: "Hidden",
}


def build(item: Input) -> dict[str, Any]:
    """The property for ``item``: type, label, value, FEEL mode, constraints, binding..."""
    prop = item.prop
    kind = _type_of(item)
    feel = _feel_of(item, kind)
    secret = prop.secret or item.shape.is_secret_type
    result: dict[str, Any] = {"label": prop.label or humanize(item.name)}
    description = prop.description or (item.info.description if item.info else None)
    if description:
        result["description"] = description
    result["type"] = kind

    value = _value_of(item, kind, feel)
    if value is not None:
        result["value"] = value
    optional = _optional_of(item, kind, value)
    if optional:
        result["optional"] = True
    constraints = _constraints_of(item, kind, feel, optional, value)
    if constraints:
        if optional:
            constraints = {"notEmpty": False, **constraints}
        result["constraints"] = constraints
    if feel is not None:
        result["feel"] = feel
    if kind != "Hidden":
        result["group"] = item.group
    result["binding"] = {"type": "zeebe:input", "name": item.binding}
    if prop.configuration is not None:
        result["configurationTemplate"] = prop.configuration.id
    if prop.tooltip:
        result["tooltip"] = prop.tooltip
    placeholder = prop.placeholder or (SECRET_PLACEHOLDER if secret else None)
    if placeholder:
        if kind not in ("String", "Text"):
            raise TemplateError(f"{item.origin}: a placeholder needs type String or Text")
        result["placeholder"] = placeholder
    if kind == "Dropdown":
        result["choices"] = [{"name": name, "value": str(v)} for v, name in _choices_of(item)]
    if secret:
        result["secret"] = True
    for key, extra in prop.extra.items():
        if key == "constraints" and isinstance(extra, dict):
            result["constraints"] = {**result.get("constraints", {}), **extra}
        else:
            result[key] = extra
    if result["type"] == "Hidden" and "value" not in result:
        raise TemplateError(f"{item.origin}: a Hidden property needs a value")
    return result


def humanize(name: str) -> str:
    """``connectionTimeoutInSeconds`` and ``connection_timeout`` -> ``Connection timeout...``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    text = " ".join(words.split()).lower()
    return text[:1].upper() + text[1:] if text else name


def _type_of(item: Input) -> str:
    prop = item.prop
    if prop.configuration is not None:
        if item.shape.kind != t.MODEL:
            raise TemplateError(f"{item.origin}: a Configuration needs a model-typed field")
        return "Configuration"
    if prop.hidden:
        return "Hidden"
    if prop.type is not None:
        return prop.type
    if isinstance(prop.extra.get("type"), str):
        if prop.extra["type"] == "Configuration":
            raise TemplateError(
                f"{item.origin}: declare a Configuration with "
                "Property(configuration=Configuration(id=..., name=...)), not extra={'type': ...}"
            )
        return prop.extra["type"]
    if prop.choices is not None or item.choices is not None:
        return "Dropdown"
    kind = _DEFAULT_TYPE.get(item.shape.kind)
    if kind is None:
        raise TemplateError(f"{item.origin}: cannot show {item.shape.annotation!r} in a template")
    return kind


def _feel_of(item: Input, kind: str) -> str | None:
    feel = item.prop.feel
    if kind not in ("String", "Text", "Number", "Boolean"):
        if feel not in (None, "disabled"):
            raise TemplateError(f"{item.origin}: a {kind} property cannot take FEEL ({feel!r})")
        return None
    if feel is None:
        if kind in ("Number", "Boolean"):
            feel = "static"
        elif item.shape.kind == t.JSON and item.prop.type is None:
            feel = "required"  # maps, lists, any JSON: only an expression can build them
        else:
            feel = "optional"
    if kind in ("String", "Text") and feel in ("static", "disabled"):
        return None  # plain text input; "static" exists for Number and Boolean only
    if feel == "disabled":
        return None
    return feel


def _value_of(item: Input, kind: str, feel: str | None) -> Any:
    if kind == "Configuration":
        return None  # the modeler stores a reference to the chosen configuration
    value = item.prop.value
    if value is None:
        default = item.default
        if default is PydanticUndefined or default is None:
            return None
        value = default
    if isinstance(value, enum.Enum):
        value = value.value
    if kind == "Boolean":
        if not isinstance(value, bool):
            raise TemplateError(f"{item.origin}: default {value!r} is not a boolean")
        return value
    if kind == "Number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, str) and value.startswith("="):
                return value
            raise TemplateError(f"{item.origin}: default {value!r} is not a number")
        return value
    if kind == "Dropdown":
        text = str(value)
        if text not in {str(v) for v, _ in _choices_of(item)}:
            raise TemplateError(f"{item.origin}: default {text!r} is not one of the choices")
        return text
    if feel == "required":
        if isinstance(value, str):
            return value if value.startswith("=") else f"={value}"
        if value in ({}, []):
            return None  # an empty default needs no expression
        # JSON literals are valid FEEL (string keys are allowed in contexts).
        return "=" + json.dumps(value, separators=(", ", ": "))
    if isinstance(value, bool):
        return value
    if isinstance(value, str | int | float):
        return str(value)
    if value in ({}, []):
        return None
    return json.dumps(value)


def _optional_of(item: Input, kind: str, value: Any) -> bool:
    if item.prop.optional is not None:
        return item.prop.optional
    if kind in ("Boolean", "Hidden"):
        return False
    if kind == "Dropdown" and value is not None:
        return False  # a dropdown with a value always has one
    return not item.required


def _constraints_of(
    item: Input, kind: str, feel: str | None, optional: bool, value: Any
) -> dict[str, Any]:
    constraints: dict[str, Any] = {}
    if not optional and value is None and kind not in ("Boolean", "Hidden", "Configuration"):
        constraints["notEmpty"] = True
    if kind not in ("String", "Text") or item.info is None:
        return constraints
    min_length = max_length = pattern = None
    for meta in item.info.metadata:
        min_length = getattr(meta, "min_length", None) or min_length
        max_length = getattr(meta, "max_length", None) or max_length
        pattern = getattr(meta, "pattern", None) or pattern
    if min_length:
        constraints["minLength"] = min_length
    if max_length:
        constraints["maxLength"] = max_length
    if pattern:
        text = pattern if isinstance(pattern, str) else pattern.pattern
        escape = _FEEL_OR_SECRET if feel is not None else _SECRET_ONLY
        if optional:
            escape = "^$|" + escape
        constraints["pattern"] = {
            "value": f"{escape}(?:{js_regex(text)})",
            "message": f"Must match {text}",
        }
    return constraints


def js_regex(pattern: str) -> str:
    """Python regex syntax -> JavaScript: named groups and their back-references."""
    pattern = re.sub(r"\(\?P<([A-Za-z_]\w*)>", r"(?<\1>", pattern)
    return re.sub(r"\(\?P=([A-Za-z_]\w*)\)", r"\\k<\1>", pattern)


def _choices_of(item: Input) -> list[tuple[Any, str]]:
    if item.choices is not None:
        return list(item.choices)
    if item.prop.choices is not None:
        return [(c.value, c.name or str(c.value)) for c in item.prop.choices]
    if item.shape.values:
        return list(item.shape.values)
    raise TemplateError(f"{item.origin}: a Dropdown needs Property(choices=...)")
