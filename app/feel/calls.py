"""Function calls: finding the function, choosing the overload, binding named arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.feel import ast, diagnostics
from app.feel.builtins import BUILTINS
from app.feel.diagnostics import Site, attempt
from app.feel.values import MISSING, EvalState, FeelFunction, Scope, type_name

Fn = Callable[[Scope], Any]


def _checked_call(state: EvalState, fn: FeelFunction, args: list[Any]) -> Any:
    result = fn.invoke(state, args)
    t = type(result)
    # Charge big results against the step budget so repeated growth stays bounded.
    if t is str:
        if len(result) > 1024:
            state.tick(len(result) >> 6)
    elif t is list and len(result) > 64:
        state.tick(len(result) >> 3)
    return result


def select_overload(overloads: list[FeelFunction], count: int) -> FeelFunction | None:
    for fn in overloads:
        if fn.accepts(count):
            return fn
    return None


def bind_named(
    overloads: list[FeelFunction], named: dict[str, Any]
) -> tuple[FeelFunction, list[Any]] | None:
    """The first overload whose parameters cover ``named``, with its positional arguments."""
    for fn in overloads:
        params = fn.params
        if not all(k in params for k in named):
            continue
        positions = [params.index(k) for k in named]
        count = max(positions) + 1 if positions else 0
        if any(params[i] not in named for i in range(fn.required)):
            continue
        args = [named.get(params[i]) for i in range(count)]
        if fn.varargs and params[-1] in named and len(args) == len(params):
            # A named variadic argument carries the whole list: union(lists: [[1], [2]]).
            rest = args.pop()
            args.extend(rest if type(rest) is list else [rest])
        return fn, args
    return None


def compile_call(node: ast.Call, compile: Callable[[ast.Node], Fn], span: diagnostics.Span) -> Fn:
    """The closure of a call ``f(args)`` / ``f(name: value)``; ``compile`` compiles children."""
    args = [compile(a) for a in node.args]
    named = [(k, compile(v)) for k, v in node.named] if node.named is not None else None
    target_node = node.target
    if isinstance(target_node, ast.Name):
        name = target_node.name
        overloads = BUILTINS.get(name)
        target = None
    else:
        name = "anonymous function"
        overloads = None
        target = compile(target_node)
    missing = diagnostics.NO_FUNCTION_FOUND
    sites: dict[str, Site] = {}  # per function name: the warning site of its invocation

    def site_of(fn: FeelFunction) -> Site:
        site = sites.get(fn.name)
        if site is None:
            prefix = f"Failed to invoke function '{fn.name}': "
            site = sites[fn.name] = Site(diagnostics.FUNCTION_INVOCATION_FAILURE, span, prefix)
        return site

    def call(scope: Scope) -> Any:
        state = scope.state
        fn: Any = None
        if target is None:
            s: Scope | None = scope
            while s is not None:
                v = s.vars.get(name, MISSING)
                if v is not MISSING:
                    if type(v) is FeelFunction:
                        fn = v
                    break
                s = s.parent
            candidates = [fn] if fn is not None else overloads
            if candidates is None:
                state.warn(missing, f"No function found with name '{name}'", span)
                return None
        else:
            fn = target(scope)
            if type(fn) is not FeelFunction:
                state.warn(missing, f"Can't invoke {type_name(fn)} as a function", span)
                return None
            candidates = [fn]
        if named is None:
            values = [a(scope) for a in args]
            chosen = select_overload(candidates, len(values))
            if chosen is None:
                message = f"No function found with name '{name}' and {len(values)} parameters"
                state.warn(missing, message, span)
                return None
            return attempt(state, site_of(chosen), _checked_call, state, chosen, values)
        given = {k: f(scope) for k, f in named}
        bound = bind_named(candidates, given)
        if bound is None:
            message = f"No function found with name '{name}' and parameters {', '.join(given)}"
            state.warn(missing, message, span)
            return None
        chosen, values = bound
        return attempt(state, site_of(chosen), _checked_call, state, chosen, values)

    return call
