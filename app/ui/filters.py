"""The executions page's filter form: query parameters in, a repository filter out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from starlette.datastructures import QueryParams

from app.db.executions_repo import COMMANDS, ExecutionFilter

SOURCES = ("zeebe", "camunda-rest", "camunda7", "rest", "cli", "webhook", "inbound")
DIRECTIONS = ("outbound", "inbound")
INBOUND_OUTCOMES = ("correlated", "duplicate", "unmatched", "verified", "rejected", "failed")
TEXT_FIELDS = (
    "direction",
    "elementId",
    "processDefinitionKey",
    "inboundContext",
    "connectorType",
    "command",
    "source",
    "processInstanceKey",
    "bpmnProcessId",
    "errorCode",
    "startedAfter",
    "startedBefore",
)
LABELS = {"startedAfter": "Started from", "startedBefore": "Started before"}
MAX_KEY = 2**63 - 1
MAX_TEXT = 255


@dataclass
class ParsedFilters:
    """The filter, the form's values to show again, the query to keep, and what was wrong."""

    where: ExecutionFilter
    shown: dict[str, str]
    query: dict[str, str]
    problems: list[str] = field(default_factory=list)


def parse_filters(params: QueryParams) -> ParsedFilters:
    """Read the filter form. Times without an offset are UTC (the page shows UTC)."""
    raw = {name: params.get(name, "").strip() for name in TEXT_FIELDS}
    shown = dict(raw)
    problems: list[str] = []

    key = _key(raw["processInstanceKey"], "Process instance key", problems)
    definition_key = _key(raw["processDefinitionKey"], "Process definition key", problems)
    times: dict[str, dt.datetime | None] = {}
    for name in ("startedAfter", "startedBefore"):
        times[name] = None
        if raw[name]:
            try:
                instant = parse_instant(raw[name])
            except ValueError as exc:
                problems.append(f"{LABELS[name]}: {exc}")
            else:
                times[name] = instant
                shown[name] = local_input_value(instant)
    after, before = times["startedAfter"], times["startedBefore"]
    if after is not None and before is not None and after >= before:
        problems.append("Started from must be earlier than Started before.")
    for name in ("connectorType", "bpmnProcessId", "errorCode", "elementId", "inboundContext"):
        if len(raw[name]) > MAX_TEXT or "\x00" in raw[name]:
            problems.append(f"{name}: at most {MAX_TEXT} characters, no NUL characters.")
            raw[name] = ""

    where = ExecutionFilter(
        connector_type=raw["connectorType"] or None,
        command=raw["command"] if raw["command"] in COMMANDS + INBOUND_OUTCOMES else None,
        source=raw["source"] if raw["source"] in SOURCES else None,
        process_instance_key=key,
        bpmn_process_id=raw["bpmnProcessId"] or None,
        error_code=raw["errorCode"] or None,
        started_after=after,
        started_before=before,
        direction=raw["direction"] if raw["direction"] in DIRECTIONS else None,
        element_id=raw["elementId"] or None,
        process_definition_key=definition_key,
        inbound_context=raw["inboundContext"] or None,
    )
    query = {name: value for name, value in raw.items() if value}
    return ParsedFilters(where=where, shown=shown, query=query, problems=problems)


def _key(text: str, label: str, problems: list[str]) -> int | None:
    if not text:
        return None
    try:
        key = int(text)
        if not 0 <= key <= MAX_KEY:
            raise ValueError
    except ValueError:
        problems.append(f"{label} must be a whole number from 0 to {MAX_KEY}.")
        return None
    return key


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 date or date and time; no offset means UTC."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("not a date and time (YYYY-MM-DDTHH:MM, UTC)") from None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError("out of range") from None


def local_input_value(value: dt.datetime) -> str:
    """``value`` (UTC) as an ``<input type="datetime-local">`` value."""
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:23]
    return value.strftime("%Y-%m-%dT%H:%M:%S" if value.second else "%Y-%m-%dT%H:%M")
