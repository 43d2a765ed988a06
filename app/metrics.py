"""Prometheus metrics, one registry per application.

Other layers use a :class:`Metrics` object without importing the API: the runtime's
history sink is wrapped by :class:`MetricsHistorySink` (counts and durations come from the
execution records), REST invocations are bracketed by :meth:`Metrics.in_flight`, and
gauges that belong to other components (history queue, gateway connection) are read at
scrape time from the callables given to :meth:`Metrics.watch_history`,
:meth:`Metrics.watch_worker_jobs` and :meth:`Metrics.watch_gateway`.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from app.runtime.history import HistorySink
from app.runtime.model import ExecutionRecord

log = logging.getLogger("switchboard.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
GATEWAY_STATES = ("connected", "connecting", "disconnected", "disabled")


class Metrics:
    """The application's metrics and the registry they are exposed from."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.invocations = Counter(
            "switchboard_invocations",
            "Connector executions by job type, outcome command and source.",
            ("type", "command", "source"),
            registry=self.registry,
        )
        self.duration = Histogram(
            "switchboard_invocation_duration_seconds",
            "Connector execution duration (job received to outcome) by job type and command.",
            ("type", "command"),
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self._in_flight: dict[str, int] = defaultdict(int)
        self._history: Callable[[], Any] | None = None
        self._gateway: Callable[[], str | None] | None = None
        self._worker_jobs: dict[str, Callable[[], Mapping[str, int]]] = {}
        self.registry.register(_ComponentCollector(self))

    def observe(self, record: ExecutionRecord) -> None:
        """Count one finished execution."""
        command = record.outcome.command
        self.invocations.labels(record.connector_type, command, record.source).inc()
        self.duration.labels(record.connector_type, command).observe(
            max(record.duration_ms, 0.0) / 1000
        )

    @contextlib.contextmanager
    def in_flight(self, job_type: str) -> Iterator[None]:
        """Count a REST/CLI invocation as in flight for the duration of the ``with`` block."""
        self._in_flight[job_type] += 1
        try:
            yield
        finally:
            self._in_flight[job_type] -= 1

    def watch_worker_jobs(
        self, running: Callable[[], Mapping[str, int]], source: str = "zeebe"
    ) -> None:
        """Read an engine's running jobs per job type at scrape time, labelled ``source``
        (the engine's name: ``zeebe``, ``camunda-rest``, ``camunda7``)."""
        self._worker_jobs[source] = running

    def watch_history(self, writer: Callable[[], Any] | Any) -> None:
        """Read ``queue_depth``, ``dropped`` and ``written`` from the history writer at
        scrape time (``writer`` is the object, or a callable returning it or None)."""
        self._history = writer if callable(writer) else (lambda: writer)

    def watch_gateway(self, state: Callable[[], str | None]) -> None:
        """Read the gateway connection state (one of :data:`GATEWAY_STATES`) at scrape time."""
        self._gateway = state

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _ComponentCollector(Collector):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        yield self._jobs_in_flight()
        yield from self._history_metrics()
        yield from self._gateway_metrics()

    def _jobs_in_flight(self) -> Metric:
        family = GaugeMetricFamily(
            "switchboard_jobs_in_flight",
            "Jobs being executed right now, by job type and source (the engine, or rest).",
            labels=("type", "source"),
        )
        for job_type, count in sorted(self._metrics._in_flight.items()):
            family.add_metric([job_type, "rest"], float(count))
        for source, running in sorted(self._metrics._worker_jobs.items()):
            try:
                worker = dict(running())
            except Exception as exc:
                log.warning("could not read the workers' running jobs: %s", type(exc).__name__)
                worker = {}
            for job_type, count in sorted(worker.items()):
                family.add_metric([job_type, source], float(count))
        return family

    def _history_metrics(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "switchboard_history_queue_depth", "Execution records waiting to be written."
        )
        dropped = CounterMetricFamily(
            "switchboard_history_dropped_rows",
            "Execution records dropped because the history queue was full.",
        )
        written = CounterMetricFamily(
            "switchboard_history_written_rows", "Execution records written to the database."
        )
        failed = CounterMetricFamily(
            "switchboard_history_failed_rows",
            "Execution records the database rejected as invalid.",
        )
        writer = self._metrics._history() if self._metrics._history else None
        if writer is not None:
            depth.add_metric([], _number(writer, "queue_depth"))
            dropped.add_metric([], _number(writer, "dropped"))
            written.add_metric([], _number(writer, "written"))
            failed.add_metric([], _number(writer, "failed"))
        yield from (depth, dropped, written, failed)

    def _gateway_metrics(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "switchboard_gateway_connection_state",
            "Zeebe gateway connection: 1 for the current state, 0 for the others.",
            labels=("state",),
        )
        try:
            current = self._metrics._gateway() if self._metrics._gateway else "disabled"
        except Exception as exc:
            log.warning("could not read the gateway state: %s", type(exc).__name__)
            current = "disconnected"
        for state in GATEWAY_STATES:
            family.add_metric([state], 1.0 if state == (current or "disabled") else 0.0)
        yield family


def _number(source: Any, name: str) -> float:
    value = getattr(source, name, 0)
    if callable(value):
        value = value()
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


class MetricsHistorySink:
    """A :class:`HistorySink` that counts each record, then passes it on."""

    def __init__(self, inner: HistorySink, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def submit(self, record: ExecutionRecord) -> None:
        try:
            self._metrics.observe(record)
        except Exception as exc:  # metrics must never cost an execution record
            log.warning("could not count an execution: %s", type(exc).__name__)
        self._inner.submit(record)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
