"""Placeholder scanning and substitution follow the Camunda connector runtime's grammar."""

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
        # the braced form takes any non-space characters up to the first "}}"
        ("{{secrets.a:b@c}}", {"a:b@c"}),
        ("{{secrets.A}}}", {"A"}),
        # a space inside the name breaks the braced form; the bare form still matches
        ("{{secrets.A B}}", {"A"}),
        # Java's \s is ASCII-only: a no-break space is part of a braced name
        ("{{secrets.A\u00a0B}}", {"A\u00a0B"}),
        ("{{secrets.}}", set()),
        ("no placeholder here", set()),
        ("secrets", set()),
    ],
)
def test_names_in_text(text: str, names: set[str]) -> None:
    assert names_in(text) == names


def test_names_in_nested_values_but_not_keys_or_non_strings() -> None:
    variables = {
        "secrets.KEY_NOT_SCANNED": 1,
        "auth": {"token": "{{secrets.T}}", "list": ["a", "secrets.U", 5, None, True]},
        "n": 12,
    }
    assert names_in(variables) == {"T", "U"}


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


def test_substitute_does_not_expand_placeholders_inside_values() -> None:
    out = substitute("{{secrets.A}} secrets.B", {"A": "secrets.B {{secrets.B}}", "B": "b"})
    assert out == "secrets.B {{secrets.B}} b"


def test_substitute_leaves_unknown_names() -> None:
    text = "x {{secrets.MISSING}} secrets.ALSO"
    assert substitute(text, {}) == text
