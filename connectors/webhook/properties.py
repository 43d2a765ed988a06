"""The webhook connector's properties, bound as Camunda's official webhook templates write them
(``inbound.method``, ``inbound.context``, ``inbound.shouldValidateHmac``, ``inbound.hmac*``,
``inbound.auth.*``, ``inbound.verificationExpression``, ``inbound.responseExpression``).

Facts from camunda/connectors connectors/webhook ``model/WebhookConnectorProperties.java``,
``model/WebhookAuthorization.java``, ``model/JWTProperties.java``, ``model/HMACScope.java``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from connectors.sdk import Choice, Condition, Property
from connectors.sdk.inbound import FEEL
from connectors.sdk.validators import blank_to_none

CONTEXT_PATTERN = r"^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$"
HmacScope = Literal["URL", "BODY", "PARAMETERS"]


def _scope(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _scopes(value: Any) -> Any:
    if value is None or value == "":
        return ["BODY"]  # Camunda's default when no scopes are given
    return value


Blank = BeforeValidator(blank_to_none)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class NoAuth(_Model):
    type: Literal["NONE"] = "NONE"


class BasicAuth(_Model):
    type: Literal["BASIC"]
    username: Annotated[
        str,
        FEEL,
        Property(
            label="Username",
            group="authorization",
            feel="optional",
            description="Username for basic authentication",
        ),
    ]
    password: Annotated[
        str,
        FEEL,
        Property(
            label="Password",
            group="authorization",
            feel="optional",
            secret=True,
            description="Password for basic authentication",
        ),
    ]


class ApiKeyAuth(_Model):
    type: Literal["APIKEY"]
    api_key: Annotated[
        str,
        FEEL,
        Property(
            label="API key",
            group="authorization",
            feel="optional",
            secret=True,
            description="Expected API key",
        ),
    ] = Field(alias="apiKey")
    api_key_locator: Annotated[
        str,
        Property(
            label="API key locator",
            group="authorization",
            feel="required",
            description="A FEEL expression that extracts the API key from the request",
            value='=split(request.headers.authorization, " ")[2]',
        ),
    ] = Field(alias="apiKeyLocator", min_length=1)


class Jwt(_Model):
    jwk_url: Annotated[
        str,
        FEEL,
        Property(
            label="JWK URL",
            group="authorization",
            feel="optional",
            description="Well-known URL of JWKs",
        ),
    ] = Field(alias="jwkUrl")
    permissions_expression: Annotated[
        str | None,
        Blank,
        Property(
            label="JWT role property expression",
            group="authorization",
            feel="required",
            description="Expression to extract the roles from the JWT token",
        ),
    ] = Field(None, alias="permissionsExpression")
    required_permissions: Annotated[
        list[str] | None,
        FEEL,
        Property(
            label="Required roles",
            group="authorization",
            feel="required",
            type="String",
            description="List of roles to test JWT roles against",
        ),
    ] = Field(None, alias="requiredPermissions")


class JwtAuth(_Model):
    type: Literal["JWT"]
    jwt: Jwt


Auth = Annotated[NoAuth | BasicAuth | ApiKeyAuth | JwtAuth, Field(discriminator="type")]


class Inbound(_Model):
    method: Annotated[
        Literal["any", "get", "post", "put", "delete"],
        Property(
            label="Webhook method",
            group="endpoint",
            description="Select HTTP method",
            choices=(
                Choice("any", "Any"),
                Choice("get", "GET"),
                Choice("post", "POST"),
                Choice("put", "PUT"),
                Choice("delete", "DELETE"),
            ),
        ),
    ] = "any"
    context: Annotated[
        str,
        Property(
            label="Webhook ID",
            group="endpoint",
            feel="disabled",
            description="The webhook ID is a part of the URL",
        ),
    ] = Field(pattern=CONTEXT_PATTERN)
    should_validate_hmac: Annotated[
        Literal["enabled", "disabled"],
        Property(
            label="HMAC authentication",
            group="authentication",
            description="Choose whether HMAC verification is enabled",
            choices=(Choice("enabled", "Enabled"), Choice("disabled", "Disabled")),
        ),
    ] = Field("disabled", alias="shouldValidateHmac")
    hmac_secret: Annotated[
        str | None,
        Blank,
        FEEL,
        Property(
            label="HMAC secret key",
            group="authentication",
            feel="optional",
            secret=True,
            description="Shared secret key",
            condition=Condition("shouldValidateHmac", equals="enabled"),
        ),
    ] = Field(None, alias="hmacSecret")
    hmac_header: Annotated[
        str | None,
        Blank,
        FEEL,
        Property(
            label="HMAC header",
            group="authentication",
            feel="optional",
            description="Name of header attribute that will contain the HMAC value",
            condition=Condition("shouldValidateHmac", equals="enabled"),
        ),
    ] = Field(None, alias="hmacHeader")
    hmac_algorithm: Annotated[
        Literal["sha_1", "sha_256", "sha_512"],
        Property(
            label="HMAC algorithm",
            group="authentication",
            description="Choose HMAC algorithm",
            choices=(
                Choice("sha_1", "SHA-1"),
                Choice("sha_256", "SHA-256"),
                Choice("sha_512", "SHA-512"),
            ),
            condition=Condition("shouldValidateHmac", equals="enabled"),
        ),
    ] = Field("sha_256", alias="hmacAlgorithm")
    hmac_scopes: Annotated[
        list[Annotated[HmacScope, BeforeValidator(_scope)]],
        BeforeValidator(_scopes),
        FEEL,
        Property(
            label="HMAC scopes",
            group="authentication",
            feel="required",
            type="String",
            description="Parts of the request the signature covers: BODY (default), URL, "
            "PARAMETERS",
            optional=True,
            condition=Condition("shouldValidateHmac", equals="enabled"),
        ),
    ] = Field(default_factory=lambda: list[HmacScope](["BODY"]), alias="hmacScopes")
    auth: Annotated[Auth, Property(label="Authorization type", group="authorization")] = Field(
        default_factory=NoAuth
    )
    verification_expression: Annotated[
        str | None,
        Blank,
        Property(
            label="One time verification response expression",
            group="webhookResponse",
            type="Text",
            feel="required",
            description="Specify condition and response",
        ),
    ] = Field(None, alias="verificationExpression")
    response_expression: Annotated[
        str | None,
        Blank,
        Property(
            label="Response expression",
            group="webhookResponse",
            type="Text",
            feel="required",
            description="Expression used to generate the HTTP response",
        ),
    ] = Field(None, alias="responseExpression")


class WebhookProperties(_Model):
    inbound: Inbound
