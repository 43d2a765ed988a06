"""``switchboard invoke TYPE``: run one job through the runtime in-process, print the outcome.

The printed JSON is what the REST test invocation returns (resolved secrets masked), with
the FEEL warnings of the result and error expressions (also printed to stderr with the
expression underlined); the exit code is 0 for complete, 1 for fail, 2 for throw_error, 64
for invalid arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from app.cli import exits
from app.cli.common import registry_or_exit, settings_or_exit


class _UsageError(Exception):
    pass


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "invoke",
        help="run a connector job in-process and print the outcome as JSON",
        description="Run one job of type TYPE through the connector runtime (headers, secrets, "
        "result and error expressions included) and print the outcome JSON. Exit code: "
        "0 complete, 1 fail, 2 throw_error, 64 invalid arguments.",
    )
    parser.add_argument("type", metavar="TYPE", help="job type, e.g. switchboard:echo:1")
    parser.add_argument(
        "--variables",
        default="{}",
        metavar="JSON",
        help="job variables: a JSON object, @FILE to read it from a file, - for stdin",
    )
    parser.add_argument(
        "--headers",
        default="{}",
        metavar="JSON",
        help='custom headers: a JSON object of strings, e.g. {"resultVariable": "r"}',
    )
    parser.add_argument(
        "--retries", type=int, default=3, metavar="N", help="retries the job has (default 3)"
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="also write the execution to the history database (must be migrated)",
    )
    parser.set_defaults(func=run)


def _read_json(value: str, option: str) -> Any:
    text = value
    if value == "-":
        text = sys.stdin.read()
    elif value.startswith("@"):
        try:
            text = Path(value[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise _UsageError(f"{option}: cannot read {value[1:]}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _UsageError(f"{option}: invalid JSON: {exc}") from None


def parse_variables(value: str) -> dict[str, Any]:
    """The ``--variables`` argument as a JSON object."""
    data = _read_json(value, "--variables")
    if not isinstance(data, dict):
        raise _UsageError("--variables: must be a JSON object")
    return data


def parse_headers(value: str) -> dict[str, str]:
    """The ``--headers`` argument as a JSON object of strings."""
    data = _read_json(value, "--headers")
    if not isinstance(data, dict):
        raise _UsageError("--headers: must be a JSON object")
    for key, item in data.items():
        if not isinstance(item, str):
            raise _UsageError(f"--headers: the value of '{key}' must be a string")
    return data


def run(args: argparse.Namespace) -> int:
    from app.logs import setup_logging
    from app.runtime.outcome_json import EXIT_CODES, outcome_to_json

    settings = settings_or_exit()
    setup_logging(settings.log_level, settings.log_format, settings.log_max_message_chars)
    try:
        variables = parse_variables(args.variables)
        headers = parse_headers(args.headers)
        if args.retries < 0:
            raise _UsageError("--retries: must be >= 0")
    except _UsageError as exc:
        print(f"switchboard invoke: {exc}", file=sys.stderr)
        return exits.USAGE
    registry = registry_or_exit("switchboard invoke")
    if args.type not in registry:
        known = ", ".join(sorted(c.type for c in registry)) or "none"
        print(
            f"switchboard invoke: unknown job type {args.type!r}; known types: {known}",
            file=sys.stderr,
        )
        return exits.USAGE  # nothing was run, nothing recorded
    result = asyncio.run(_invoke(settings, registry, args, variables, headers))
    outcome = result.masked_outcome
    printed = outcome_to_json(outcome)
    printed["warnings"] = [w.to_dict() for w in result.record.warnings]
    print(json.dumps(printed, indent=2, ensure_ascii=False))
    for warning in result.record.warnings:
        print(describe_warning(warning, headers.get(warning.expression, "")), file=sys.stderr)
    return EXIT_CODES[outcome.command]


def describe_warning(warning: Any, expression: str) -> str:
    """A FEEL warning for the terminal: type, header, position, message, and the header's
    expression with the culprit underlined."""
    start, end = warning.span
    text = (
        f"switchboard invoke: FEEL warning {warning.type} in {warning.expression} "
        f"at {start}-{end}: {warning.message}"
    )
    line = expression.replace("\n", " ").replace("\t", " ")
    if not line or end > len(line) or start >= end:
        return text
    # At most 80 characters of context around the span.
    left = max(0, start - 40)
    return f"{text}\n  {line[left : end + 40]}\n  {' ' * (start - left)}{'^' * (end - start)}"


async def _invoke(
    settings: Any,
    registry: Any,
    args: argparse.Namespace,
    variables: dict[str, Any],
    headers: dict[str, str],
) -> Any:
    from app.runtime.executor import ConnectorRuntime
    from app.runtime.history import HistorySink, NullHistorySink
    from app.runtime.model import Job
    from app.secrets import SecretsService, install_log_masking

    secrets = SecretsService.from_settings(settings)
    await secrets.start()
    install_log_masking(secrets.masker)
    history: HistorySink = NullHistorySink()
    writer = engine = None
    if args.record:
        from app.db.history import HistoryWriter
        from app.db.session import create_engine

        engine = create_engine(settings.database_url)
        writer = HistoryWriter.from_settings(engine, settings)
        await writer.start()
        history = writer
    runtime = ConnectorRuntime.from_settings(registry, settings, secrets=secrets, history=history)
    engine_stack = contextlib.AsyncExitStack()
    try:
        job = Job.create(
            type=args.type,
            variables=variables,
            custom_headers=headers,
            retries=args.retries,
            worker="switchboard-cli",
        )
        messages = await _messages(settings, engine_stack)
        result = await runtime.execute(job, source="cli", messages=messages)
    finally:
        await engine_stack.aclose()
        runtime.close()
        # Connectors holding pooled connections (HTTP clients, RabbitMQ) close them before the
        # loop ends, as the service does at shutdown.
        for connector in registry.connectors():
            if callable(shutdown := connector.extra.get("shutdown")):
                try:
                    await shutdown()
                except Exception as exc:
                    print(f"switchboard invoke: closing {connector.type}: {exc}", file=sys.stderr)
        if writer is not None:
            await writer.stop(timeout=10)
            if writer.written == 0:
                print("switchboard invoke: the execution was not recorded", file=sys.stderr)
        if engine is not None:
            await engine.dispose()
        await secrets.close()
    return result


async def _messages(settings: Any, stack: contextlib.AsyncExitStack) -> Any:
    """The configured engine's message capability (connectors sending messages), as the
    service would give it: the REST engine when it takes the jobs, else Zeebe over gRPC with
    correlations over the REST API when CAMUNDA_REST_ADDRESS is set. No engine: a sender
    that answers "not configured" (an input error), so nothing connects needlessly."""
    from app.engines.camunda_rest.process_commands import RestProcessCommands
    from app.runtime.messaging import EngineMessageSender

    rest = None
    if settings.camunda_rest_address:
        rest = RestProcessCommands.from_settings(settings)
        stack.push_async_callback(rest.aclose)
    if settings.job_transport == "rest" and rest is not None:
        return EngineMessageSender(rest, rest, rest_publisher=True)
    if not settings.zeebe_enabled:
        return EngineMessageSender(None, rest)
    from app.engines.zeebe.process_commands import connected

    commands = await stack.enter_async_context(connected(settings))
    return EngineMessageSender(commands, rest)
