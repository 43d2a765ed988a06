"""Unary tests: ``x in (< 5, [1..3], "a")``, top-level unary tests and their evaluation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.feel import ast, diagnostics, ops
from app.feel.diagnostics import Site, Span, attempt
from app.feel.values import Range, Scope, UnaryTestValue, type_name

Fn = Callable[[Scope], Any]
Test = Callable[[Scope, Any], Any]
Compile = Callable[[ast.Node], Fn]
SpanOf = Callable[[ast.Node], Span]


def compile_test(node: ast.Node, compile: Compile, span_of: SpanOf) -> Test:
    """A positive unary test: returns True/False/None for an input value."""
    site = Site(diagnostics.NOT_COMPARABLE, span_of(node))
    if isinstance(node, ast.UnaryCompare):
        operand = compile(node.operand)
        op = node.op
        compare = ops.compare

        def compare_test(scope: Scope, v: Any) -> Any:
            return attempt(scope.state, site, compare, op, v, operand(scope))

        return compare_test
    if isinstance(node, ast.Literal):
        # A literal is an equality test (so "true" does not accept false).
        value = node.value

        def literal_test(scope: Scope, v: Any) -> Any:
            r = ops.equals(v, value)
            if r is None:
                message = f"can't compare {type_name(v)} with {type_name(value)}"
                scope.state.warn(site.type, message, site.span)
            return r

        return literal_test
    fn = compile(node)
    uses_input = ast.uses_name(node, "?")

    def expr_test(scope: Scope, v: Any) -> Any:
        r = fn(Scope({"?": v}, scope, scope.state))
        return attempt(scope.state, site, apply_test_value, r, v, uses_input)

    return expr_test


def compile_in(node: ast.In, compile: Compile, span_of: SpanOf) -> Fn:
    value = compile(node.value)
    tests = [compile_test(t, compile, span_of) for t in node.tests]

    def in_(scope: Scope) -> Any:
        v = value(scope)
        result: Any = False
        for test in tests:
            r = test(scope, v)
            if r is True:
                return True
            if r is None:
                result = None
        return result

    return in_


def compile_unary_compare(node: ast.UnaryCompare, compile: Compile) -> Fn:
    """``< 5`` used as a value (e.g. in a list of tests)."""
    operand = compile(node.operand)
    op = node.op
    return lambda scope: UnaryTestValue(op, operand(scope))


def compile_unary_tests(node: ast.UnaryTests, compile: Compile, span_of: SpanOf) -> Fn:
    """Top-level unary tests over the input value ``?``."""
    if node.tests is None:
        return lambda scope: True
    tests = [compile_test(t, compile, span_of) for t in node.tests]
    negated = node.negated

    def unary_tests(scope: Scope) -> Any:
        v = scope.vars.get("?")
        result: Any = False
        for test in tests:
            r = test(scope, v)
            if r is True:
                result = True
                break
            if r is None:
                result = None
        if negated:
            return None if result is None else not result
        return result

    return unary_tests


def apply_test_value(r: Any, v: Any, uses_input: bool) -> Any:
    """Interpret the value of a unary-test expression against the input value ``v``.

    The order follows feel-scala: ``true`` passes, a list passes when it contains the input,
    otherwise the value must equal the input.
    """
    t = type(r)
    if t is UnaryTestValue:
        return ops.compare(r.op, v, r.operand)
    if t is Range:
        return ops.in_range(r, v)
    if r is True:
        return True
    if uses_input:
        return False if r is False else None
    if t is list:
        for x in r:
            if type(x) is Range:
                if ops.in_range(x, v) is True:
                    return True
            elif type(x) is UnaryTestValue:
                if ops.compare(x.op, v, x.operand) is True:
                    return True
            elif ops.equals(x, v) is True:
                return True
    equal = ops.equals(v, r)
    if equal is True:
        return True
    if r is False or t is list:
        return False
    return None if equal is None else False
