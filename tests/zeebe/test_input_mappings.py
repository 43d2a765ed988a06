"""The test gateway applies input mappings as Zeebe does (tests/support/bpmn.py)."""

from __future__ import annotations

from tests.support.bpmn import Element, apply_inputs


def _element(*inputs: tuple[str, str]) -> Element:
    element = Element(id="task", kind="serviceTask")
    element.inputs.extend(inputs)
    return element


def test_a_mapping_sees_the_results_of_earlier_ones() -> None:
    """Zeebe evaluates mappings one by one, each seeing the earlier ones' targets
    (camunda/camunda zeebe/engine/.../transformer/VariableMappingTransformer.java); Camunda's
    generated templates rely on it (the e-mail template's attachment composer)."""
    element = _element(
        ("single", "data.mode"),
        ('=if data.mode = "single" then [data.doc] else null', "data.list"),
        ("=order.id", "data.doc"),
    )
    variables = apply_inputs(element, {"order": {"id": 7}})
    # data.doc is mapped after data.list: the composer saw null there, as Zeebe would.
    assert variables["data"] == {"mode": "single", "list": [None], "doc": 7}


def test_nested_targets_build_local_variables_that_shadow() -> None:
    instance = {"data": {"kept": True}, "other": 1}
    variables = apply_inputs(_element(("x", "data.value")), instance)
    assert variables == {"data": {"value": "x"}, "other": 1}
    assert instance == {"data": {"kept": True}, "other": 1}  # the instance is untouched
