"""Run one job: headers, secrets, the connector call, result and error expressions.

:class:`ConnectorRuntime` is engine-agnostic: the Zeebe worker, the REST test invocation and
the CLI all call :meth:`ConnectorRuntime.execute` and send (or show) the returned outcome.
The rules follow Camunda's connector runtime; docs/runtime.md describes them. Failures are
classified in ``failures``, error-expression decisions turned into outcomes in ``results``,
and the history record and log lines built in ``records``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from app.feel import limits as feel_limits
from app.runtime.errors import ConnectorTimeoutError, UnknownJobTypeError
from app.runtime.expressions import collecting_warnings
from app.runtime.failures import MAX_ERROR_MESSAGE_LENGTH, Failure, classify
from app.runtime.feel_runner import FeelRunner
from app.runtime.headers import ConnectorHeaders, read_headers, validated_backoff
from app.runtime.history import HistorySink, NullHistorySink
from app.runtime.inputs import Inputs, prepare
from app.runtime.limits import RuntimeLimits
from app.runtime.masking import SecretMasker
from app.runtime.model import Complete, ExecutionResult, Job, Outcome, Source
from app.runtime.records import Timing, build_record, log_outcome, log_traceback
from app.runtime.results import (
    check_output_size,
    decision_outcome,
    examine_error_expression,
    output_variables,
)
from app.runtime.secrets_hook import EnvironmentSecretResolver, SecretResolver
from app.secrets.chain import SecretChain
from app.secrets.filter import ProcessXmlSource, SecretFilter
from app.secrets.service import SecretsService
from connectors.sdk.connector import OutboundConnector
from connectors.sdk.context import OutboundContext, masking_to
from connectors.sdk.errors import SwitchboardError
from connectors.sdk.messages import MessageSender
from connectors.sdk.secret_fields import secret_values

if TYPE_CHECKING:
    from app.settings import Settings

__all__ = ["MAX_ERROR_MESSAGE_LENGTH", "ConnectorRuntime", "ExecutionResult", "RuntimeLimits"]

logger = logging.getLogger(__name__)

ConnectorLookup = Callable[[str], OutboundConnector | None] | Mapping[str, OutboundConnector]


@dataclass(frozen=True, slots=True)
class _Success:
    response: Any
    variables: dict[str, Any]
    size: int  # JSON size of ``variables``

    @property
    def response_value(self) -> Any:
        # What the error expression sees, as in Camunda: the mapped variables if any.
        return self.variables if self.variables else self.response


class ConnectorRuntime:
    """Runs jobs against connectors. Create one per process; call :meth:`close` at the end.

    ``connectors`` is a mapping from job type to connector, an object with such a ``get``
    method (``ConnectorRegistry``) or a lookup function. Sync connector functions run in a
    bounded thread pool (``executor``, or one of ``limits.sync_pool_size`` threads owned by
    the runtime). ``log_masker`` (the process-wide masker of the log filter) learns the
    values connectors derive from secrets (``mask_derived``).
    """

    def __init__(
        self,
        connectors: ConnectorLookup,
        *,
        secrets: SecretResolver | None = None,
        history: HistorySink | None = None,
        limits: RuntimeLimits | None = None,
        executor: ThreadPoolExecutor | None = None,
        secret_filter: SecretFilter | None = None,
        log_masker: SecretMasker | None = None,
    ) -> None:
        self._lookup: Callable[[str], OutboundConnector | None]
        if isinstance(connectors, Mapping) or not callable(connectors):
            self._lookup = connectors.get  # a mapping or a registry with .get(type)
        else:
            self._lookup = connectors
        self._secrets = secrets if secrets is not None else EnvironmentSecretResolver()
        self._history = history if history is not None else NullHistorySink()
        self._limits = limits or RuntimeLimits()
        self._secret_filter = secret_filter
        self._log_masker = log_masker
        self._owns_executor = executor is None
        self._executor = executor or ThreadPoolExecutor(
            max_workers=self._limits.sync_pool_size, thread_name_prefix="connector"
        )
        self.feel = FeelRunner(self._limits.feel_inline_steps, self._limits.feel_pool_size)

    @classmethod
    def from_settings(
        cls,
        connectors: ConnectorLookup,
        settings: Settings,
        *,
        secrets: SecretResolver | None = None,
        history: HistorySink | None = None,
        process_xml: ProcessXmlSource | None = None,
    ) -> ConnectorRuntime:
        """A runtime with limits (the process-wide FEEL limits too) and the secret filter mode
        from ``settings`` and, unless given, the environment secret resolver using
        ``settings.secret_env_prefix``.
        ``process_xml`` (from the engine) gives the secret filter the process definitions;
        ``STRICT`` without it raises ``SecretsConfigError``."""
        if secrets is None:
            secrets = EnvironmentSecretResolver(settings.secret_env_prefix)
        feel_limits.configure(
            max_steps=settings.feel_max_steps,
            max_list_length=settings.feel_max_list_length,
            max_seconds=settings.feel_timeout_seconds,
        )
        return cls(
            connectors,
            secrets=secrets,
            history=history,
            limits=RuntimeLimits.from_settings(settings),
            secret_filter=SecretFilter(settings.secrets_filter_mode, process_xml),
            log_masker=secrets.masker
            if isinstance(secrets, SecretChain | SecretsService)
            else None,
        )

    @property
    def limits(self) -> RuntimeLimits:
        return self._limits

    def close(self, wait: bool = False) -> None:
        """Shut down the owned thread pool (running sync calls are not interrupted)."""
        if self._owns_executor:
            self._executor.shutdown(wait=wait, cancel_futures=True)
        self.feel.close()

    async def execute(
        self, job: Job, *, source: Source = "zeebe", messages: MessageSender | None = None
    ) -> ExecutionResult:
        """Run ``job`` and return its outcome; never raises (except on cancellation).

        ``messages`` is the engine's message capability the connector sees as
        ``context.messages`` (the adapter that took the job passes it in).
        Exactly one execution record is submitted to the history sink.
        """
        started_at = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        inputs = Inputs(log_masker=self._log_masker)
        headers = read_headers(job.info.custom_headers)
        output_size: int | None = None
        with collecting_warnings() as warnings:
            try:
                result = await self._run(job, headers, inputs, messages)
                outcome = await self._finish(job, headers, result, inputs.masker)
                if isinstance(result, _Success) and outcome.variables is result.variables:
                    output_size = result.size  # completed with the variables already measured
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug in the runtime itself: still answer the engine
                log_traceback(logging.ERROR, "internal error", job, exc, inputs.masker)
                outcome = classify(exc, job.info.retries, None, inputs.masker).outcome()
        duration_ms = (time.perf_counter() - started) * 1000
        timing = Timing(started_at, dt.datetime.now(dt.UTC), duration_ms)
        limit = self._limits.history_max_payload_bytes
        sizes = (inputs.size, output_size)
        record = build_record(
            job, headers, source, outcome, inputs.masker, timing, sizes, limit, warnings
        )
        try:
            self._history.submit(record)
        except Exception:  # a sink must not raise; never let it cost the job
            logger.exception("history sink failed to accept the record of job %s", job.info.key)
        log_outcome(job, record)
        return ExecutionResult(outcome=outcome, record=record)

    # -- stages ---------------------------------------------------------------------------

    async def _run(
        self,
        job: Job,
        headers: ConnectorHeaders,
        inputs: Inputs,
        messages: MessageSender | None = None,
    ) -> _Success | Failure:
        """Everything up to the response mapping; any error becomes a :class:`Failure`."""
        backoff: timedelta | None = None
        try:
            backoff = validated_backoff(headers)
            connector = self._lookup(job.info.type)
            if connector is None:
                raise UnknownJobTypeError(job.info.type)
            limit = self._limits.max_input_bytes
            bound = connector.input_variables
            await prepare(job, bound, self._secrets, self._secret_filter, limit, inputs)
            # Credentials typed literally are as secret as resolved ones.
            inputs.mask_for_this_job(secret_values(connector.input_model, inputs.variables))
            context = OutboundContext(
                job.info, inputs.variables, inputs.mask_derived, messages=messages
            )
            with masking_to(inputs.mask_derived):
                response = await self._invoke(connector, context)
            mapped = await self.feel.run(
                output_variables, response, headers.result_variable, headers.result_expression
            )
            size = check_output_size(mapped, self._limits.max_output_bytes)
            return _Success(response=response, variables=mapped, size=size)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not isinstance(exc, SwitchboardError):
                log_traceback(logging.WARNING, "connector raised", job, exc, inputs.masker)
            return classify(exc, job.info.retries, backoff, inputs.masker)

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

    async def _finish(
        self, job: Job, headers: ConnectorHeaders, result: _Success | Failure, masker: SecretMasker
    ) -> Outcome:
        if headers.error_expression:
            try:
                decision = await self.feel.run(
                    examine_error_expression,
                    headers.error_expression,
                    result.response_value,
                    job.info.retries,
                )
                if decision is not None:
                    return decision_outcome(decision, masker, self._limits.max_output_bytes)
            except Exception as exc:  # a failing error expression: retries 0, as in Camunda
                return classify(exc, 0, None, masker).outcome()
        if isinstance(result, _Success):
            return Complete(variables=result.variables)
        return result.outcome()
