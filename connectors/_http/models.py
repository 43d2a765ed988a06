"""Input models shared by the REST and GraphQL connectors.

Binding names (aliases) are those of Camunda's official element templates. Values may arrive
as template strings ("20", "true"), so numbers and booleans are parsed leniently.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from connectors._http.url import URL_PATTERN as URL_REGEX
from connectors.sdk import Choice, Condition, Property
from connectors.sdk.fields import Configuration
from connectors.sdk.validators import blank_to_none, upper_text

GROUP_AUTH = "authentication"
DEFAULT_TIMEOUT_SECONDS = 20.0


def _null_to_false(value: Any) -> Any:
    return False if blank_to_none(value) is None else value


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ValueError("values must be strings, numbers, booleans or lists of them")


def _string_map(value: Any) -> Any:
    value = blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError("must be a map (a FEEL context or a JSON object)") from None
    if not isinstance(value, dict):
        raise ValueError("must be a map (a FEEL context or a JSON object)")
    result: dict[str, str | list[str]] = {}
    for key, item in value.items():
        if item is None:
            continue
        try:
            if isinstance(item, list):
                result[str(key)] = [_scalar_text(v) for v in item if v is not None]
            else:
                result[str(key)] = _scalar_text(item)
        except ValueError as exc:
            raise ValueError(f"entry '{key}': {exc}") from None
    return result


def _json_object(value: Any) -> Any:
    value = blank_to_none(value)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError("must be a map (a FEEL context or a JSON object)") from None
    return value


def lower_text(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _bool_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return blank_to_none(value)


FlexBool = Annotated[bool, BeforeValidator(_null_to_false)]
Seconds = Annotated[Annotated[float, Field(ge=0)] | None, BeforeValidator(blank_to_none)]
StringMap = Annotated[dict[str, str | list[str]] | None, BeforeValidator(_string_map)]
JsonObject = Annotated[dict[str, Any] | None, BeforeValidator(_json_object)]
OptionalText = Annotated[str | None, BeforeValidator(blank_to_none)]
SkipEncoding = Annotated[str | None, BeforeValidator(_bool_text)]
NonEmpty = Annotated[str, Field(min_length=1)]
URL_PATTERN = r"^(=|(http://|https://|secrets|\{\{).*$)"


def check_pattern(value: str) -> str:
    """Camunda's URL constraint (``@Pattern`` on HttpCommonRequest.url and the OAuth token
    endpoints): ``http://`` or ``https://``, case-sensitive; the message is theirs."""
    if not URL_REGEX.fullmatch(value):
        raise PydanticCustomError("url_pattern", "Must be a http(s) URL")
    return value


# Camunda validates URL inputs against the template's pattern (case-sensitive).
UrlText = Annotated[str, Field(min_length=1), AfterValidator(check_pattern)]


def _auth_text(label: str, *, secret: bool = False, **extra: Any) -> Property:
    return Property(label=label, group=GROUP_AUTH, feel="optional", secret=secret, **extra)


# Secret fields (Property(secret=True)) are left out of str() and repr() by pydantic itself.
HIDDEN = Field(repr=False)


class NoAuthentication(BaseModel):
    model_config = ConfigDict(title="None")
    type: Literal["noAuth"] = "noAuth"


class BasicAuthentication(BaseModel):
    model_config = ConfigDict(title="Basic")
    type: Literal["basic"] = "basic"
    username: Annotated[NonEmpty, _auth_text("Username")]
    # Camunda validates no password (an empty one sends "user:").
    password: Annotated[str | None, _auth_text("Password", secret=True), HIDDEN] = None


class BearerAuthentication(BaseModel):
    model_config = ConfigDict(title="Bearer token")
    type: Literal["bearer"] = "bearer"
    token: Annotated[NonEmpty, _auth_text("Bearer token", secret=True), HIDDEN]


class ApiKeyAuthentication(BaseModel):
    model_config = ConfigDict(title="API key")
    type: Literal["apiKey"] = "apiKey"
    api_key_location: Annotated[
        Literal["headers", "query"],
        BeforeValidator(lower_text),
        Property(
            label="Api key location",
            group=GROUP_AUTH,
            value="headers",
            choices=(Choice("headers", "Headers"), Choice("query", "Query parameters")),
            tooltip="Send API key in header or as query parameter.",
        ),
        Field(alias="apiKeyLocation"),
    ] = "headers"
    name: Annotated[NonEmpty, _auth_text("API key name")]
    value: Annotated[NonEmpty, _auth_text("API key value", secret=True), HIDDEN]


