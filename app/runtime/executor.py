"""Execute one job: headers, secrets, the connector call, result and error expressions.

:class:`ConnectorRuntime` is engine-agnostic: the Zeebe worker, the REST test invocation and
the CLI all call :meth:`ConnectorRuntime.execute` and send (or show) the returned outcome.
The rules follow Camunda's connector runtime; docs/runtime.md describes them.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import logging
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from app.runtime import headers as header_names
from app.runtime.durations import duration_to_millis
from app.runtime.errors import (
    ConnectorTimeoutError,
    ExpressionError,
    InvalidJobTimeoutError,
    InvalidRetryBackoffError,
    UnknownJobTypeError,
    VariablesTooLargeError,
)
from app.runtime.headers import ConnectorHeaders, read_headers
from app.runtime.history import HistorySink, NullHistorySink, cap_payload, json_size
from app.runtime.masking import SecretMasker, job_masker
from app.runtime.model import (
    Complete,
    ExecutionRecord,
    Fail,
    Job,
    Outcome,
    Source,
    ThrowError,
)
from app.runtime.results import (
    PREVIEW_MARKER,
    BpmnErrorDecision,
    ErrorDecision,
    IgnoreErrorDecision,
    JobErrorDecision,
    examine_error_expression,
    output_variables,
)
from app.runtime.secrets_hook import EnvironmentSecretResolver, SecretResolver
from app.secrets.errors import SecretError, SecretNotFoundError
from connectors.sdk import placeholders
from connectors.sdk.connector import OutboundConnector
from connectors.sdk.context import JobInfo, OutboundContext
from connectors.sdk.errors import ConnectorError, ConnectorInputError, ConnectorRetryError

logger = logging.getLogger(__name__)

MAX_ERROR_MESSAGE_LENGTH = 6000
"""Failure and BPMN error messages are cut to this many characters (as Camunda does)."""

# Failures that are part of normal operation: no traceback in the log for these.
_EXPECTED_ERRORS = (
    ConnectorError,
    SecretError,
    ExpressionError,
    ConnectorTimeoutError,
    InvalidRetryBackoffError,
    InvalidJobTimeoutError,
    UnknownJobTypeError,
)

ConnectorLookup = Callable[[str], OutboundConnector | None] | Mapping[str, OutboundConnector]


@dataclass(frozen=True)
class RuntimeLimits:
    """Limits applied to every execution (see ``app.settings.runtime`` for the env vars)."""

    default_timeout: float | None = None
    max_input_bytes: int = 4 * 1024 * 1024
    max_output_bytes: int = 3 * 1024 * 1024 // 2
    history_max_payload_bytes: int = 64 * 1024
    sync_pool_size: int = 16
    mask_min_length: int = 4

    @classmethod
    def from_settings(cls, settings: Any) -> RuntimeLimits:
        timeout = float(settings.connector_timeout_seconds)
        return cls(
            default_timeout=timeout or None,
            max_input_bytes=settings.max_input_variables_bytes,
            max_output_bytes=settings.max_output_variables_bytes,
            history_max_payload_bytes=settings.history_max_payload_bytes,
            sync_pool_size=settings.sync_pool_size,
            mask_min_length=getattr(settings, "secrets_mask_min_length", 4),
        )


def _without_variables(job: Job) -> Job:
    # dataclasses.replace re-runs __init__ over every field: a fifth of a no-op job's cost.
    bare = copy.copy(job)
    object.__setattr__(bare, "variables", {})
    return bare


@dataclass(frozen=True)
class ExecutionResult:
    """What :meth:`ConnectorRuntime.execute` returns.

    ``outcome`` is the command for the engine. ``record`` is the history row; its
    ``outcome`` is the same command with every resolved secret masked, which is what
    API responses and the CLI show.
    """

    outcome: Outcome
    record: ExecutionRecord

    @property
    def masked_outcome(self) -> Outcome:
        return self.record.outcome


@dataclass(frozen=True)
class _Success:
    response: Any
    variables: dict[str, Any]

    @property
    def response_value(self) -> Any:
        # What the error expression sees, as in Camunda: the mapped variables if any.
        return self.variables if self.variables else self.response


@dataclass(frozen=True)
class _Failure:
    error: dict[str, Any]
    retries: int
    backoff: timedelta | None

    @property
    def response_value(self) -> Any:
        return {"error": self.error}


class ConnectorRuntime:
    """Runs jobs against connectors. Create one per process; call :meth:`close` at the end.

    ``connectors`` is a mapping from job type to connector, an object with such a ``get``
    method (``ConnectorRegistry``) or a lookup function. Sync connector functions run in a
    bounded thread pool (``executor``, or one of ``limits.sync_pool_size`` threads owned by
    the runtime).
    """

    def __init__(
        self,
        connectors: ConnectorLookup,
        *,
        secrets: SecretResolver | None = None,
        history: HistorySink | None = None,
        limits: RuntimeLimits | None = None,
        executor: ThreadPoolExecutor | None = None,
    ) -> None:
        self._lookup: Callable[[str], OutboundConnector | None]
        if isinstance(connectors, Mapping) or not callable(connectors):
            self._lookup = connectors.get  # a mapping or a registry with .get(type)
        else:
            self._lookup = connectors
        self._secrets = secrets if secrets is not None else EnvironmentSecretResolver()
        self._history = history if history is not None else NullHistorySink()
        self._limits = limits or RuntimeLimits()
        self._owns_executor = executor is None
        self._executor = executor or ThreadPoolExecutor(
            max_workers=self._limits.sync_pool_size, thread_name_prefix="connector"
        )

    @classmethod
    def from_settings(
        cls,
        connectors: ConnectorLookup,
        settings: Any,
        *,
        secrets: SecretResolver | None = None,
        history: HistorySink | None = None,
    ) -> ConnectorRuntime:
        """A runtime with limits from ``settings`` and, unless given, the environment
        secret resolver using ``settings.secret_env_prefix``."""
        if secrets is None:
            secrets = EnvironmentSecretResolver(getattr(settings, "secret_env_prefix", "SECRET_"))
        return cls(
            connectors,
            secrets=secrets,
            history=history,
            limits=RuntimeLimits.from_settings(settings),
        )

    @property
    def limits(self) -> RuntimeLimits:
        return self._limits

    def close(self, wait: bool = False) -> None:
        """Shut down the owned thread pool (running sync calls are not interrupted)."""
        if self._owns_executor:
            self._executor.shutdown(wait=wait, cancel_futures=True)

    async def execute(self, job: Job, *, source: Source = "zeebe") -> ExecutionResult:
        """Run ``job`` and return its outcome; never raises (except on cancellation).

        Exactly one execution record is submitted to the history sink.
        """
        started_at = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        masker = job_masker(min_length=self._limits.mask_min_length)
        headers = read_headers(job.custom_headers)
        try:
            result, masker = await self._run(job, headers)
            outcome = self._finish(job, headers, result, masker)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in the runtime itself: still answer the engine
            logger.error(
                "internal error executing job %s of type %s:\n%s",
                job.key,
                job.type,
                masker.mask("".join(traceback.format_exception(exc))),
            )
            error = _error_map(exc, masker)
            outcome = Fail(
                message=error["message"],
                retries=max(job.retries - 1, 0),
                variables={"error": error},
            )
        finished_at = dt.datetime.now(dt.UTC)
        duration_ms = (time.perf_counter() - started) * 1000
        record = self._record(
            job, headers, source, outcome, masker, started_at, finished_at, duration_ms
        )
        try:
            self._history.submit(record)
        except Exception:  # a sink must not raise; never let it cost the job
            logger.exception("history sink failed to accept the record of job %s", job.key)
        self._log(job, outcome, record, duration_ms)
        return ExecutionResult(outcome=outcome, record=record)

    # -- stages ---------------------------------------------------------------------------

    async def _run(
        self, job: Job, headers: ConnectorHeaders
    ) -> tuple[_Success | _Failure, SecretMasker]:
        """Everything up to the response mapping; any error becomes a :class:`_Failure`."""
        masker = job_masker(min_length=self._limits.mask_min_length)
        backoff: timedelta | None = None
        try:
            backoff = _validate_headers(job)
            connector = self._lookup(job.type)
            if connector is None:
                raise UnknownJobTypeError(job.type)
            size = json_size(dict(job.variables))
            if size > self._limits.max_input_bytes:
                raise VariablesTooLargeError(
                    f"Input variables payload ({size} bytes) exceeds the limit of "
                    f"{self._limits.max_input_bytes} bytes"
                )
            variables: Any = dict(job.variables)
            names = placeholders.names_in(variables)
            if names:
                resolved = await self._secrets.resolve(set(names), job)
                masker = job_masker(resolved.values(), self._limits.mask_min_length)
                missing = sorted(names - resolved.keys())
                if missing:
                    raise SecretNotFoundError(missing[0])
                variables = placeholders.substitute(variables, resolved)
            context = OutboundContext(job=_job_info(job), variables=variables)
            response = await self._invoke(connector, context)
            mapped = output_variables(response, headers.result_variable, headers.result_expression)
            if mapped:
                self._check_output_size(mapped)
            return _Success(response=response, variables=mapped), masker
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return self._failure(exc, job, backoff, masker), masker

    async def _invoke(self, connector: OutboundConnector, context: OutboundContext) -> Any:
        timeout = connector.timeout or self._limits.default_timeout
        if not timeout:
            return await connector.invoke(context, self._executor)
        try:
            async with asyncio.timeout(timeout) as scope:
                return await connector.invoke(context, self._executor)
        except TimeoutError:
            if scope.expired():
                raise ConnectorTimeoutError(
                    f"Connector '{connector.name}' ({connector.type}) did not finish within "
                    f"{timeout:g} seconds"
                ) from None
            raise

    def _failure(
        self, exc: Exception, job: Job, backoff: timedelta | None, masker: SecretMasker
    ) -> _Failure:
        retries = job.retries - 1
        if isinstance(exc, InvalidRetryBackoffError | InvalidJobTimeoutError):
            retries, backoff = 0, None
        elif isinstance(exc, ConnectorRetryError):
            if exc.retries is not None:
                retries = exc.retries
            if exc.backoff is not None:
                backoff = exc.backoff
        elif isinstance(exc, ConnectorInputError | SecretNotFoundError | UnknownJobTypeError):
            retries = 0
        if not isinstance(exc, _EXPECTED_ERRORS):
            # Unexpected exception from a connector: keep the traceback, masked, for operators.
            logger.warning(
                "connector for job %s of type %s raised:\n%s",
                job.key,
                job.type,
                masker.mask("".join(traceback.format_exception(exc))),
            )
        return _Failure(error=_error_map(exc, masker), retries=max(retries, 0), backoff=backoff)

    def _finish(
        self,
        job: Job,
        headers: ConnectorHeaders,
        result: _Success | _Failure,
        masker: SecretMasker,
    ) -> Outcome:
        if headers.error_expression:
            try:
                decision = examine_error_expression(
                    headers.error_expression, result.response_value, job.retries
                )
                if decision is not None:
                    return self._apply_decision(decision, masker)
            except Exception as exc:
                error = _error_map(exc, masker)
                return Fail(
                    message=error["message"],
                    retries=0,
                    variables={"error": error},
                    error_code=error.get("code"),
                )
        if isinstance(result, _Success):
            return Complete(variables=result.variables)
        return Fail(
            message=result.error["message"],
            retries=result.retries,
            backoff_ms=_millis(result.backoff),
            variables={"error": result.error},
            error_code=result.error.get("code"),
        )

    def _apply_decision(self, decision: ErrorDecision, masker: SecretMasker) -> Outcome:
        if isinstance(decision, BpmnErrorDecision):
            variables = masker.mask_value(decision.variables)
            self._check_output_size(variables)
            return ThrowError(
                code=decision.code,
                message=_cap(masker.mask(decision.message)),
                variables=variables,
            )
        if isinstance(decision, JobErrorDecision):
            message = _cap(masker.mask(decision.message))
            variables = {**masker.mask_value(decision.variables), "error": message}
            self._check_output_size(variables)
            return Fail(
                message=message,
                retries=decision.retries,
                backoff_ms=_millis(decision.backoff),
                variables=variables,
            )
        if isinstance(decision, IgnoreErrorDecision):
            self._check_output_size(decision.variables)
            return Complete(variables=dict(decision.variables))
        raise TypeError(f"unknown error decision {decision!r}")

    def _check_output_size(self, variables: dict[str, Any]) -> None:
        if not variables:
            return
        size = json_size(variables)
        if size > self._limits.max_output_bytes:
            raise VariablesTooLargeError(
                f"Output variables payload ({size} bytes) exceeds the limit of "
                f"{self._limits.max_output_bytes} bytes"
            )

    # -- history and logs -----------------------------------------------------------------

    def _record(
        self,
        job: Job,
        headers: ConnectorHeaders,
        source: Source,
        outcome: Outcome,
        masker: SecretMasker,
        started_at: dt.datetime,
        finished_at: dt.datetime,
        duration_ms: float,
    ) -> ExecutionRecord:
        limit = self._limits.history_max_payload_bytes
        masked = _mask_outcome(outcome, masker)
        return ExecutionRecord(
            id=str(uuid.uuid4()),
            source=source,
            connector_type=job.type,
            outcome=masked,
            # Metadata only: the variables live, masked and capped, in ``input``.
            job=_without_variables(job),
            input=cap_payload(masker.mask_value(dict(job.variables)), limit),
            output=cap_payload(masked.variables, limit),
            started_at=started_at,
            finished_at=finished_at,
            duration_ms=duration_ms,
            retries_before=job.retries,
            worker=job.worker,
            element_template_id=headers.element_template_id,
            element_template_version=headers.element_template_version,
        )

    @staticmethod
    def _log(job: Job, outcome: Outcome, record: ExecutionRecord, duration_ms: float) -> None:
        masked = record.outcome
        if isinstance(masked, Fail):
            logger.warning(
                "job %s of type %s failed (retries left %d, backoff %d ms): %s",
                job.key,
                job.type,
                masked.retries,
                masked.backoff_ms,
                # The message goes to Zeebe and history whole; the log never quotes job data.
                masked.message.split(PREVIEW_MARKER, 1)[0],
            )
        elif isinstance(masked, ThrowError):
            logger.info("job %s of type %s threw BPMN error %s", job.key, job.type, masked.code)
        elif logger.isEnabledFor(logging.DEBUG):
            logger.debug("job %s of type %s completed in %.1f ms", job.key, job.type, duration_ms)


# -- helpers ------------------------------------------------------------------------------


def _validate_headers(job: Job) -> timedelta | None:
    """Check ``retryBackoff`` and ``jobTimeout``; return the backoff (``None`` if absent)."""
    try:
        backoff = header_names.retry_backoff(job)
    except ValueError as exc:
        raise InvalidRetryBackoffError(str(exc)) from None
    try:
        header_names.job_timeout(job)
    except ValueError as exc:
        raise InvalidJobTimeoutError(str(exc)) from None
    return backoff


def _job_info(job: Job) -> JobInfo:
    return JobInfo(
        key=job.key,
        type=job.type,
        process_instance_key=job.process_instance_key,
        bpmn_process_id=job.bpmn_process_id,
        process_definition_key=job.process_definition_key,
        process_definition_version=job.process_definition_version,
        element_id=job.element_id,
        element_instance_key=job.element_instance_key,
        tenant_id=job.tenant_id,
        retries=job.retries,
        custom_headers=dict(job.custom_headers),
        worker=job.worker,
        deadline=job.deadline,
    )


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _message(exc: BaseException) -> str:
    if isinstance(exc, ConnectorError):
        text = exc.message
    else:
        text = str(exc)
    return text or type(exc).__name__


def _cap(text: str) -> str:
    return text[:MAX_ERROR_MESSAGE_LENGTH]


def _error_map(exc: BaseException, masker: SecretMasker) -> dict[str, Any]:
    """The ``error`` variable: ``{type, message, code?, variables?}`` (absent keys when null)."""
    error: dict[str, Any] = {
        "type": _type_name(exc),
        "message": _cap(masker.mask(_message(exc))),
    }
    if isinstance(exc, ConnectorError):
        # The code is not masked: BPMN error boundary events match on it.
        if exc.code is not None:
            error["code"] = exc.code
        if exc.variables is not None:
            error["variables"] = masker.mask_value(exc.variables)
    return error


def _millis(value: timedelta | None) -> int:
    return max(duration_to_millis(value), 0) if value is not None else 0


def _mask_outcome(outcome: Outcome, masker: SecretMasker) -> Outcome:
    if not masker.active:
        return outcome
    variables = masker.mask_value(outcome.variables)
    if isinstance(outcome, Complete):
        return replace(outcome, variables=variables)
    return replace(outcome, message=masker.mask(outcome.message), variables=variables)
