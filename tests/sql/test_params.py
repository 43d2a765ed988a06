"""Jdbi's parameter syntax turned into driver markers, values kept apart from the SQL text
(facts: camunda/connectors ``connectors/jdbc/src/main/java/io/camunda/connector/jdbc/model/
client/JdbiJdbcClient.java`` ``bindVariables``; Jdbi's ``ColonStatementLexer`` grammar and
``ArgumentBinder`` checks)."""

from __future__ import annotations

import pytest

from connectors.sql.errors import SqlBindingError
from connectors.sql.params import escape_percent, prepare


def dollar(i: int) -> str:
    return f"${i + 1}"


def test_named_parameters_each_get_a_marker_in_order() -> None:
    statement = prepare(
        "UPDATE t SET a = :a, b = :b WHERE a = :a", {"a": 1, "b": "x", "unused": 3}, dollar
    )
    assert statement.sql == "UPDATE t SET a = $1, b = $2 WHERE a = $3"
    assert statement.arguments == (1, "x", 1)
    assert statement.names == ("a", "b", "a")


def test_markers_inside_quotes_and_comments_are_text() -> None:
    query = (
        "SELECT ':no', \"col:x\", `b?`, 'it''s ?', '\\'' /* :c ? */ -- :d ?\n"
        "FROM t WHERE x::text = :x AND j ?? 'k'"
    )
    statement = prepare(query, {"x": 1}, dollar)
    assert statement.sql == (
        "SELECT ':no', \"col:x\", `b?`, 'it''s ?', '\\'' /* :c ? */ -- :d ?\n"
        "FROM t WHERE x::text = $1 AND j ? 'k'"
    )
    assert statement.arguments == (1,)


def test_positional_parameters() -> None:
    statement = prepare("INSERT INTO t VALUES (?, ?)", [1, None], lambda i: "%s")
    assert statement.sql == "INSERT INTO t VALUES (%s, %s)"
    assert statement.arguments == (1, None)


def test_a_binding_list_expands_to_one_marker_per_element() -> None:
    statement = prepare(
        "SELECT * FROM t WHERE id IN (<ids>) AND name = :name AND note = '<ids>'",
        {"ids": [3, 4, 5], "name": "n"},
        dollar,
    )
    assert statement.sql == (
        "SELECT * FROM t WHERE id IN ($1, $2, $3) AND name = $4 AND note = '<ids>'"
    )
    assert statement.arguments == (3, 4, 5, "n")


def test_a_list_not_named_in_brackets_is_one_value() -> None:
    statement = prepare("SELECT :tags", {"tags": ["a", "b"]}, dollar)
    assert statement.arguments == (["a", "b"],)


def test_percent_signs_are_doubled_for_percent_s_drivers() -> None:
    statement = prepare("SELECT '100%' WHERE a LIKE ?", ["x%"], lambda i: "%s", escape_percent)
    assert statement.sql == "SELECT '100%%' WHERE a LIKE %s"
    assert statement.arguments == ("x%",)


def test_no_variables_leave_the_query_as_it_is() -> None:
    assert prepare("SELECT 1", None, dollar).sql == "SELECT 1"


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        ("SELECT :a, :b", {"a": 1}, "Missing named parameter 'b' in binding"),
        ("SELECT 1", {"a": 1}, "Superfluous named parameters provided while the query declares"),
        ("SELECT ?", {"a": 1}, "Missing positional parameter at position 0"),
        ("SELECT ?, ?", [1], "Missing positional parameter at position 1"),
        ("SELECT 1", [1], "Superfluous positional parameters"),
        ("SELECT :a, ?", {"a": 1}, "Cannot mix named and positional parameters"),
        ("SELECT :a", 5, "Only a context (named parameters) or a list"),
        ("SELECT <ids>", {"ids": []}, "data.variables.ids: an empty list cannot be bound"),
    ],
)
def test_jdbis_binding_checks(query: str, variables: object, message: str) -> None:
    with pytest.raises(SqlBindingError) as raised:
        prepare(query, variables, dollar)
    assert message in str(raised.value)
