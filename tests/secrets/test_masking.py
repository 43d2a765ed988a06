"""SecretMasker and the logging filter."""

from __future__ import annotations

import io
import json
import logging
import threading
import urllib.parse
from collections.abc import Iterator

import pytest

from app.secrets.masking import (
    SecretMasker,
    SecretMaskingFilter,
    install_log_masking,
    remove_log_masking,
)

LONG = 's3cr3t-"value"\\with/odd chars'


def test_nothing_registered_changes_nothing() -> None:
    masker = SecretMasker()
    assert not masker.active
    assert masker.mask("anything s3cr3t") == "anything s3cr3t"
    value = {"a": ["b", 1]}
    assert masker.mask_value(value) is value


def test_long_values_masked_everywhere_including_encoded_forms() -> None:
    masker = SecretMasker()
    masker.register(LONG)
    assert masker.mask(f"token={LONG};") == "token=***;"
    assert masker.mask(f"x{LONG}y") == "x***y"  # inside a word too
    assert masker.mask(json.dumps({"v": LONG})) == '{"v": "***"}'
    assert masker.mask("q=" + urllib.parse.quote(LONG, safe="")) == "q=***"
    assert masker.mask("q=" + urllib.parse.quote_plus(LONG, safe="")) == "q=***"
    assert LONG not in masker.mask(LONG * 3)


def test_longest_value_wins_when_values_overlap() -> None:
    masker = SecretMasker()
    masker.register_many(["abcd", "abcdefgh"])
    assert masker.mask("abcdefgh abcd") == "*** ***"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("ab", "***"),  # the whole text
        ("Bearer ab", "Bearer ***"),
        ("user=ab&x=1", "user=***&x=1"),
        ("(ab)", "(***)"),
        ("table", "t***le"),  # inside a word too
        ("abc ab1 1ab", "***c ***1 1***"),
    ],
)
def test_short_values_are_masked_wherever_they_appear(text: str, masked: str) -> None:
    # Whatever its length, as Camunda's runtime masks (camunda/connectors
    # connector-runtime/connector-runtime-spring/src/main/java/io/camunda/connector/runtime/
    # outbound/job/OutboundConnectorExceptionHandler.java, hideSecretsFromMessage:
    # message.replace(secret, "***") for every secret).
    masker = SecretMasker()
    masker.register("ab")
    assert masker.mask(text) == masked


def test_a_one_character_secret_masks_every_occurrence() -> None:
    masker = SecretMasker()
    masker.register("x")
    assert masker.mask("x-ray box") == "***-ray bo***"


def test_mask_value_recurses_into_json_values() -> None:
    masker = SecretMasker()
    masker.register_many(["hunter22", "12345", "ab"])
    value = {
        "headers": {"Authorization": "Bearer hunter22"},
        "hunter22": "key",
        "items": ["ab", "abx", 12345, 12345.5, True, None, ("hunter22",)],
        "raw": b"pw=hunter22",
    }
    assert masker.mask_value(value) == {
        "headers": {"Authorization": "Bearer ***"},
        "***": "key",
        "items": ["***", "***x", "***", 12345.5, True, None, ("***",)],
        "raw": b"pw=***",
    }
    # the input is untouched
    assert value["headers"]["Authorization"] == "Bearer hunter22"


def test_empty_and_non_string_values_are_ignored() -> None:
    masker = SecretMasker()
    masker.register_many(["", None, 5])  # type: ignore[list-item]
    assert not masker.active


def test_concurrent_registration_and_masking() -> None:
    masker = SecretMasker()
    values = [f"value-{i:04d}-xyz" for i in range(400)]
    errors: list[BaseException] = []
    start = threading.Barrier(5)

    def writer(chunk: list[str]) -> None:
        start.wait()
        for value in chunk:
            masker.register(value)

    def reader() -> None:
        start.wait()
        try:
            for _ in range(200):
                masker.mask("value-0001-xyz and value-0399-xyz")
        except BaseException as exc:  # pragma: no cover - would fail the test
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(values[i::4],)) for i in range(4)]
    threads.append(threading.Thread(target=reader))
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors
    assert len(masker) == len(values)
    assert masker.mask(" ".join(values)) == " ".join(["***"] * len(values))


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO, SecretMasker]]:
    masker = SecretMasker()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s %(extra_field)s"))
    logger = logging.getLogger("tests.secrets.masking")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    handler.addFilter(SecretMaskingFilter(masker))
    yield logger, stream, masker
    logger.removeHandler(handler)


def test_filter_masks_message_args_extras_and_tracebacks(
    captured: tuple[logging.Logger, io.StringIO, SecretMasker],
) -> None:
    logger, stream, masker = captured
    masker.register("hunter22")
    logger.info("token %s in %r", "hunter22", {"t": "hunter22"}, extra={"extra_field": "hunter22"})
    logger.warning({"dict": "hunter22"}, extra={"extra_field": ["x", "hunter22"]})
    try:
        raise ValueError("bad hunter22")
    except ValueError:
        logger.exception("failed", extra={"extra_field": 1})
    logger.info("unrelated %s", "text", extra={"extra_field": None})
    out = stream.getvalue()
    assert "hunter22" not in out
    assert "token *** in {'t': '***'} ***" in out
    assert "ValueError: bad ***" in out
    assert "unrelated text None" in out


def test_install_log_masking_attaches_to_root_handlers_once() -> None:
    masker = SecretMasker()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    quiet = logging.getLogger("tests.secrets.no_propagate")
    quiet.propagate = False
    quiet_stream = io.StringIO()
    quiet_handler = logging.StreamHandler(quiet_stream)
    quiet.addHandler(quiet_handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        masking = install_log_masking(masker)
        install_log_masking(masker)
        assert sum(isinstance(f, SecretMaskingFilter) for f in handler.filters) == 1
        masker.register("hunter22")  # registered after installation: still masked
        logging.getLogger("some.child").warning("value hunter22")
        quiet.warning("value hunter22")
        remove_log_masking(masking)
        assert not any(isinstance(f, SecretMaskingFilter) for f in handler.filters)
        quiet.warning("after removal hunter22")
    finally:
        root.removeHandler(handler)
        quiet.removeHandler(quiet_handler)
        root.setLevel(old_level)
    assert stream.getvalue() == "value ***\n"
    assert quiet_stream.getvalue() == "value ***\nafter removal hunter22\n"


def test_an_encoding_a_connector_declares_is_masked_too() -> None:
    from app.secrets.masking import SecretMasker
    from connectors.sdk.encodings import declare_encoding

    masker = SecretMasker()
    masker.register("s3cret-v@lue")
    assert masker.mask("got: eul@v-terc3s") == "got: eul@v-terc3s"
    declare_encoding("test-reverse", lambda text: text[::-1])  # after the matcher was built
    assert masker.mask("got: eul@v-terc3s") == "got: ***"
