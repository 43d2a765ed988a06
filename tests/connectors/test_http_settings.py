"""One source of truth for the HTTP connectors' options: app.settings derives its fields from
connectors/_http/config.py, and both read the same values."""

from __future__ import annotations

import pytest

from app.settings import Settings, load_settings
from app.settings.http import HttpSettings, field_name
from connectors._http.config import SETTINGS, HttpConfig


def test_every_connector_option_is_a_setting_with_its_default_and_description() -> None:
    assert len(HttpSettings.model_fields) == len(SETTINGS)
    for setting in SETTINGS:
        info = Settings.model_fields[field_name(setting)]
        assert info.validation_alias == setting.env
        assert info.description == setting.description
        assert info.default == setting.default


def test_settings_and_the_connectors_read_the_same_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {
        "CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE": "1234",
        "SWITCHBOARD_HTTP_MAX_CONNECTIONS": "7",
        "SWITCHBOARD_HTTP_HTTP2": "true",
        "CONNECTOR_HTTP_PROXY_HOST": "proxy.internal",
        "CONNECTOR_HTTP_PROXY_PORT": "3128",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(_env_file=None)
    config = HttpConfig.from_env(env)
    assert settings.connector_http_client_max_body_size == config.max_body_bytes == 1234
    assert settings.switchboard_http_max_connections == config.max_connections == 7
    assert settings.switchboard_http_http2 is config.http2 is True
    assert config.http_proxy is not None
    assert settings.connector_http_proxy_port == config.http_proxy.port == 3128


def test_defaults_agree() -> None:
    settings = load_settings(_env_file=None)
    config = HttpConfig.from_env({})
    assert settings.connector_http_client_max_body_size == config.max_body_bytes
    assert settings.switchboard_http_max_connections == config.max_connections
    assert settings.switchboard_http_http2 is config.http2 is False


def test_the_connectors_do_not_import_app() -> None:
    import ast
    from pathlib import Path

    root = Path(__file__).parents[2] / "connectors"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n == "app" or n.startswith("app.") for n in names), path
