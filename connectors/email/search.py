"""Search criteria, as Camunda's template takes them (camunda/connectors
``.../client/jakarta/outbound/JakartaEmailActionExecutor.java`` ``createSearchTerms``;
``.../protocols/actions/SearchCriteria.java`` and ``SearchOperator.java``)::

    {"field": "SUBJECT", "value": "invoice"}                   fields FROM, SUBJECT, BODY
    {"operator": "AND", "criteria": [<criteria>, ...]}        operators AND, OR

IMAP searches on the server (``SEARCH FROM/SUBJECT/BODY``, as Jakarta Mail does); POP3 has
no search command, so messages are matched here as Jakarta Mail matches them: FROM compares
the sender's address (case-insensitive), SUBJECT and BODY look for a case-insensitive
substring of the subject and of the text parts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Any, Literal

from connectors.email.parse import Email
from connectors.sdk import ConnectorInputError

Field = Literal["FROM", "SUBJECT", "BODY"]
FIELDS = ("FROM", "SUBJECT", "BODY")
OPERATORS = ("AND", "OR")
_MAX_DEPTH = 16


@dataclass(frozen=True)
class Term:
    field: Field
    value: str


@dataclass(frozen=True)
class Combined:
    operator: Literal["AND", "OR"]
    terms: tuple[Term | Combined, ...]


Criteria = Term | Combined


def parse_criteria(value: Any, where: str) -> Criteria:
    """Validate the criteria input; raise ``ConnectorInputError`` naming the bad part."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("="):
            raise ConnectorInputError(f"{where}: a FEEL expression must produce a context")
        try:
            value = json.loads(text) if text else None
        except ValueError:
            raise ConnectorInputError(f"{where}: must be a FEEL context or JSON object") from None
    if value is None:
        raise ConnectorInputError(f"{where}: required for a search")
    return _parse(value, where, 0)


def _parse(value: Any, where: str, depth: int) -> Criteria:
    if depth > _MAX_DEPTH:
        raise ConnectorInputError(f"{where}: nested deeper than {_MAX_DEPTH} levels")
    if not isinstance(value, dict):
        raise ConnectorInputError(
            f"{where}: must be a context with field/value or operator/criteria"
        )
    if "operator" in value:
        operator = str(value.get("operator", "")).upper()
        if operator not in OPERATORS:
            raise ConnectorInputError(f"{where}.operator: must be AND or OR")
        items = value.get("criteria")
        if not isinstance(items, list) or not items:
            raise ConnectorInputError(f"{where}.criteria: must be a non-empty list")
        terms = tuple(
            _parse(item, f"{where}.criteria[{i}]", depth + 1) for i, item in enumerate(items)
        )
        return Combined(operator, terms)  # type: ignore[arg-type]
    field = str(value.get("field", "")).upper()
    if field not in FIELDS:
        raise ConnectorInputError(f"{where}.field: must be FROM, SUBJECT or BODY")
    raw = value.get("value")
    if raw is None or isinstance(raw, dict | list):
        raise ConnectorInputError(f"{where}.value: must be text")
    text = str(raw)
    if field == "FROM" and not any(addr for _, addr in getaddresses([text])):
        raise ConnectorInputError(f"{where}.value: '{text}' is not an e-mail address")
    return Term(field, text)  # type: ignore[arg-type]


def imap_query(criteria: Criteria, where: str) -> str:
    """The IMAP SEARCH key for the criteria (ASCII only: see the connector's docs)."""
    if isinstance(criteria, Term):
        value = criteria.value
        if criteria.field == "FROM":
            value = next(addr for _, addr in getaddresses([value]) if addr)
        if not value.isascii():
            raise ConnectorInputError(
                f"{where}: IMAP search values must be ASCII text ('{criteria.value}')"
            )
        return f"{criteria.field} {quote(value)}"
    parts = [imap_query(term, where) for term in criteria.terms]
    if criteria.operator == "AND":
        return "(" + " ".join(parts) + ")"
    query = parts[-1]
    for part in reversed(parts[:-1]):
        query = f"OR {part} {query}"
    return query


def matches(criteria: Criteria, message: Email) -> bool:
    """Match a (fully fetched) message here, as Jakarta Mail's search terms do."""
    if isinstance(criteria, Combined):
        results = (matches(term, message) for term in criteria.terms)
        return all(results) if criteria.operator == "AND" else any(results)
    wanted = criteria.value.lower()
    if criteria.field == "FROM":
        addr = next((a for _, a in getaddresses([criteria.value]) if a), "").lower()
        return message.from_address is not None and message.from_address.lower() == addr
    if criteria.field == "SUBJECT":
        return message.subject is not None and wanted in message.subject.lower()
    return any(wanted in text.lower() for text in message.text_parts())


def quote(text: str) -> str:
    """An IMAP quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
