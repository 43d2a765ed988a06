from __future__ import annotations

import logging
from importlib.metadata import EntryPoint

import pytest

from app.runtime.discovery import DiscoveryError, camunda_name, discover, normalised_name
from app.runtime.registry import ConnectorRegistry

ECHO = EntryPoint("echo", "connectors.echo:echo", "switchboard.connectors")
ORDER = EntryPoint(
    "order", "tests.foundation.sample_connectors:order_sync", "switchboard.connectors"
)
BROKEN = EntryPoint("broken", "tests.foundation.broken_connector:x", "switchboard.connectors")
NOT_A_CONNECTOR = EntryPoint(
    "plain", "tests.foundation.sample_connectors:plain_function", "switchboard.connectors"
)


def eps(*points: EntryPoint):  # type: ignore[no-untyped-def]
    return lambda: points


def test_entry_points_are_discovered() -> None:
    result = discover({}, eps(ECHO, ORDER))
    assert [c.type for c in result.connectors] == ["switchboard:echo:1", "test:order:1"]
    assert result.connectors[1].source == (
        "entry point order (tests.foundation.sample_connectors:order_sync)"
    )


def test_installed_entry_points_include_echo() -> None:
    registry = ConnectorRegistry.from_environment({})
    assert registry.get("switchboard:echo:1") is not None


def test_environment_plain_function_with_type_variables_and_timeout() -> None:
    env = {
        "CONNECTOR_PLAIN_FUNCTION": "tests.foundation.sample_connectors:plain_function",
        "CONNECTOR_PLAIN_TYPE": "test:plain:1",
        "CONNECTOR_PLAIN_INPUT_VARIABLES": "a, b",
        "CONNECTOR_PLAIN_TIMEOUT": "45000",
        "SWITCHBOARD_CONNECTOR_PLAIN_EXECUTION_TIMEOUT_SECONDS": "2.5",
    }
    (connector,) = discover(env, eps()).connectors
    assert connector.type == "test:plain:1"
    assert connector.input_variables == ("a", "b")
    assert connector.timeout == 2.5
    assert connector.extra["job_timeout_ms"] == 45_000
    assert (
        connector.source
        == "CONNECTOR_PLAIN_FUNCTION=tests.foundation.sample_connectors:plain_function"
    )


def test_environment_connector_object_keeps_its_type_unless_overridden() -> None:
    env = {"CONNECTOR_ORDER_FUNCTION": "tests.foundation.sample_connectors:order_sync"}
    assert discover(env, eps()).connectors[0].type == "test:order:1"
    env["CONNECTOR_ORDER_TYPE"] = "custom:order:2"
    assert discover(env, eps()).connectors[0].type == "custom:order:2"


def test_plain_function_without_type_is_an_error() -> None:
    env = {"CONNECTOR_PLAIN_FUNCTION": "tests.foundation.sample_connectors:plain_function"}
    with pytest.raises(DiscoveryError, match="CONNECTOR_PLAIN_TYPE: required"):
        discover(env, eps())


def test_bad_function_reference_is_an_error() -> None:
    with pytest.raises(DiscoveryError, match="expected 'module:attribute'"):
        discover({"CONNECTOR_X_FUNCTION": "no_colon_here"}, eps())


def test_overrides_for_discovered_connectors() -> None:
    assert normalised_name("Order Sync") == "ORDER_SYNC"
    env = {
        "CONNECTOR_ORDER_SYNC_TYPE": "renamed:1",
        "CONNECTOR_ORDER_SYNC_TIMEOUT": "9000",
        "SWITCHBOARD_CONNECTOR_ORDER_SYNC_EXECUTION_TIMEOUT_SECONDS": "4",
    }
    (connector,) = discover(env, eps(ORDER)).connectors
    assert (connector.type, connector.timeout) == ("renamed:1", 4.0)
    assert connector.extra["job_timeout_ms"] == 9000


