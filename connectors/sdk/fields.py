"""Field metadata that drives element templates, attached with ``typing.Annotated``.

Example::

    class Input(BaseModel):
        url: Annotated[str, Property(label="URL", group="endpoint", feel="optional")]
        token: Annotated[str, Property(label="Token", group="auth", secret=True)]

Pydantic keeps these objects in ``FieldInfo.metadata``; the template generator reads them.
Constraints (``min_length``, ``max_length``, ``pattern``) come from pydantic itself, and
discriminated unions (``Field(discriminator="type")``) become a dropdown plus conditions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

FeelMode = Literal["optional", "required", "static", "disabled"]
PropertyType = Literal["String", "Text", "Number", "Boolean", "Dropdown", "Hidden"]


@dataclass(frozen=True)
class Choice:
    """One dropdown entry: the stored ``value`` and its display ``name``."""

    value: str
    name: str | None = None


@dataclass(frozen=True)
class Condition:
    """Show a property only when another property has a given value.

    ``property`` names the other property by its binding name, relative to the model the
    field is declared in (``"method"`` inside a nested ``graphql`` model finds
    ``graphql.method``) or absolute. Set exactly one of ``equals``, ``one_of``,
    ``is_active`` (the other property is shown) or ``is_empty``.
    """

    property: str
    equals: Any = None
    one_of: tuple[Any, ...] | None = None
    is_active: bool | None = None
    is_empty: bool | None = None


@dataclass(frozen=True)
class Group:
    """A group of properties in the modeler's properties panel."""

    id: str
    label: str
    tooltip: str | None = None
    open_by_default: bool | None = None


@dataclass(frozen=True)
class Configuration:
    """A reusable configuration (a credential, say) the modeler lets users pick instead of
    typing the values into each task (Camunda 8.10 ``Configuration`` properties).

    Put it on a field whose type is a model: the field becomes one ``Configuration`` property
    and the model becomes a configuration template embedded in the element template.
    """

    id: str
    name: str
    kind: str = "CREDENTIAL"
    version: int = 1
    description: str | None = None


@dataclass(frozen=True)
class Property:
    """How one input field appears in the element template.

    ``feel`` sets the FEEL mode; ``secret`` marks values that should reference
    ``{{secrets.NAME}}``; ``type`` overrides the inferred property type; ``binding`` overrides
    the binding name (default: the field's alias or name, dotted for nested models);
    ``value`` is a default shown in the template; ``choices`` turn the field into a dropdown;
    ``configuration`` makes a model field a reusable :class:`Configuration`; ``extra`` keys
    are copied into the template property as they are (``constraints`` are merged).
    """

    label: str | None = None
    group: str | None = None
    description: str | None = None
    tooltip: str | None = None
    placeholder: str | None = None
    feel: FeelMode | None = None
    secret: bool = False
    type: PropertyType | None = None
    binding: str | None = None
    value: Any = None
    choices: tuple[Choice, ...] | None = None
    condition: Condition | None = None
    optional: bool | None = None
    hidden: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    configuration: Configuration | None = None


def property_of(metadata: list[Any]) -> Property | None:
    """Return the :class:`Property` in a field's metadata list, if any."""
    for item in metadata:
        if isinstance(item, Property):
            return item
    return None
