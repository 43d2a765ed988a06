"""The execution record of one job and the log lines the runtime writes about it."""

from __future__ import annotations

import datetime as dt
import logging
import traceback
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.runtime.headers import ConnectorHeaders
from app.runtime.masking import SecretMasker
from app.runtime.model import (
    Complete,
    ExecutionRecord,
    ExpressionWarning,
    Fail,
    Job,
    Outcome,
    Source,
    ThrowError,
)
from app.runtime.payload import cap_payload, json_size
from app.runtime.results import PREVIEW_MARKER

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Timing:
    started_at: dt.datetime
    finished_at: dt.datetime
    duration_ms: float


def build_record(
    job: Job,
    headers: ConnectorHeaders,
    source: Source,
    outcome: Outcome,
    masker: SecretMasker,
    timing: Timing,
    sizes: tuple[int | None, int | None],
    payload_limit: int,
    warnings: Sequence[ExpressionWarning] = (),
) -> ExecutionRecord:
    """The history row: the masked outcome, the job's metadata, and its variables as received
    (``input``) and the outcome's variables (``output``), masked and capped at
    ``payload_limit`` bytes of JSON. ``sizes`` are the JSON sizes of the unmasked input and
    output when already measured (else ``None``); they are reused when masking changes
    nothing. ``warnings`` are the FEEL warnings of the job's expressions (messages masked)."""
    input_size, output_size = sizes
    masked = mask_outcome(outcome, masker)
    if masked is not outcome:
        output_size = None
    return ExecutionRecord(
        id=str(uuid.uuid4()),
        source=source,
        connector_type=job.info.type,
        outcome=masked,
        job=job.info,
        input=_capped(job.variables, input_size, masker, payload_limit),
        output=_capped(masked.variables, output_size, None, payload_limit),
        started_at=timing.started_at,
        finished_at=timing.finished_at,
        duration_ms=timing.duration_ms,
        retries_before=job.info.retries,
        worker=job.info.worker,
        element_template_id=headers.element_template_id,
        element_template_version=headers.element_template_version,
        warnings=_masked_warnings(warnings, masker),
    )


_MAX_WARNINGS = 20  # per record; the FEEL engine itself stops at limits.MAX_WARNINGS


def _masked_warnings(
    warnings: Sequence[ExpressionWarning], masker: SecretMasker
) -> tuple[ExpressionWarning, ...]:
    kept = warnings[:_MAX_WARNINGS]
    if not masker.active:
        return tuple(kept)
    return tuple(replace(w, message=masker.mask(w.message)) for w in kept)


def _capped(value: Any, size: int | None, masker: SecretMasker | None, limit: int) -> Any:
    if masker is not None and masker.active:
        value, size = masker.mask_value(value), None
    return cap_payload(value, limit, size if size is not None else json_size(value))


def mask_outcome(outcome: Outcome, masker: SecretMasker) -> Outcome:
    """``outcome`` with every secret known to ``masker`` replaced (itself when none is)."""
    if not masker.active:
        return outcome
    variables = masker.mask_value(outcome.variables)
    if isinstance(outcome, Complete):
        return replace(outcome, variables=variables)
    return replace(outcome, message=masker.mask(outcome.message), variables=variables)


def _subject(job: Job) -> str:
    # A REST or CLI test invocation has no engine job key (0): say what it is instead.
    return f"job {job.info.key}" if job.info.key else "test invocation"


def log_outcome(job: Job, record: ExecutionRecord) -> None:
    """One line per failed or BPMN-error job (debug for completions), one per job whose
    expressions gave FEEL warnings (types and spans); never job data."""
    masked = record.outcome
    info = job.info
    if record.warnings:
        logger.info(
            "%s of type %s: FEEL warnings %s",
            _subject(job),
            info.type,
            ", ".join(
                f"{w.type} in {w.expression} at {w.span[0]}-{w.span[1]}" for w in record.warnings
            ),
        )
    if isinstance(masked, Fail):
        logger.warning(
            "%s of type %s failed (retries left %d, backoff %d ms): %s",
            _subject(job),
            info.type,
            masked.retries,
            masked.backoff_ms,
            # The message goes to Zeebe and history whole; the log never quotes job data.
            masked.message.split(PREVIEW_MARKER, 1)[0],
        )
    elif isinstance(masked, ThrowError):
        logger.info("%s of type %s threw BPMN error %s", _subject(job), info.type, masked.code)
    elif logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s of type %s completed in %.1f ms", _subject(job), info.type, record.duration_ms
        )


def log_traceback(
    level: int, what: str, job: Job, exc: BaseException, masker: SecretMasker
) -> None:
    """The masked traceback of an exception the runtime did not expect (``what`` says who
    raised it), for operators."""
    logger.log(
        level,
        "%s for %s of type %s:\n%s",
        what,
        _subject(job),
        job.info.type,
        masker.mask("".join(traceback.format_exception(exc))),
    )
