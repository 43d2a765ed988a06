"""The registry of built-in functions and argument helpers shared by their modules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from app.feel.values import EvalState, FeelFunction, Problem, is_number, number, type_name

BUILTINS: dict[str, list[FeelFunction]] = {}


def builtin(
    name: str, params: Sequence[str], required: int | None = None, varargs: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``impl(state, *args)`` as an overload of the built-in ``name``."""

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        def invoke(state: EvalState, args: list[Any]) -> Any:
            return impl(state, *args)

        BUILTINS.setdefault(name, []).append(
            FeelFunction(name, params, invoke, required=required, varargs=varargs)
        )
        return impl

    return register


def alias(name: str, target: str) -> None:
    BUILTINS[name] = BUILTINS[target]


def num(v: Any, param: str) -> int | Decimal:
    if not is_number(v):
        raise Problem(f"expected number for parameter '{param}' but found {type_name(v)}")
    return number(v)


def integer(v: Any, param: str) -> int:
    n = num(v, param)
    if n != int(n):
        raise Problem(f"expected an integer for parameter '{param}' but found {n}")
    return int(n)


def string(v: Any, param: str) -> str:
    if type(v) is not str:
        raise Problem(f"expected string for parameter '{param}' but found {type_name(v)}")
    return v


def lst(v: Any, param: str) -> list[Any]:
    if type(v) is not list:
        raise Problem(f"expected list for parameter '{param}' but found {type_name(v)}")
    return v


def ctx(v: Any, param: str) -> dict[str, Any]:
    if type(v) is not dict:
        raise Problem(f"expected context for parameter '{param}' but found {type_name(v)}")
    return v


def items_or_varargs(args: tuple[Any, ...]) -> list[Any]:
    """Functions like min/max/sum take a single list or several arguments."""
    if len(args) == 1 and type(args[0]) is list:
        return args[0]
    return list(args)
