"""The ``@outbound_connector`` decorator and the connector definition it produces."""

from __future__ import annotations

import asyncio
import builtins
import concurrent.futures
import contextvars
import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, get_type_hints

from pydantic import BaseModel

from connectors.sdk.binding import bind
from connectors.sdk.context import OutboundContext
from connectors.sdk.examples import Example
from connectors.sdk.fields import Group
from connectors.sdk.result import json_ready


@dataclass(frozen=True)
class OutboundConnector:
    """A connector function plus everything the runtime and the template generator need."""

    function: Callable[..., Any]
    name: str
    type: str
    version: int = 1
    timeout: float | None = None
    input_model: builtins.type[BaseModel] | None = None  # `type` is a field here
    input_variables: tuple[str, ...] = ()
    description: str | None = None
    icon: str | None = None
    documentation_url: str | None = None
    template_id: str | None = None
    groups: tuple[Group, ...] = ()
    examples: tuple[Example, ...] = ()
    model_parameter: str | None = None
    context_parameter: str | None = None
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.function)

    def arguments(self, context: OutboundContext) -> dict[str, Any]:
        """Bind the context's variables into keyword arguments for :attr:`function`.

        Raises ``ConnectorInputError`` naming every invalid field.
        """
        kwargs: dict[str, Any] = {}
        if self.model_parameter is not None and self.input_model is not None:
            kwargs[self.model_parameter] = bind(self.input_model, context.variables)
        if self.context_parameter is not None:
            kwargs[self.context_parameter] = context
        return kwargs

    async def invoke(
        self, context: OutboundContext, executor: concurrent.futures.Executor | None = None
    ) -> Any:
        """Bind, call the function (sync ones in ``executor``), return a JSON-ready result."""
        kwargs = self.arguments(context)
        if self.is_async:
            result = await self.function(**kwargs)
        else:
            loop = asyncio.get_running_loop()
            call = functools.partial(self.function, **kwargs)
            # The thread runs in a copy of this context (contextvars, e.g. mask_derived).
            result = await loop.run_in_executor(executor, contextvars.copy_context().run, call)
        return json_ready(result)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)

    def with_overrides(self, **changes: Any) -> OutboundConnector:
        """A copy with some attributes replaced (type, timeout, source...)."""
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        values.update(changes)
        return OutboundConnector(**values)


def outbound_connector(
    *,
    name: str,
    type: str,
    version: int = 1,
    timeout: float | None = None,
    input_variables: Sequence[str] | None = None,
    description: str | None = None,
    icon: str | None = None,
    documentation_url: str | None = None,
    template_id: str | None = None,
    groups: Sequence[Group] = (),
    examples: Sequence[Example] = (),
) -> Callable[[Callable[..., Any]], OutboundConnector]:
    """Declare a function as an outbound connector.

    The function may be sync or async and takes a pydantic model parameter (the bound
    input), an :class:`OutboundContext` parameter, both, or neither. Its return value must
    be JSON-serialisable (a pydantic model is dumped by alias). The model's top-level
    fields (by alias) become the input variables unless ``input_variables`` is given.
    ``examples`` are ready-made test invocations the admin UI offers.
    """

    def decorate(function: Callable[..., Any]) -> OutboundConnector:
        model_param, model, context_param = _inspect_parameters(function)
        if input_variables is not None:
            variables = tuple(input_variables)
        elif model is not None:
            variables = tuple(
                (info.alias or field_name) for field_name, info in model.model_fields.items()
            )
        else:
            variables = ()
        if timeout is not None and timeout <= 0:
            raise ValueError(f"connector {name!r}: timeout must be > 0 seconds")
        return OutboundConnector(
            function=function,
            name=name,
            type=type,
            version=version,
            timeout=timeout,
            input_model=model,
            input_variables=variables,
            description=description or inspect.getdoc(function),
            icon=icon,
            documentation_url=documentation_url,
            template_id=template_id,
            groups=tuple(groups),
            examples=tuple(examples),
            model_parameter=model_param,
            context_parameter=context_param,
            source=f"{function.__module__}:{function.__qualname__}",
        )

    return decorate


def _inspect_parameters(
    function: Callable[..., Any],
) -> tuple[str | None, type[BaseModel] | None, str | None]:
    try:
        hints = get_type_hints(function)
    except Exception as exc:  # unresolved forward references
        raise TypeError(f"cannot resolve the type hints of {function.__qualname__}: {exc}") from exc
    model_param: str | None = None
    model: type[BaseModel] | None = None
    context_param: str | None = None
    for param in inspect.signature(function).parameters.values():
        hint = hints.get(param.name)
        if hint is OutboundContext:
            context_param = param.name
        elif isinstance(hint, type) and issubclass(hint, BaseModel):
            if model is not None:
                raise TypeError(f"{function.__qualname__}: only one input model parameter")
            model_param, model = param.name, hint
        elif param.default is inspect.Parameter.empty:
            raise TypeError(
                f"{function.__qualname__}: parameter {param.name!r} must be annotated with a "
                "pydantic model or OutboundContext"
            )
    return model_param, model, context_param


ConnectorFunction = Callable[..., Any] | Callable[..., Awaitable[Any]]
