"""Test-only connectors whose input models exercise every template feature."""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.sdk import (
    Choice,
    Condition,
    Configuration,
    Group,
    OutboundContext,
    Property,
    outbound_connector,
)

SVG_ICON = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnLz4="


class Mode(enum.Enum):
    FAST_LANE = "fast"
    SAFE = "safe"


class Endpoint(BaseModel):
    url: Annotated[
        str,
        Property(label="URL", group="endpoint", description="Where to send it"),
        Field(pattern=r"^https?://"),
    ]
    method: Literal["GET", "POST"] = "GET"
    timeout_seconds: Annotated[int, Field(alias="timeoutSeconds", ge=0)] = 20
    headers: dict[str, str] | None = None
    body: Annotated[
        str | None,
        Property(type="Text", condition=Condition("method", equals="POST")),
    ] = None


class NoAuth(BaseModel):
    model_config = ConfigDict(title="None")
    type: Literal["none"] = "none"


class BasicAuth(BaseModel):
    type: Annotated[Literal["basic"], Property(label="Basic")]
    username: str
    password: Annotated[str, Property(secret=True)]


class TokenAuth(BaseModel):
    type: Literal["token", "jwt"]
    token: SecretStr
    username: Annotated[str | None, Property(tooltip="Only some servers want it")] = None
    audience: Annotated[str | None, Property(condition=Condition("username", is_empty=False))] = (
        None
    )


class FeatureInput(BaseModel):
    endpoint: Endpoint
    auth: Annotated[
        NoAuth | BasicAuth | TokenAuth,
        Property(label="Authentication", group="auth", description="How to authenticate"),
        Field(discriminator="type"),
    ] = Field(default_factory=NoAuth)
    name: Annotated[str, Field(min_length=2, max_length=20), Property(placeholder="Ada")]
    code: Annotated[str | None, Field(pattern=r"^(?P<pre>[A-Z]{2})-\d+$")] = None
    static_code: Annotated[str, Property(feel="static"), Field(pattern=r"^[a-z]+$")] = "abc"
    mode: Mode = Mode.SAFE
    level: Literal["low", "high"]
    region: Annotated[
        str, Property(choices=(Choice("eu", "Europe"), Choice("us", "United States")))
    ] = "eu"
    kind: Literal["fixed"] = "fixed"
    version_tag: Annotated[str, Property(hidden=True, value="v7")] = "v7"
    note: Annotated[str | None, Property(type="Text", feel="required")] = None
    ratio: float | None = None
    count: Annotated[int, Property(feel="optional")] = 3
    enabled: bool = True
    strict: Annotated[bool, Property(condition=Condition("mode", one_of=("fast",)))] = False
    tags: list[str] = Field(default_factory=list)
    labels: dict[str, Any] = Field(default_factory=lambda: {"team": "core"})
    payload: Any = None
    shown_when_region_active: Annotated[
        str | None, Property(condition=Condition("region", is_active=True))
    ] = None
    raw: Annotated[str | None, Property(feel="disabled", extra={"editable": True})] = None


@outbound_connector(
    name="Feature Probe",
    type="test:features:1",
    version=4,
    description="Exercises every template feature",
    icon=SVG_ICON,
    documentation_url="https://example.com/docs/features",
    template_id="io.example.FeatureProbe.v1",
    groups=(Group("endpoint", "HTTP endpoint", tooltip="Where requests go", open_by_default=True),),
)
def features(data: FeatureInput) -> dict[str, Any]:
    return data.model_dump(mode="json")


class Leaf(BaseModel):
    kind: Literal["leaf"] = "leaf"
    value: str


class Branch(BaseModel):
    kind: Literal["branch"] = "branch"
    inner: Annotated[Leaf | Twig, Field(discriminator="kind")]


class Twig(BaseModel):
    kind: Literal["twig"] = "twig"
    value: int


class NestedUnionInput(BaseModel):
    """A union inside a union variant, inside a nested model."""

    class Holder(BaseModel):
        node: Annotated[Leaf | Branch, Field(discriminator="kind")]

    holder: Holder


NestedUnionInput.model_rebuild()
Branch.model_rebuild()


@outbound_connector(name="Nested Unions", type="test:nested-unions:1")
def nested_unions(data: NestedUnionInput) -> dict[str, Any]:
    return {}


@outbound_connector(name="No Input", type="test:no-input:1")
def no_input(context: OutboundContext) -> dict[str, Any]:
    return {"type": context.job.type}


class Plain(BaseModel):
    first: str
    second: int | None = None


@outbound_connector(name="Plain", type="test:plain:1", icon="icon.svg")
def plain(data: Plain) -> dict[str, Any]:
    return data.model_dump()


Auth = Annotated[
    NoAuth | BasicAuth | TokenAuth,
    Field(discriminator="type"),
    Property(label="Type", group="auth"),
]


class Credential(BaseModel):
    auth: Auth = Field(default_factory=NoAuth)
    realm: Annotated[str | None, Property(label="Realm", feel="optional")] = None


class CredentialInput(BaseModel):
    credential: Annotated[
        Credential | None,
        Property(
            label="Credential",
            group="auth",
            configuration=Configuration(
                id="io.example:credential:1",
                name="Example credential",
                version=2,
                description="A reusable login",
            ),
        ),
    ] = None
    auth: Annotated[Auth, Property(condition=Condition("credential", is_empty=True))] = Field(
        default_factory=NoAuth
    )
    url: str


@outbound_connector(name="Credentials", type="test:credentials:1")
def credentials(data: CredentialInput) -> dict[str, Any]:
    return {}


FEATURE_CONNECTORS = (features, nested_unions, no_input, plain, credentials)


class _Left(BaseModel):
    left: str


class _Right(BaseModel):
    right: str


class BrokenInput(BaseModel):
    either: _Left | _Right  # no discriminator: cannot become a dropdown


@outbound_connector(name="Broken", type="test:broken-template:1")
def broken(data: BrokenInput) -> dict[str, Any]:
    return {}