def url_constraint() -> dict[str, Any]:
    """The official template's URL pattern, for the template generator (checked in code)."""
    return {"constraints": {"pattern": {"value": URL_PATTERN, "message": "Must be a http(s) URL"}}}


# The endpoint fields of the REST connector's template, which the HTTP polling templates repeat.
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
METHOD_PROPERTY = Property(
    label="Method",
    group="endpoint",
    value="GET",
    choices=(
        Choice("POST", "POST"),
        Choice("GET", "GET"),
        Choice("DELETE", "DELETE"),
        Choice("PATCH", "PATCH"),
        Choice("PUT", "PUT"),
    ),
)
URL_PROPERTY = Property(label="URL", group="endpoint", feel="optional", extra=url_constraint())
BODY_CONDITION = Condition(property="method", one_of=("POST", "PUT", "PATCH"))


class OAuthClientCredentials(BaseModel):
    model_config = ConfigDict(title="OAuth 2.0")
    type: Literal["oauth-client-credentials-flow"] = "oauth-client-credentials-flow"
    oauth_token_endpoint: Annotated[
        UrlText,
        _auth_text("OAuth 2.0 token endpoint", extra=url_constraint()),
        Field(alias="oauthTokenEndpoint"),
    ]
    client_id: Annotated[
        NonEmpty,
        _auth_text("Client ID", tooltip="Your application's client ID from the OAuth client"),
        Field(alias="clientId"),
    ]
    client_secret: Annotated[
        NonEmpty,
        _auth_text("Client secret", secret=True),
        Field(alias="clientSecret"),
        HIDDEN,
    ]
    audience: Annotated[
        OptionalText,
        _auth_text(
            "Audience",
            optional=True,
            tooltip="The unique identifier of the target API you want to access",
        ),
    ] = None
    client_authentication: Annotated[
        Literal["credentialsBody", "basicAuthHeader"],
        Property(
            label="Client authentication",
            group=GROUP_AUTH,
            choices=(
                Choice("credentialsBody", "Send client credentials in body"),
                Choice("basicAuthHeader", "Send as Basic Auth header"),
            ),
            tooltip="Send client ID and client secret as a Basic Auth header, or as client "
            "credentials in the request body",
        ),
        Field(alias="clientAuthentication"),
    ]
    scopes: Annotated[
        OptionalText,
        _auth_text("Scopes", optional=True, placeholder="read:contacts"),
    ] = None


class OAuthRefreshToken(BaseModel):
    model_config = ConfigDict(title="OAuth 2.0 Refresh Token")
    type: Literal["oauth-refresh-token"] = "oauth-refresh-token"
    oauth_token_endpoint: Annotated[
        UrlText,
        _auth_text("OAuth 2.0 token endpoint", extra=url_constraint()),
        Field(alias="oauthTokenEndpoint"),
    ]
    client_id: Annotated[NonEmpty, _auth_text("Client ID"), Field(alias="clientId")]
    client_secret: Annotated[
        OptionalText,
        _auth_text("Client secret", secret=True, optional=True),
        Field(alias="clientSecret"),
        HIDDEN,
    ] = None
    refresh_token: Annotated[
        NonEmpty,
        _auth_text("Refresh token", secret=True),
        Field(alias="refreshToken"),
        HIDDEN,
    ]
    scopes: Annotated[OptionalText, _auth_text("Scopes", optional=True)] = None


AuthenticationVariant = Annotated[
    NoAuthentication
    | BasicAuthentication
    | BearerAuthentication
    | ApiKeyAuthentication
    | OAuthClientCredentials
    | OAuthRefreshToken,
    Field(discriminator="type"),
]


def _default_auth(value: Any) -> Any:
    return {"type": "noAuth"} if blank_to_none(value) is None or value == {} else value


Authentication = Annotated[
    AuthenticationVariant,
    BeforeValidator(_default_auth),
    Property(
        label="Type",
        group=GROUP_AUTH,
        value="noAuth",
        description="Choose the authentication type. Select 'None' if no authentication is "
        "necessary",
        choices=(
            Choice("apiKey", "API key"),
            Choice("basic", "Basic"),
            Choice("bearer", "Bearer token"),
            Choice("noAuth", "None"),
            Choice("oauth-client-credentials-flow", "OAuth 2.0"),
            Choice("oauth-refresh-token", "OAuth 2.0 Refresh Token"),
        ),
    ),
]


