"""Secret inputs of the HTTP connectors never show in str() or repr(): every field the models
declare secret (Property(secret=True)) is hidden by pydantic itself (Field(repr=False)),
and the connectors' own records of credentials do the same with dataclasses.field."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from connectors._http.config import HttpConfig
from connectors._http.oauth_cache import TokenResponse
from connectors._http.tls import JobTls
from connectors.graphql import GraphQLInput
from connectors.http_json import HttpJsonInput
from connectors.sdk import Property, bind

SENTINEL = "S3NT1NEL-secret-value"


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from models_in(arg)


def secret_fields(
    model: type[BaseModel], seen: set[type] | None = None
) -> Iterator[tuple[type, str]]:
    seen = set() if seen is None else seen
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        if any(isinstance(m, Property) and m.secret for m in info.metadata):
            yield model, name
        for nested in models_in(info.annotation):
            yield from secret_fields(nested, seen)


def test_the_models_declare_the_expected_secrets() -> None:
    names = {name for _, name in secret_fields(HttpJsonInput)}
    assert names == {
        "password",
        "token",
        "value",
        "client_secret",
        "refresh_token",
        "client_private_key",
        "private_key_password",
    }


AUTHS = [
    {"type": "basic", "username": "u", "password": SENTINEL},
    {"type": "bearer", "token": SENTINEL},
    {"type": "apiKey", "name": "X-Key", "value": SENTINEL},
    {
        "type": "oauth-client-credentials-flow",
        "oauthTokenEndpoint": "http://127.0.0.1/token",
        "clientId": "id",
        "clientSecret": SENTINEL,
        "clientAuthentication": "credentialsBody",
    },
    {
        "type": "oauth-refresh-token",
        "oauthTokenEndpoint": "http://127.0.0.1/token",
        "clientId": "id",
        "clientSecret": SENTINEL,
        "refreshToken": SENTINEL,
    },
]
TLS = {"clientPrivateKey": SENTINEL, "privateKeyPassword": SENTINEL}


@pytest.mark.parametrize("auth", AUTHS, ids=[a["type"] for a in AUTHS])
def test_no_secret_shows_in_str_or_repr(auth: dict[str, Any]) -> None:
    rest = bind(
        HttpJsonInput,
        {"method": "GET", "url": "http://127.0.0.1/", "authentication": auth, "clientTls": TLS},
    )
    configured = bind(
        HttpJsonInput,
        {
            "method": "GET",
            "url": "http://127.0.0.1/",
            "authenticationConfiguration": {"authentication": auth},
        },
    )
    gql = bind(
        GraphQLInput,
        {
            "graphql": {"method": "get", "url": "http://127.0.0.1/", "query": "{a}"},
            "authentication": auth,
        },
    )
    for model in (rest, rest.authentication, rest.client_tls, configured, gql, gql.authentication):
        assert SENTINEL not in str(model)
        assert SENTINEL not in repr(model)
    # Only the display is affected: the values are there for the request.
    assert SENTINEL in rest.authentication.model_dump_json()
    assert rest.client_tls is not None and rest.client_tls.client_private_key == SENTINEL


def test_the_connectors_records_of_credentials_hide_them_too() -> None:
    tls = JobTls(client_private_key=SENTINEL, private_key_password=SENTINEL)
    token = TokenResponse(SENTINEL, 60.0)
    config = HttpConfig.from_env(
        {
            "CONNECTOR_HTTP_PROXY_HOST": "proxy",
            "CONNECTOR_HTTP_PROXY_PORT": "3128",
            "CONNECTOR_HTTP_PROXY_PASSWORD": SENTINEL,
            "SWITCHBOARD_HTTP_CLIENT_KEY_PASSWORD": SENTINEL,
        }
    )
    for value in (tls, token, config.http_proxy):
        assert SENTINEL not in repr(value) and SENTINEL not in str(value)
