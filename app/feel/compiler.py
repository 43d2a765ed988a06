"""Compiles a syntax tree into nested Python closures ``fn(scope) -> value``.

No eval/exec: every node becomes a small closure over its compiled children. Calls live in
``calls.py``, unary tests in ``unary.py``; every evaluation problem becomes null plus a warning
through ``diagnostics.attempt`` at the node's span.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from app.feel import ast, calls, diagnostics, limits, loops, ops, properties, temporal, unary
from app.feel.convert import FAST_TYPES, to_feel
from app.feel.diagnostics import Site, Span, attempt
from app.feel.errors import FeelLimitError
from app.feel.format import describe
from app.feel.values import (
    MISSING,
    TYPES,
    EvalState,
    FeelFunction,
    Problem,
    Range,
    Scope,
    is_number,
    type_name,
)

Fn = Callable[[Scope], Any]
_INT_FLOAT = frozenset({int, float})
_INT_LIMIT = 10**34


def _index(xs: list[Any], n: Any) -> Any:
    if not is_number(n):
        return None
    if type(n) is float:
        n = Decimal(repr(n)) if n == n and abs(n) != float("inf") else Decimal(0)
    if type(n) is Decimal:
        if n != n.to_integral_value():
            return None
        n = int(n)
    if n > 0 and n <= len(xs):
        return xs[n - 1]
    if n < 0 and -n <= len(xs):
        return xs[n]
    return None


def _equals(a: Any, b: Any) -> Any:
    r = ops.equals(a, b)
    if r is None:
        raise Problem(
            f"can't compare {type_name(a)} with {type_name(b)}", diagnostics.NOT_COMPARABLE
        )
    return r


def _not_equals(op: str, a: Any, b: Any) -> Any:
    r = ops.compare(op, a, b)
    if r is None:
        raise Problem(
            f"can't compare {type_name(a)} with {type_name(b)}", diagnostics.NOT_COMPARABLE
        )
    return r


def _not_a_list(state: EvalState, v: Any, span: Span) -> None:
    state.warn(diagnostics.INVALID_TYPE, f"Expected list but found '{describe(v)}'", span)


class Compiler:
    """Compiles one parsed expression; ``offset`` shifts node spans into the caller's text."""

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset

    def compile(self, node: ast.Node) -> Fn:
        return _DISPATCH[type(node)](self, node)

    def span(self, node: ast.Node) -> Span:
        start, end = node.span
        return (start + self.offset, end + self.offset)

    # -- literals and names --------------------------------------------------------------------

    def literal(self, node: ast.Literal) -> Fn:
        value = node.value
        return lambda scope: value

    def temporal_literal(self, node: ast.TemporalLiteral) -> Fn:
        try:
            value = temporal.parse_temporal(node.text)
        except Problem as exc:
            # As feel-scala: an invalid temporal literal evaluates to null with a warning.
            message, span = str(exc), self.span(node)

            def invalid(scope: Scope) -> Any:
                scope.state.warn(diagnostics.FUNCTION_INVOCATION_FAILURE, message, span)
                return None

            return invalid
        return lambda scope: value

    def name(self, node: ast.Name) -> Fn:
        name, span = node.name, self.span(node)
        message = f"No variable found with name '{name}'"

        def lookup(scope: Scope) -> Any:
            s: Scope | None = scope
            while s is not None:
                v = s.vars.get(name, MISSING)
                if v is not MISSING:
                    return v if type(v) in FAST_TYPES else to_feel(v)
                s = s.parent
            scope.state.warn(diagnostics.NO_VARIABLE_FOUND, message, span)
            return None

        return lookup

    def list_lit(self, node: ast.ListLit) -> Fn:
        items = [self.compile(x) for x in node.items]
        return lambda scope: [f(scope) for f in items]

    def context_lit(self, node: ast.ContextLit) -> Fn:
        entries = [(k, self.compile(v)) for k, v in node.entries]

        def context(scope: Scope) -> Any:
            result: dict[str, Any] = {}
            inner = Scope(result, scope, scope.state)
            for key, fn in entries:
                result[key] = fn(inner)
            return result

        return context

    def range_lit(self, node: ast.RangeLit) -> Fn:
        start = self.compile(node.start) if node.start is not None else None
        end = self.compile(node.end) if node.end is not None else None
        s_incl, e_incl = node.start_included, node.end_included
        span = self.span(node)

        def make(scope: Scope) -> Any:
            lo = start(scope) if start else None
            hi = end(scope) if end else None
            if lo is not None and hi is not None and ops.kind(lo) is not ops.kind(hi):
                message = f"invalid range: {type_name(lo)} and {type_name(hi)}"
                scope.state.warn(diagnostics.INVALID_TYPE, message, span)
                return None
            return Range(lo, s_incl, hi, e_incl)

        return make

    # -- access --------------------------------------------------------------------------------

    def path(self, node: ast.Path) -> Fn:
        target = self.compile(node.target)
        name, span = node.name, self.span(node)
        message = f"No context entry found with key '{name}'"

        def path(scope: Scope) -> Any:
            v = target(scope)
            if type(v) is dict:
                r = v.get(name, MISSING)
                if r is MISSING:
                    scope.state.warn(diagnostics.NO_CONTEXT_ENTRY_FOUND, message, span)
                    return None
                return r if type(r) in FAST_TYPES else to_feel(r)
            return properties.get(scope.state, v, name, span)

        return path

    def filter(self, node: ast.Filter) -> Fn:
        target = self.compile(node.target)
        cond_node = node.condition
        span = self.span(node)
        if isinstance(cond_node, ast.Literal) and is_number(cond_node.value):
            index = cond_node.value

            def static_index(scope: Scope) -> Any:
                v = target(scope)
                if type(v) is not list:
                    return _not_a_list(scope.state, v, span)
                return _index(v, index)

            return static_index

        cond = self.compile(cond_node)
        # Like feel-scala: comparisons and calls always filter item by item; any other filter is
        # first evaluated on its own and used as an index when it yields a number.
        per_item = isinstance(cond_node, ast.Binary | ast.Between | ast.In | ast.Call) and (
            not isinstance(cond_node, ast.Binary) or cond_node.op not in ops.ARITHMETIC
        )

        def filter_(scope: Scope) -> Any:
            v = target(scope)
            state = scope.state
            if type(v) is not list:
                return _not_a_list(state, v, span)
            if not per_item:
                index = cond(scope)
                if is_number(index):
                    return _index(v, index)
            state.tick(len(v) + 1)
            out: list[Any] = []
            first = True
            for item in v:
                holder = Scope({"item": item}, scope, state)
                inner = Scope(item, holder, state) if type(item) is dict else holder
                r = cond(inner)
                if first and is_number(r):
                    return _index(v, r)  # as feel-scala: a number for the first item is an index
                first = False
                if r is True:
                    out.append(item)
            return out

        return filter_

    def call(self, node: ast.Call) -> Fn:
        return calls.compile_call(node, self.compile, self.span(node))

    # -- operators -----------------------------------------------------------------------------

    def negate(self, node: ast.Negate) -> Fn:
        operand = self.compile(node.operand)
        site = Site(diagnostics.INVALID_TYPE, self.span(node))
        negate = ops.negate
        return lambda scope: attempt(scope.state, site, negate, operand(scope))

    def binary(self, node: ast.Binary) -> Fn:
        left = self.compile(node.left)
        right = self.compile(node.right)
        op = node.op
        site = Site(diagnostics.INVALID_TYPE, self.span(node))
        if op in ops.ARITHMETIC:
            impl = ops.ARITHMETIC[op]

            def checked(state: EvalState, a: Any, b: Any) -> Any:
                r = impl(a, b)
                if type(r) is str and len(r) > 1024:
                    state.tick(len(r) >> 6)
                return r

            if op == "+":

                def plus(scope: Scope) -> Any:
                    a = left(scope)
                    b = right(scope)
                    if type(a) is int and type(b) is int:
                        r = a + b
                        if -_INT_LIMIT < r < _INT_LIMIT:
                            return r
                    return attempt(scope.state, site, checked, scope.state, a, b)

                return plus

            def arith(scope: Scope) -> Any:
                return attempt(scope.state, site, checked, scope.state, left(scope), right(scope))

            return arith

        site = Site(diagnostics.NOT_COMPARABLE, site.span)

        if op == "=":

            def eq(scope: Scope) -> Any:
                a = left(scope)
                b = right(scope)
                ta = type(a)
                if ta is type(b) and (ta is str or ta is int or ta is bool):
                    return a == b
                return attempt(scope.state, site, _equals, a, b)

            return eq

        native = op in ("<", "<=", ">", ">=")
        compare = _not_equals if op == "!=" else ops.compare

        def cmp(scope: Scope) -> Any:
            a = left(scope)
            b = right(scope)
            # int/float pairs order the same natively as by their decimal reading.
            if native and type(a) in _INT_FLOAT and type(b) in _INT_FLOAT:
                if op == "<":
                    return a < b
                if op == ">":
                    return a > b
                if op == "<=":
                    return a <= b
                return a >= b
            return attempt(scope.state, site, compare, op, a, b)

        return cmp

    def and_(self, node: ast.And) -> Fn:
        left = self.compile(node.left)
        right = self.compile(node.right)

        def and_(scope: Scope) -> Any:
            a = left(scope)
            if a is False:
                return False
            b = right(scope)
            if b is False:
                return False
            if a is True and b is True:
                return True
            return None

        return and_

    def or_(self, node: ast.Or) -> Fn:
        left = self.compile(node.left)
        right = self.compile(node.right)

        def or_(scope: Scope) -> Any:
            a = left(scope)
            if a is True:
                return True
            b = right(scope)
            if b is True:
                return True
            if a is False and b is False:
                return False
            return None

        return or_

    def between(self, node: ast.Between) -> Fn:
        value = self.compile(node.value)
        low = self.compile(node.low)
        high = self.compile(node.high)
        site = Site(diagnostics.NOT_COMPARABLE, self.span(node))

        def check(v: Any, lo: Any, hi: Any) -> Any:
            a = ops.compare("<=", lo, v)
            b = ops.compare("<=", v, hi)
            if a is False or b is False:
                return False
            if a is None or b is None:
                return None
            return True

        return lambda scope: attempt(
            scope.state, site, check, value(scope), low(scope), high(scope)
        )

    def instance_of(self, node: ast.InstanceOf) -> Fn:
        value = self.compile(node.value)
        check = TYPES.get(node.type_name)
        if check is None:
            message, span = f"unknown type '{node.type_name}'", self.span(node)

            def unknown(scope: Scope) -> Any:
                scope.state.warn(diagnostics.INVALID_TYPE, message, span)
                return None

            return unknown
        return lambda scope: check(value(scope))

    def unary_compare(self, node: ast.UnaryCompare) -> Fn:
        return unary.compile_unary_compare(node, self.compile)

    def in_(self, node: ast.In) -> Fn:
        return unary.compile_in(node, self.compile, self.span)

    def unary_tests(self, node: ast.UnaryTests) -> Fn:
        return unary.compile_unary_tests(node, self.compile, self.span)

    # -- control -------------------------------------------------------------------------------

    def if_(self, node: ast.If) -> Fn:
        cond = self.compile(node.condition)
        then = self.compile(node.then)
        otherwise = self.compile(node.otherwise)
        return lambda scope: then(scope) if cond(scope) is True else otherwise(scope)

    def for_(self, node: ast.For) -> Fn:
        return loops.compile_for(node, self.compile, self.span)

    def quantified(self, node: ast.Quantified) -> Fn:
        return loops.compile_quantified(node, self.compile, self.span)

    def function_def(self, node: ast.FunctionDef) -> Fn:
        params = list(node.params)
        body = self.compile(node.body)
        count = len(params)

        def define(scope: Scope) -> Any:
            def call(state: EvalState, args: list[Any]) -> Any:
                if len(args) > count:
                    raise Problem(f"expected {count} parameters but found {len(args)}")
                state.tick()  # a user-defined call costs a step: recursion is bounded too
                state.call_depth += 1
                if state.call_depth > limits.MAX_CALL_DEPTH:
                    raise FeelLimitError(
                        f"function calls nested deeper than {limits.MAX_CALL_DEPTH} levels"
                    )
                try:
                    values = list(args) + [None] * (count - len(args))
                    return body(Scope(dict(zip(params, values, strict=True)), scope, state))
                finally:
                    state.call_depth -= 1

            return FeelFunction("anonymous function", params, call, required=count)

        return define


# One entry per node type; a node type without an entry is an engine bug (KeyError).
_DISPATCH: dict[type[ast.Node], Callable[[Compiler, Any], Fn]] = {
    ast.Literal: Compiler.literal,
    ast.TemporalLiteral: Compiler.temporal_literal,
    ast.Name: Compiler.name,
    ast.ListLit: Compiler.list_lit,
    ast.ContextLit: Compiler.context_lit,
    ast.RangeLit: Compiler.range_lit,
    ast.Path: Compiler.path,
    ast.Filter: Compiler.filter,
    ast.Call: Compiler.call,
    ast.Negate: Compiler.negate,
    ast.Binary: Compiler.binary,
    ast.And: Compiler.and_,
    ast.Or: Compiler.or_,
    ast.Between: Compiler.between,
    ast.In: Compiler.in_,
    ast.InstanceOf: Compiler.instance_of,
    ast.UnaryCompare: Compiler.unary_compare,
    ast.UnaryTests: Compiler.unary_tests,
    ast.If: Compiler.if_,
    ast.For: Compiler.for_,
    ast.Quantified: Compiler.quantified,
    ast.FunctionDef: Compiler.function_def,
}
