"""Iteration: ``for``, ``some`` / ``every`` and the domains they iterate over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.feel import ast, diagnostics, limits
from app.feel.diagnostics import Site, Span, attempt
from app.feel.errors import FeelLimitError
from app.feel.format import describe
from app.feel.values import Problem, Range, Scope, check_list, is_number

Fn = Callable[[Scope], Any]
Compile = Callable[[ast.Node], Fn]
SpanOf = Callable[[ast.Node], Span]


def int_bounds(a: Any, b: Any) -> tuple[int, int]:
    """The integer bounds of an iteration ``a..b`` or an iterated range; the one check of
    both: numbers, integral, and fewer than ``MAX_LIST_LENGTH`` elements."""
    if not (is_number(a) and is_number(b)):
        raise Problem("range bounds must be numbers", diagnostics.INVALID_TYPE)
    if a != int(a) or b != int(b):
        raise Problem("range bounds must be integers", diagnostics.INVALID_TYPE)
    a, b = int(a), int(b)
    if abs(b - a) >= limits.MAX_LIST_LENGTH:
        raise FeelLimitError(f"range {a}..{b} has more than {limits.MAX_LIST_LENGTH} elements")
    return a, b


def _iteration(a: Any, b: Any) -> range:
    a, b = int_bounds(a, b)
    return range(a, b + 1) if a <= b else range(a, b - 1, -1)


def _range_items(r: Range) -> range:
    a, b = int_bounds(r.start, r.end)
    step = 1 if a <= b else -1
    first = a if r.start_included else a + step
    last = b if r.end_included else b - step
    if (last - first) * step < 0:
        return range(0)
    return range(first, last + step, step)


def _domain(
    node: ast.Node, compile: Compile, span_of: SpanOf
) -> Callable[[Scope], list[Any] | range | None]:
    site = Site(diagnostics.INVALID_TYPE, span_of(node))
    if isinstance(node, ast.IterRange):
        start = compile(node.start)
        end = compile(node.end)
        return lambda scope: attempt(scope.state, site, _iteration, start(scope), end(scope))
    fn = compile(node)

    def domain(scope: Scope) -> Any:
        v = fn(scope)
        if type(v) is list:
            return v
        if type(v) is Range:
            return attempt(scope.state, site, _range_items, v)
        message = f"Expected list but found '{describe(v)}'"
        scope.state.warn(diagnostics.INVALID_TYPE, message, site.span)
        return None

    return domain


def compile_for(node: ast.For, compile: Compile, span_of: SpanOf) -> Fn:
    names = [n for n, _ in node.iterators]
    domains = [_domain(d, compile, span_of) for _, d in node.iterators]
    body = compile(node.body)
    depth = len(names)
    # "partial" is a snapshot of the results so far; copy only when the body can see it.
    uses_partial = ast.uses_name(node.body, "partial")

    def for_(scope: Scope) -> Any:
        state = scope.state
        results: list[Any] = []

        def loop(k: int, outer: Scope) -> bool:
            items = domains[k](outer)
            if items is None:
                return False
            state.tick(len(items) + 1)
            name = names[k]
            last = k == depth - 1
            for item in items:
                if last and uses_partial:
                    state.tick(len(results) >> 8)
                    inner = Scope({name: item, "partial": list(results)}, outer, state)
                else:
                    inner = Scope({name: item}, outer, state)
                if last:
                    results.append(body(inner))
                    if len(results) > limits.MAX_LIST_LENGTH:
                        check_list(results)
                elif not loop(k + 1, inner):
                    return False
            return True

        if not loop(0, scope):
            return None
        return results

    return for_


def compile_quantified(node: ast.Quantified, compile: Compile, span_of: SpanOf) -> Fn:
    names = [n for n, _ in node.iterators]
    domains = [_domain(d, compile, span_of) for _, d in node.iterators]
    cond = compile(node.condition)
    depth = len(names)

    # Like feel-scala: "some" is true on the first true, "every" false on the first false;
    # otherwise any non-boolean result makes the whole result null.
    decisive = not node.every

    def quantified(scope: Scope) -> Any:
        state = scope.state
        undecided = False

        def loop(k: int, outer: Scope) -> bool:
            nonlocal undecided
            items = domains[k](outer)
            if items is None:
                undecided = True
                return False
            state.tick(len(items) + 1)
            for item in items:
                inner = Scope({names[k]: item}, outer, state)
                if k == depth - 1:
                    r = cond(inner)
                    if r is decisive:
                        return True
                    if type(r) is not bool:
                        undecided = True
                elif loop(k + 1, inner):
                    return True
            return False

        if loop(0, scope):
            return decisive
        return None if undecided else not decisive

    return quantified
