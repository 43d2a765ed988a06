"""What a connector function can see of the job it runs for."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from connectors.sdk.binding import bind
from connectors.sdk.errors import ConnectorInputError
from connectors.sdk.messages import MessageSender

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class JobInfo:
    """Metadata of the Zeebe job (or test invocation) being executed."""

    key: int = 0
    type: str = ""
    process_instance_key: int = 0
    bpmn_process_id: str = ""
    process_definition_key: int = 0
    process_definition_version: int = 0
    element_id: str = ""
    element_instance_key: int = 0
    tenant_id: str = "<default>"
    retries: int = 3
    custom_headers: Mapping[str, str] = field(default_factory=dict)
    worker: str = ""
    deadline: int = 0


MaskSink = Callable[[tuple[str, ...]], None]

_current_sink: contextvars.ContextVar[MaskSink | None] = contextvars.ContextVar(
    "switchboard_mask_sink", default=None
)


def _discard(values: tuple[str, ...]) -> None:
    return None


@dataclass(frozen=True)
class OutboundContext:
    """Passed to a connector function that asks for it (a parameter annotated
    ``OutboundContext``). ``variables`` already have their secret placeholders replaced.
    ``messages`` is the engine's message capability (see :mod:`connectors.sdk.messages`):
    the adapter that took the job fills it; ``None`` when no engine is configured."""

    job: JobInfo
    variables: Mapping[str, Any]
    mask_sink: MaskSink = field(default=_discard, repr=False, compare=False)
    messages: MessageSender | None = field(default=None, repr=False, compare=False)

    def bind(self, model: type[M]) -> M:
        """Validate the job variables into ``model``; raises ``ConnectorInputError``."""
        return bind(model, self.variables)

    def message_sender(self) -> MessageSender:
        """:attr:`messages`, or ``ConnectorInputError`` (retries 0) when no engine is
        configured to send messages."""
        if self.messages is None:
            raise ConnectorInputError(
                "Sending a message needs an engine: configure Zeebe (ZEEBE_ADDRESS) or the "
                "REST engine (CAMUNDA_REST_ADDRESS)",
                code="ENGINE_NOT_CONFIGURED",
            )
        return self.messages

    def mask_derived(self, *values: str) -> None:
        """Declare ``values`` derived from this job's secrets (a Basic authorization header,
        a signature, a token, an encoding the runtime does not know): from now on they are
        masked like the secrets themselves, in this job's failure messages, error variables
        and history, and in every log line."""
        self.mask_sink(values)


def mask_derived(*values: str) -> None:
    """:meth:`OutboundContext.mask_derived` for code that has no context at hand (a client
    library called by the connector): it applies to the job whose connector is running.
    Outside a job it does nothing."""
    sink = _current_sink.get()
    if sink is not None:
        sink(values)


@contextlib.contextmanager
def masking_to(sink: MaskSink) -> Iterator[None]:
    """For the runtime: while the connector runs, :func:`mask_derived` reports to ``sink``
    (also from tasks it starts and, through ``OutboundConnector.invoke``, from the thread a
    sync function runs in)."""
    token = _current_sink.set(sink)
    try:
        yield
    finally:
        _current_sink.reset(token)
