"""Constraint patterns work in JavaScript (the modeler runs them with RegExp) and agree with
what the runtime accepts."""

from __future__ import annotations

import re

from app.runtime.durations import parse_java_duration
from connectors.echo import echo
from connectors.sdk.templates import element_template
from connectors.sdk.templates.standard import DURATION_PATTERN
from tests.templates.sample_connectors import FEATURE_CONNECTORS
from tests.templates.schema import js_regex_results

DURATIONS = [
    "PT0S", "PT30S", "pt5m", "P1D", "P1DT2H", "PT1H30M", "-PT5S", "+P2D", "PT-1.5S", "PT0.25S",
    "PT1,5S", "P-1DT+2H", "PT1.S",
    # invalid for java.time.Duration.parse:
    "", "P", "PT", "P1DT", "T5S", "5S", "PT5", "P1W", "P1Y", "PT 5S", "PT5S ", "PT1.1234567891S",
]  # fmt: skip


def _java_accepts(text: str) -> bool:
    try:
        parse_java_duration(text)
    except ValueError:
        return False
    return True


def test_duration_pattern_agrees_with_the_runtime_in_python_and_javascript() -> None:
    expected = [_java_accepts(text) for text in DURATIONS]
    assert any(expected) and not all(expected)
    python = [re.search(DURATION_PATTERN, text) is not None for text in DURATIONS]
    [javascript] = js_regex_results([(DURATION_PATTERN, DURATIONS)])
    assert dict(zip(DURATIONS, python, strict=True)) == dict(zip(DURATIONS, expected, strict=True))
    assert javascript == expected


def _patterns() -> list[tuple[str, str]]:
    found = []
    for connector in (echo, *FEATURE_CONNECTORS):
        for prop in element_template(connector)["properties"]:
            pattern = prop.get("constraints", {}).get("pattern")
            if pattern:
                found.append((prop["id"], pattern["value"]))
    return found


def test_every_generated_pattern_compiles_in_javascript() -> None:
    patterns = _patterns()
    assert {"endpoint.url", "code", "static_code", "retryBackoff"} <= {pid for pid, _ in patterns}
    results = js_regex_results([(value, []) for _, value in patterns])
    assert results == [[] for _ in patterns]


def test_generated_patterns_accept_feel_and_secrets_and_reject_bad_values() -> None:
    by_id = dict(_patterns())
    cases = [
        (by_id["endpoint.url"], ["https://x", "=base + path", "{{secrets.URL}}", "ftp://x"]),
        (by_id["code"], ["AB-12", "", "=code", "ab-12"]),
        (by_id["static_code"], ["abc", "", "=expr", "ABC"]),
    ]
    expected = [
        [True, True, True, False],
        [True, True, True, False],  # optional: empty is fine
        [True, True, False, False],  # static: no FEEL
    ]
    assert js_regex_results(cases) == expected
    # Same answers from Python's re (the runtime's pydantic check), back in Python syntax.
    python = [
        [re.search(re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", p), s) is not None for s in samples]
        for p, samples in cases
    ]
    assert python == expected
