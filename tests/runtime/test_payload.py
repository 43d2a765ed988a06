"""JSON sizes are counted without building the JSON, and stop at the limit.

Regression (issue 15): the output size check built the whole JSON string before comparing
it with the limit; a result that shares one list many times (cheap to build in FEEL) made it
allocate gigabytes just to be rejected. Camunda checks the same limit
(camunda/connectors connector-sdk/core/src/main/java/io/camunda/connector/api/document/
InlineSizeGuard.java, 1.5 MB, a ConnectorInputException).
"""

from __future__ import annotations

import json
import random
import time
import tracemalloc
from typing import Any

import pytest

from app.runtime.errors import VariablesTooLargeError
from app.runtime.payload import cap_payload, dumps, json_prefix, json_size, text_size
from app.runtime.results import check_output_size

LIMIT = 3 * 1024 * 1024 // 2


def shared_result() -> dict[str, Any]:
    """About 60 MB of JSON from a few kilobytes of objects."""
    row = list(range(100))
    block = [row] * 1000
    return {"r": [block] * 200}


def test_a_huge_shared_result_is_rejected_without_encoding_it() -> None:
    value = shared_result()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(VariablesTooLargeError, match="exceeds the limit of 1572864 bytes"):
            check_output_size(value, LIMIT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024, peak  # building the JSON would take over 60 MB
    assert time.perf_counter() - started < 5


def test_shared_containers_are_measured_once_and_exactly() -> None:
    value = shared_result()
    row_size = len(json.dumps(list(range(100)), separators=(",", ":")))
    block_size = 2 + 999 + 1000 * row_size
    assert json_size(value) == len('{"r":[]}') + 199 + 200 * block_size  # ~58 MB, not built
    assert json_size(value, limit=1000) > 1000


def random_value(depth: int = 0) -> Any:
    choice = random.random()
    if depth > 4 or choice < 0.3:
        return random.choice(
            [0, -7, 2.5, 1e300, True, False, None, "", "ascii", 'ü\n"q"\\', "\ud800", 10**40]
        )
    if choice < 0.65:
        return [random_value(depth + 1) for _ in range(random.randint(0, 4))]
    keys = ["a", "ü", 'k"q', 1, 2.5, True, None]
    return {random.choice(keys): random_value(depth + 1) for _ in range(random.randint(0, 4))}


def test_json_size_equals_the_encoded_size() -> None:
    random.seed(7)
    for _ in range(2000):
        value = random_value()
        assert json_size(value) == text_size(dumps(value)), value
    assert json_size(float("nan")) == 3 and json_size({"x": (1, 2)}) == len('{"x":[1,2]}')


def test_prefix_and_cap_encode_no_more_than_needed() -> None:
    value = shared_result()
    assert (
        json_prefix(value, 20) == dumps([[list(range(100))]])[:20].replace("[[[", '{"r":[[[')[:20]
    )
    capped = cap_payload(value, 256)
    assert capped["_truncated"] is True and capped["originalBytes"] == json_size(value)
    assert json_size(capped) <= 256 and capped["preview"].startswith('{"r":[[[0,1,2')
