"""Placeholder scanning and substitution follow the Camunda connector runtime
(camunda/connectors connector-runtime/connector-runtime-core/src/main/java/io/camunda/
connector/runtime/core/secret/SecretUtil.java): its two patterns, run over the variables'
JSON text, keys included; the braced form first, then the bare form over the result."""

from __future__ import annotations

import json

import pytest

from connectors.sdk.placeholders import names_in, substitute


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Bearer {{secrets.API_TOKEN}}", {"API_TOKEN"}),
        ("{{ secrets.API_TOKEN }}", {"API_TOKEN"}),
        ("{{\tsecrets.A\n}}", {"A"}),
        ("secrets.API_TOKEN", {"API_TOKEN"}),
        ("postgres://u:secrets.db/password@h", {"db/password"}),
        ("{{secrets.db/password}}", {"db/password"}),
        ("secrets.my-key.v2", {"my-key.v2"}),
        # a trailing separator ends the bare name
        ("see secrets.TOKEN.", {"TOKEN"}),
        ("secrets.A_", {"A"}),
        # bare names need a letter or digit after "secrets." and between separators
        ("secrets._A", set()),
        ("secrets.A__B", {"A"}),
        # like Camunda, the bare form is found right after other characters
        ("mysecrets.X", {"X"}),
        ("x.secrets.Y", {"Y"}),
        # the braced form takes any non-space characters up to the first "}}"; like
        # retrieveSecretKeysInInput, both patterns are run, so the bare one finds "a" too
        ("{{secrets.a:b@c}}", {"a:b@c", "a"}),
        ("{{secrets.A}}}", {"A"}),
        # a space inside the name breaks the braced form; the bare form still matches
        ("{{secrets.A B}}", {"A"}),
        # Java's \s is ASCII-only: a no-break space is part of a braced name
        ("{{secrets.A\u00a0B}}", {"A\u00a0B", "A"}),
        ("{{secrets.}}", set()),
        ("no placeholder here", set()),
        ("secrets", set()),
    ],
)
def test_names_in_text(text: str, names: set[str]) -> None:
    assert names_in(text) == names


def test_names_in_nested_values_and_keys_but_not_non_strings() -> None:
    # Camunda scans the variables' JSON text, so object keys count too.
    variables = {
        "secrets.KEY_SCANNED": 1,
        "auth": {"token": "{{secrets.T}}", "list": ["a", "secrets.U", 5, None, True]},
        "n": 12,
    }
    assert names_in(variables) == {"KEY_SCANNED", "T", "U"}


def test_substitute_replaces_both_forms_in_nested_strings() -> None:
    variables = {
        "headers": {"Authorization": "Bearer {{secrets.API_TOKEN}}"},
        "url": "https://secrets.HOST:8443/x",
        "keep": 5,
        "items": ["{{ secrets.API_TOKEN }}", {"deep": "secrets.db/password"}],
    }
    out = substitute(variables, {"API_TOKEN": "t0k", "HOST": "example.org", "db/password": "pw"})
    assert out == {
        "headers": {"Authorization": "Bearer t0k"},
        "url": "https://example.org:8443/x",
        "keep": 5,
        "items": ["t0k", {"deep": "pw"}],
    }
    # the input is not modified
    assert variables["headers"]["Authorization"] == "Bearer {{secrets.API_TOKEN}}"


def test_substitute_is_json_safe() -> None:
    value = 'a"b\\c\nd'
    out = substitute({"body": '{"password": "{{secrets.P}}"}'}, {"P": value})
    # decoded strings get the raw value; encoding the variables escapes it exactly once
    assert out["body"] == '{"password": "' + value + '"}'
    assert json.loads(json.dumps(out))["body"].endswith(value + '"}')


def test_substitute_expands_placeholders_inside_values_as_camunda_does() -> None:
    # One braced pass (the text had one braced match), then the bare pass over its result,
    # which also finds the bare name inside the braces the value brought in.
    out = substitute("{{secrets.A}} secrets.B", {"A": "secrets.B {{secrets.B}}", "B": "b"})
    assert out == "b {{b}} b"
    # two braced matches: two braced passes, so a braced reference in a value is expanded
    out = substitute("{{secrets.A}} {{secrets.C}}", {"A": "{{secrets.B}}", "B": "b", "C": "c"})
    assert out == "b c"


def test_substitute_leaves_unknown_names() -> None:
    text = "x {{secrets.MISSING}} secrets.ALSO"
    assert substitute(text, {}) == text


def test_substitute_replaces_placeholders_in_keys() -> None:
    out = substitute({"{{secrets.K}}": "v", "h": {"secrets.K": 1}}, {"K": "key"})
    assert out == {"key": "v", "h": {"key": 1}}


def test_inserted_values_are_json_escaped_then_decoded() -> None:
    # The value goes into the JSON text escaped (Jackson's quoteAsString), so the decoded
    # variable holds it verbatim, control characters included.
    value = 'q"b\\s\x01\n'
    assert substitute({"a": "x{{secrets.P}}y"}, {"P": value}) == {"a": "x" + value + "y"}