# The inline fields, shown while no reusable credential is chosen (top-level models only).
WITHOUT_CONFIGURATION = Property(
    condition=Condition(property="authenticationConfiguration", is_empty=True)
)


class AuthenticationConfiguration(BaseModel):
    """A reusable credential bound as a whole (Camunda 8.10 "Configuration" property)."""

    authentication: Authentication = Field(default_factory=NoAuthentication)


REST_AUTHENTICATION = Configuration(
    id="io.camunda.connectors:rest-authentication:1",
    name="REST Authentication",
    version=1,
)

AuthConfigurationField = Annotated[
    AuthenticationConfiguration | None,
    BeforeValidator(blank_to_none),
    Property(
        label="Authentication credential",
        group=GROUP_AUTH,
        optional=True,
        description="Choose a reusable REST authentication credential. When set, it is bound as "
        "a whole to the connector's 'authenticationConfiguration' input.",
        configuration=REST_AUTHENTICATION,
    ),
    Field(alias="authenticationConfiguration"),
]


def _tls_text(label: str, tooltip: str, *, text: bool = True, secret: bool = False) -> Property:
    return Property(
        label=label,
        group="tls",
        feel="optional",
        optional=True,
        type="Text" if text else None,
        secret=secret,
        tooltip=tooltip,
    )


class ClientTls(BaseModel):
    """PEM material for mutual TLS and a custom trust anchor."""

    client_certificate: Annotated[
        OptionalText,
        _tls_text(
            "Client certificate (PEM)",
            "PEM-encoded client certificate chain presented to the server for mTLS. Provide "
            "together with the private key.",
        ),
        Field(alias="clientCertificate"),
    ] = None
    client_private_key: Annotated[
        OptionalText,
        _tls_text(
            "Client private key (PEM)",
            "PEM-encoded private key, optionally encrypted.",
            secret=True,
        ),
        Field(alias="clientPrivateKey"),
        HIDDEN,
    ] = None
    private_key_password: Annotated[
        OptionalText,
        _tls_text(
            "Private key password",
            "Password protecting the private key. Leave empty if it is not encrypted.",
            text=False,
            secret=True,
        ),
        Field(alias="privateKeyPassword"),
        HIDDEN,
    ] = None
    trusted_certificate: Annotated[
        OptionalText,
        _tls_text(
            "Trusted CA certificate (PEM)",
            "Optional PEM-encoded CA certificate(s) used to validate the server. If empty, the "
            "default trust store is used.",
        ),
        Field(alias="trustedCertificate"),
    ] = None


class DocumentReturnFormat(BaseModel):
    """How the response body is returned (Camunda 8.10 templates)."""

    choice: Annotated[
        Literal["JSON", "TEXT", "DOCUMENT"],
        BeforeValidator(upper_text),
        Property(
            label="Response format",
            group="endpoint",
            value="JSON",
            choices=(
                Choice("DOCUMENT", "Document reference"),
                Choice("TEXT", "as text"),
                Choice("JSON", "as JSON"),
            ),
            tooltip="How the response body should be returned: as JSON parses it, as text "
            "decodes it as a string. Document references are not supported by Switchboard.",
        ),
    ] = "JSON"
    encoding: Annotated[
        OptionalText,
        Property(
            label="Encoding",
            group="endpoint",
            feel="optional",
            value="UTF-8",
            condition=Condition(property="documentReturnFormat.choice", equals="TEXT"),
        ),
    ] = None


def skips_encoding(value: str | None) -> bool:
    """The ``skipEncoding`` input (text in the template) as a flag."""
    return (value or "").strip().lower() == "true"


def timeout_property(label: str, *, optional: bool = False) -> Property:
    return Property(
        label=label,
        group="timeout",
        feel="static",
        type="Number",
        value=20,
        optional=optional or None,
        tooltip="Use 0 for an infinite timeout",
    )


def read_timeouts(
    connection: float | None, read: float | None
) -> tuple[float | None, float | None]:
    """Apply Camunda's defaults: 20 s; read falls back to connection; 0 means no timeout."""
    connect = DEFAULT_TIMEOUT_SECONDS if connection is None else connection
    read_value = read if read is not None else connect
    return (connect or None), (read_value or None)
