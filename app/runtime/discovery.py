"""Find connectors: Python entry points and Camunda-style ``CONNECTOR_*`` variables.

- Entry points in the group ``switchboard.connectors`` name ``@outbound_connector`` objects.
- ``CONNECTOR_<NAME>_FUNCTION=module:attribute`` names a connector or a plain function,
  with ``CONNECTOR_<NAME>_TYPE``, ``_INPUT_VARIABLES`` (comma list) and ``_TIMEOUT``.
- ``CONNECTOR_<CAMUNDA_NAME>_TYPE`` / ``_TIMEOUT`` override a discovered connector, with the
  name derived as Camunda derives it (:func:`camunda_name`: ``HTTP REST`` -> ``HTTP_REST``).
- ``_TIMEOUT`` is what it is in Camunda's runtime: the job worker's timeout (the job lock) in
  milliseconds, kept in ``extra["job_timeout_ms"]`` (camunda/connectors
  ``connector-runtime-core/.../core/config/ConnectorConfigurationOverrides.java`` and
  ``EnvVarsConnectorDiscovery.java``; ``OutboundConnectorManager`` sets it as the worker's
  timeout with ``Duration.ofMillis``). The execution timeout is Switchboard's own setting,
  ``SWITCHBOARD_CONNECTOR_<CAMUNDA_NAME>_EXECUTION_TIMEOUT_SECONDS``.
- ``CONNECTOR_OUTBOUND_ENABLED`` / ``CONNECTOR_OUTBOUND_DISABLED``: comma lists of types or
  normalised names; at most one of them may be set.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import re
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from connectors.sdk import OutboundConnector, outbound_connector

ENTRY_POINT_GROUP = "switchboard.connectors"
_FUNCTION_VAR = re.compile(r"^CONNECTOR_([A-Z0-9_]+?)_FUNCTION$")

log = logging.getLogger(__name__)


class DiscoveryError(Exception):
    """Discovery cannot produce a consistent set of connectors (start-up must stop)."""


@dataclass(frozen=True)
class FailedConnector:
    """A connector that could not be loaded, and why."""

    name: str
    source: str
    reason: str


@dataclass(frozen=True)
class DisabledConnector:
    connector: OutboundConnector
    reason: str


@dataclass(frozen=True)
class DiscoveryResult:
    connectors: tuple[OutboundConnector, ...]
    failed: tuple[FailedConnector, ...] = ()
    disabled: tuple[DisabledConnector, ...] = ()


def normalised_name(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


def camunda_name(name: str) -> str:
    """A connector name as Camunda's runtime puts it into ``CONNECTOR_<NAME>_*`` variables:
    trimmed, every character but letters, digits, ``_`` and space dropped, spaces turned into
    ``_``, upper-cased (``My super-fancy connector`` -> ``MY_SUPERFANCY_CONNECTOR``;
    ConnectorConfigurationOverrides.toNormalizedConnectorName)."""
    return re.sub(r"[^a-zA-Z0-9_ ]", "", name.strip()).replace(" ", "_").upper()


EntryPointLoader = Callable[[], Iterable[importlib.metadata.EntryPoint]]


def _installed_entry_points() -> Iterable[importlib.metadata.EntryPoint]:
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def discover(
    environ: Mapping[str, str],
    entry_points: EntryPointLoader = _installed_entry_points,
) -> DiscoveryResult:
    """Load every connector; failures to import are collected, not raised.

    Raises :class:`DiscoveryError` for duplicate types, conflicting filters or invalid
    ``CONNECTOR_*`` values.
    """
    found: list[OutboundConnector] = []
    failed: list[FailedConnector] = []

    for ep in entry_points():
        source = f"entry point {ep.name} ({ep.value})"
        try:
            obj = ep.load()
        except Exception as exc:  # a broken connector must not stop the others
            failed.append(_failure(ep.name, source, exc))
            continue
        if not isinstance(obj, OutboundConnector):
            failed.append(
                FailedConnector(ep.name, source, f"{ep.value} is not an @outbound_connector object")
            )
            continue
        found.append(obj.with_overrides(source=source))

    for env_name in sorted(k for k in environ if _FUNCTION_VAR.match(k)):
        name = _FUNCTION_VAR.match(env_name).group(1)  # type: ignore[union-attr]
        try:
            found.append(_from_environment(name, environ))
        except DiscoveryError:
            raise
        except Exception as exc:
            failed.append(_failure(name, f"{env_name}={environ[env_name]}", exc))

    found = [_apply_overrides(c, environ) for c in found]
    _check_duplicates(found)
    enabled, disabled = _apply_filters(found, environ)
    return DiscoveryResult(tuple(enabled), tuple(failed), tuple(disabled))


def _failure(name: str, source: str, exc: BaseException) -> FailedConnector:
    log.error(
        "connector %s from %s failed to load:\n%s",
        name,
        source,
        "".join(traceback.format_exception(exc)),
    )
    return FailedConnector(name, source, f"{type(exc).__name__}: {exc}")


def _from_environment(name: str, environ: Mapping[str, str]) -> OutboundConnector:
    prefix = f"CONNECTOR_{name}_"
    target = environ[prefix + "FUNCTION"].strip()
    source = f"{prefix}FUNCTION={target}"
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise DiscoveryError(f"{prefix}FUNCTION: expected 'module:attribute', got {target!r}")
    obj: object = importlib.import_module(module_name)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    if isinstance(obj, OutboundConnector):
        connector = obj
    elif callable(obj):
        connector_type = environ.get(prefix + "TYPE", "").strip()
        if not connector_type:
            raise DiscoveryError(f"{prefix}TYPE: required when {source} is a plain function")
        connector = outbound_connector(name=name, type=connector_type)(obj)
    else:
        raise DiscoveryError(f"{source}: {target} is neither a connector nor a function")
    changes: dict[str, object] = {"source": source}
    if connector_type := environ.get(prefix + "TYPE", "").strip():
        changes["type"] = connector_type
    if variables := environ.get(prefix + "INPUT_VARIABLES"):
        changes["input_variables"] = tuple(v.strip() for v in variables.split(",") if v.strip())
    _timeouts(changes, connector, environ, name)
    return connector.with_overrides(**changes)


def _timeouts(
    changes: dict[str, object],
    connector: OutboundConnector,
    environ: Mapping[str, str],
    name: str,
) -> None:
    lock = f"CONNECTOR_{name}_TIMEOUT"
    if (value := environ.get(lock)) is not None:
        changes["extra"] = {**connector.extra, "job_timeout_ms": _parse_millis(lock, value)}
    execution = f"SWITCHBOARD_CONNECTOR_{name}_EXECUTION_TIMEOUT_SECONDS"
    if (value := environ.get(execution)) is not None:
        changes["timeout"] = _parse_timeout(execution, value)


def _parse_millis(variable: str, value: str) -> int:
    try:
        millis = int(value.strip())
    except ValueError:
        raise DiscoveryError(
            f"{variable}: expected the job timeout in milliseconds (an integer, as in "
            f"Camunda), got {value!r}"
        ) from None
    if millis <= 0:
        raise DiscoveryError(f"{variable}: must be greater than 0, got {value!r}")
    return millis


def _parse_timeout(variable: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise DiscoveryError(f"{variable}: expected a number of seconds, got {value!r}") from None
    if seconds <= 0:
        raise DiscoveryError(f"{variable}: must be greater than 0, got {value!r}")
    return seconds


def _apply_overrides(connector: OutboundConnector, environ: Mapping[str, str]) -> OutboundConnector:
    name = camunda_name(connector.name)
    prefix = f"CONNECTOR_{name}_"
    if f"{prefix}FUNCTION" in environ or connector.source.startswith("CONNECTOR_"):
        return connector  # defined by the environment: its own variables already applied
    changes: dict[str, object] = {}
    if connector_type := environ.get(prefix + "TYPE", "").strip():
        changes["type"] = connector_type
    _timeouts(changes, connector, environ, name)
    return connector.with_overrides(**changes) if changes else connector


def _check_duplicates(connectors: list[OutboundConnector]) -> None:
    by_type: dict[str, OutboundConnector] = {}
    for connector in connectors:
        if (other := by_type.get(connector.type)) is not None:
            raise DiscoveryError(
                f"two connectors have the type {connector.type!r}: "
                f"{other.source} and {connector.source}"
            )
        by_type[connector.type] = connector


def _split(value: str | None) -> set[str]:
    return {item.strip() for item in (value or "").split(",") if item.strip()}


def _apply_filters(
    connectors: list[OutboundConnector], environ: Mapping[str, str]
) -> tuple[list[OutboundConnector], list[DisabledConnector]]:
    enabled_only = _split(environ.get("CONNECTOR_OUTBOUND_ENABLED"))
    disabled_set = _split(environ.get("CONNECTOR_OUTBOUND_DISABLED"))
    if enabled_only and disabled_set:
        raise DiscoveryError(
            "CONNECTOR_OUTBOUND_ENABLED and CONNECTOR_OUTBOUND_DISABLED are mutually exclusive; "
            "set only one"
        )
    kept: list[OutboundConnector] = []
    dropped: list[DisabledConnector] = []
    for connector in connectors:
        keys = {connector.type, normalised_name(connector.name)}
        if enabled_only and not keys & enabled_only:
            dropped.append(DisabledConnector(connector, "not in CONNECTOR_OUTBOUND_ENABLED"))
        elif keys & disabled_set:
            dropped.append(DisabledConnector(connector, "listed in CONNECTOR_OUTBOUND_DISABLED"))
        else:
            kept.append(connector)
    known = {key for c in connectors for key in (c.type, normalised_name(c.name))}
    for variable, entries in (
        ("CONNECTOR_OUTBOUND_ENABLED", enabled_only),
        ("CONNECTOR_OUTBOUND_DISABLED", disabled_set),
    ):
        # Not an error (one configuration may serve replicas with other connectors), but a
        # typo in ENABLED silently turns every connector off.
        if unknown := sorted(entries - known):
            log.warning("%s: %s match(es) no discovered connector", variable, ", ".join(unknown))
    return kept, dropped
