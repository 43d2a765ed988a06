"""Jdbi's parameter syntax, bound by the driver, never interpolated into the SQL text.

As camunda/connectors ``connectors/jdbc/.../model/client/JdbiJdbcClient.java`` binds them
(``bindVariables``): a context binds named parameters (``:name``), a list binds positional
ones (``?``), and a context entry whose value is a list and whose name appears as ``<name>``
expands to one parameter per element (Jdbi's ``bindList``, for ``IN (<ids>)``). Lexing follows
Jdbi's colon-prefix grammar (``ColonStatementLexer``): quoted text, double-quoted identifiers
and ``/* */`` comments are left alone, ``::`` (a PostgreSQL cast) and ``??`` stay literal.
Switchboard also leaves ``--`` comments and MySQL back-quoted names alone.

The checks are Jdbi's: a missing named parameter, bindings for a query that declares none,
named and positional parameters mixed, an empty list for ``<name>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.sql.errors import SqlBindingError

_TOKEN = re.compile(
    r"""
    (?P<quoted>'(?:[^'\\]|\\.|'')*'?)
  | (?P<dquoted>"[^"]*"?)
  | (?P<bquoted>`[^`]*`?)
  | (?P<comment>/\*.*?(?:\*/|\Z))
  | (?P<line>--[^\n]*)
  | (?P<escaped>\\.)
  | (?P<literal>::|\?\?)
  | (?P<named>:[\w.]+)
  | (?P<positional>\?)
  | (?P<text>[^'"`/\-\\:?]+|.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ATTRIBUTE = re.compile(r"<(\w+)>")


@dataclass(frozen=True)
class Statement:
    """The driver's SQL text and its arguments, in order."""

    sql: str
    arguments: tuple[Any, ...]
    names: tuple[str | None, ...]  # the parameter each argument fills (None: positional)


def prepare(
    query: str,
    variables: Any,
    placeholder: Callable[[int], str],
    literal: Callable[[str], str] = str,
) -> Statement:
    """Translate ``query`` and ``variables`` into a statement for one driver;
    ``placeholder(i)`` is the driver's marker for the i-th (0-based) argument, ``literal``
    escapes SQL text for it (``%`` -> ``%%`` for ``%s`` drivers)."""
    if variables is not None and not isinstance(variables, dict | list):
        raise SqlBindingError(
            f"data.variables: unexpected type {_java_type(variables)}. Only a context (named "
            "parameters) or a list (positional parameters) is supported."
        )
    named_values: dict[str, Any] = dict(variables) if isinstance(variables, dict) else {}
    if isinstance(variables, dict):
        query, named_values = _expand_lists(query, named_values)
    pieces = _tokens(query)
    named = [p for kind, p in pieces if kind == "named"]
    positional = sum(1 for kind, _ in pieces if kind == "positional")
    if named and positional:
        raise SqlBindingError(
            f"Cannot mix named and positional parameters in a SQL statement: {query}"
        )
    sql: list[str] = []
    arguments: list[Any] = []
    names: list[str | None] = []
    positional_values = list(variables) if isinstance(variables, list) else []
    if isinstance(variables, dict) and variables and not named:
        if positional:
            raise SqlBindingError("Missing positional parameter at position 0 in binding")
        raise SqlBindingError(
            "Superfluous named parameters provided while the query declares none: "
            f"{sorted(variables)}"
        )
    if isinstance(variables, list) and variables and not positional:
        raise SqlBindingError(
            "Superfluous positional parameters provided while the query declares none "
            f"({len(variables)} given)"
        )
    for kind, text in pieces:
        if kind == "named":
            name = text[1:]
            if name not in named_values:
                raise SqlBindingError(f"Missing named parameter '{name}' in binding")
            sql.append(placeholder(len(arguments)))
            arguments.append(named_values[name])
            names.append(name)
        elif kind == "positional":
            index = len(arguments)
            if index >= len(positional_values):
                raise SqlBindingError(
                    f"Missing positional parameter at position {index} in binding"
                )
            sql.append(placeholder(index))
            arguments.append(positional_values[index])
            names.append(None)
        elif kind == "literal":
            sql.append(literal(text[0] if text == "??" else text))
        else:
            sql.append(literal(text))
    return Statement("".join(sql), tuple(arguments), tuple(names))


def escape_percent(piece: str) -> str:
    """For drivers with ``%s`` markers: a literal ``%`` in the SQL text is written ``%%``."""
    return piece.replace("%", "%%")


def _tokens(query: str) -> list[tuple[str, str]]:
    result: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "text"
        result.append((kind, match.group()))
    return result


def _expand_lists(query: str, values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``<name>`` with a list value becomes ``:__name_0, :__name_1, ...`` (outside quotes and
    comments); such a list is then no binding of its own, as with Jdbi's ``bindList``."""
    lists = {k for k, v in values.items() if isinstance(v, list) and f"<{k}>" in query}
    if not lists:
        return query, values
    original = values
    values = {k: v for k, v in values.items() if k not in lists}

    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in lists:
            return match.group()
        items = original[name]
        if not items:
            raise SqlBindingError(
                f"data.variables.{name}: an empty list cannot be bound to <{name}>"
            )
        generated = [f"__{name}_{i}" for i in range(len(items))]
        for key, item in zip(generated, items, strict=True):
            values[key] = item
        return ", ".join(f":{key}" for key in generated)

    rebuilt = [
        _ATTRIBUTE.sub(expand, text) if kind == "text" else text for kind, text in _tokens(query)
    ]
    return "".join(rebuilt), values


def _java_type(value: Any) -> str:
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer"
    if isinstance(value, float):
        return "java.lang.Double"
    return type(value).__name__