def test_connector_timeout_is_the_job_lock_in_milliseconds_as_in_camunda() -> None:
    """``CONNECTOR_<NAME>_TIMEOUT`` is the job worker's timeout in milliseconds, with the name
    derived as Camunda derives it (camunda/connectors connector-runtime-core/.../core/config/
    ConnectorConfigurationOverrides.java: toNormalizedConnectorName; Long.parseLong; used as
    Duration.ofMillis in connector-runtime-spring/.../OutboundConnectorManager.java)."""
    assert camunda_name("HTTP REST") == "HTTP_REST"
    assert camunda_name(" My super-fancy connector ") == "MY_SUPERFANCY_CONNECTOR"
    assert camunda_name("my.connector") == "MYCONNECTOR"
    (connector,) = discover({"CONNECTOR_ORDER_SYNC_TIMEOUT": "60000"}, eps(ORDER)).connectors
    assert connector.extra["job_timeout_ms"] == 60_000
    assert connector.timeout == ORDER.load().timeout  # the execution timeout is untouched


def test_invalid_timeout_names_the_variable() -> None:
    with pytest.raises(DiscoveryError, match="CONNECTOR_ORDER_SYNC_TIMEOUT: expected the job"):
        discover({"CONNECTOR_ORDER_SYNC_TIMEOUT": "soon"}, eps(ORDER))
    with pytest.raises(DiscoveryError, match="CONNECTOR_ORDER_SYNC_TIMEOUT: expected the job"):
        discover({"CONNECTOR_ORDER_SYNC_TIMEOUT": "2.5"}, eps(ORDER))
    variable = "SWITCHBOARD_CONNECTOR_ORDER_SYNC_EXECUTION_TIMEOUT_SECONDS"
    with pytest.raises(DiscoveryError, match=f"{variable}: expected a number"):
        discover({variable: "soon"}, eps(ORDER))


def test_disabled_filter() -> None:
    result = discover({"CONNECTOR_OUTBOUND_DISABLED": "switchboard:echo:1"}, eps(ECHO, ORDER))
    assert [c.type for c in result.connectors] == ["test:order:1"]
    assert [d.connector.type for d in result.disabled] == ["switchboard:echo:1"]


def test_enabled_filter_accepts_names_and_types() -> None:
    result = discover({"CONNECTOR_OUTBOUND_ENABLED": "ORDER_SYNC"}, eps(ECHO, ORDER))
    assert [c.type for c in result.connectors] == ["test:order:1"]


def test_filter_entries_matching_nothing_are_warned_about(
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = {"CONNECTOR_OUTBOUND_ENABLED": "switchboard:echo:1, io.camunda:http-jsn:1"}
    with caplog.at_level(logging.WARNING, logger="app.runtime.discovery"):
        result = discover(env, eps(ECHO, ORDER))
    assert [c.type for c in result.connectors] == ["switchboard:echo:1"]
    assert caplog.messages == [
        "CONNECTOR_OUTBOUND_ENABLED: io.camunda:http-jsn:1 match(es) no discovered connector"
    ]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="app.runtime.discovery"):
        discover({"CONNECTOR_OUTBOUND_DISABLED": "ORDER_SYNC"}, eps(ECHO, ORDER))
    assert caplog.messages == []


def test_filters_are_mutually_exclusive() -> None:
    env = {"CONNECTOR_OUTBOUND_ENABLED": "a", "CONNECTOR_OUTBOUND_DISABLED": "b"}
    with pytest.raises(DiscoveryError, match="mutually exclusive"):
        discover(env, eps(ECHO))


def test_duplicate_types_name_both_sources() -> None:
    env = {"CONNECTOR_CLASH_FUNCTION": "tests.foundation.sample_connectors:clashing_echo"}
    with pytest.raises(DiscoveryError) as info:
        discover(env, eps(ECHO))
    message = str(info.value)
    assert "switchboard:echo:1" in message
    assert "entry point echo (connectors.echo:echo)" in message
    assert "CONNECTOR_CLASH_FUNCTION=tests.foundation.sample_connectors:clashing_echo" in message


def test_broken_connector_is_reported_and_others_still_load(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        result = discover({}, eps(BROKEN, ECHO, NOT_A_CONNECTOR))
    assert [c.type for c in result.connectors] == ["switchboard:echo:1"]
    reasons = {f.name: f.reason for f in result.failed}
    assert reasons["broken"] == "RuntimeError: this connector module is broken on purpose"
    assert "is not an @outbound_connector object" in reasons["plain"]
    assert "Traceback" in caplog.text and "broken on purpose" in caplog.text
    states = {e.name: e.state for e in ConnectorRegistry(result).entries()}
    assert states == {"Echo": "enabled", "broken": "failed", "plain": "failed"}
