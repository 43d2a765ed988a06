"""Compiles a syntax tree into nested Python closures ``fn(scope) -> value``.

No eval/exec: every node becomes a small closure over its compiled children.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal, DecimalException
from typing import Any

from app.feel import ast, limits, ops, properties, temporal
from app.feel.builtins import BUILTINS
from app.feel.convert import FAST_TYPES, to_feel
from app.feel.errors import FeelError, FeelLimitError
from app.feel.format import describe
from app.feel.values import (
    MISSING,
    EvalState,
    FeelFunction,
    Problem,
    Range,
    Scope,
    UnaryTestValue,
    YearMonthDuration,
    check_list,
    is_number,
    type_name,
)

Fn = Callable[[Scope], Any]
_INT_FLOAT = frozenset({int, float})


def _lookup_fn(name: str) -> Fn:
    def lookup(scope: Scope) -> Any:
        s: Scope | None = scope
        while s is not None:
            v = s.vars.get(name, MISSING)
            if v is not MISSING:
                return v if type(v) in FAST_TYPES else to_feel(v)
            s = s.parent
        scope.state.warn(f"No variable found with name '{name}'")
        return None

    return lookup


def invoke(state: EvalState, fn: FeelFunction, args: list[Any]) -> Any:
    """Call a FEEL function; problems become null plus a warning."""
    try:
        result = fn.invoke(state, args)
        t = type(result)
        # Charge big results against the step budget so repeated growth stays bounded.
        if t is str:
            if len(result) > 1024:
                state.tick(len(result) >> 6)
        elif t is list and len(result) > 64:
            state.tick(len(result) >> 3)
        return result
    except Problem as exc:
        state.warn(f"Failed to invoke function '{fn.name}': {exc}")
    except (FeelError, RecursionError, MemoryError):
        raise
    except DecimalException:
        state.warn(f"Failed to invoke function '{fn.name}': arithmetic error")
    except Exception as exc:  # a bug or unexpected input in a built-in must not escape
        state.warn(f"Failed to invoke function '{fn.name}': internal error ({type(exc).__name__})")
    return None


def select_overload(overloads: list[FeelFunction], count: int) -> FeelFunction | None:
    for fn in overloads:
        if fn.accepts(count):
            return fn
    return None


def bind_named(
    overloads: list[FeelFunction], named: dict[str, Any]
) -> tuple[FeelFunction, list[Any]] | None:
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


_TYPES: dict[str, Callable[[Any], bool]] = {
    "number": is_number,
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "date": lambda v: type(v) is dt.date,
    "time": lambda v: type(v) is dt.time,
    "date and time": lambda v: type(v) is dt.datetime,
    "days and time duration": lambda v: type(v) is dt.timedelta,
    "years and months duration": lambda v: type(v) is YearMonthDuration,
    "list": lambda v: type(v) is list,
    "context": lambda v: type(v) is dict,
    "function": lambda v: type(v) is FeelFunction,
    "range": lambda v: type(v) is Range,
    "date time": lambda v: type(v) is dt.datetime,
    "year-month-duration": lambda v: type(v) is YearMonthDuration,
    "day-time-duration": lambda v: type(v) is dt.timedelta,
    "Any": lambda v: v is not None,
    "Null": lambda v: v is None,
    "null": lambda v: v is None,
}


def _uses_name(node: Any, name: str) -> bool:
    if isinstance(node, ast.Name):
        return node.name == name
    if isinstance(node, ast.Node):
        return any(
            _uses_name(getattr(node, f.name), name)
            for f in dataclasses.fields(node)  # type: ignore[arg-type]
        )
    if isinstance(node, list | tuple):
        return any(_uses_name(x, name) for x in node)
    return False


def _uses_input(node: Any) -> bool:
    return _uses_name(node, "?")


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


class Compiler:
    def compile(self, node: ast.Node) -> Fn:
        method = getattr(self, "c_" + type(node).__name__)
        return method(node)

    # -- literals and names --------------------------------------------------------------------

    def c_Literal(self, node: ast.Literal) -> Fn:
        value = node.value
        return lambda scope: value

    def c_TemporalLiteral(self, node: ast.TemporalLiteral) -> Fn:
        try:
            value = temporal.parse_temporal(node.text)
        except Problem as exc:
            # As feel-scala: an invalid temporal literal evaluates to null with a warning.
            message = str(exc)

            def invalid(scope: Scope) -> Any:
                scope.state.warn(message)
                return None

            return invalid
        return lambda scope: value

    def c_Name(self, node: ast.Name) -> Fn:
        return _lookup_fn(node.name)

    def c_ListLit(self, node: ast.ListLit) -> Fn:
        items = [self.compile(x) for x in node.items]
        return lambda scope: [f(scope) for f in items]

    def c_ContextLit(self, node: ast.ContextLit) -> Fn:
        entries = [(k, self.compile(v)) for k, v in node.entries]

        def context(scope: Scope) -> Any:
            result: dict[str, Any] = {}
            inner = Scope(result, scope, scope.state)
            for key, fn in entries:
                result[key] = fn(inner)
            return result

        return context

    def c_RangeLit(self, node: ast.RangeLit) -> Fn:
        start = self.compile(node.start) if node.start is not None else None
        end = self.compile(node.end) if node.end is not None else None
        s_incl, e_incl = node.start_included, node.end_included

        def make(scope: Scope) -> Any:
            lo = start(scope) if start else None
            hi = end(scope) if end else None
            if lo is not None and hi is not None and ops.kind(lo) is not ops.kind(hi):
                scope.state.warn(f"invalid range: {type_name(lo)} and {type_name(hi)}")
                return None
            return Range(lo, s_incl, hi, e_incl)

        return make

    # -- access --------------------------------------------------------------------------------

    def c_Path(self, node: ast.Path) -> Fn:
        target = self.compile(node.target)
        name = node.name

        def path(scope: Scope) -> Any:
            v = target(scope)
            if type(v) is dict:
                r = v.get(name, MISSING)
                if r is MISSING:
                    scope.state.warn(f"No context entry found with key '{name}'")
                    return None
                return r if type(r) in FAST_TYPES else to_feel(r)
            return properties.get(scope.state, v, name)

        return path

    def c_Filter(self, node: ast.Filter) -> Fn:
        target = self.compile(node.target)
        cond_node = node.condition
        if isinstance(cond_node, ast.Literal) and is_number(cond_node.value):
            index = cond_node.value

            def static_index(scope: Scope) -> Any:
                v = target(scope)
                if type(v) is not list:
                    scope.state.warn(f"Expected list but found '{describe(v)}'")
                    return None
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
            if type(v) is not list:
                scope.state.warn(f"Expected list but found '{describe(v)}'")
                return None
            state = scope.state
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

    def c_Call(self, node: ast.Call) -> Fn:
        args = [self.compile(a) for a in node.args]
        named = [(k, self.compile(v)) for k, v in node.named] if node.named is not None else None
        target_node = node.target
        if isinstance(target_node, ast.Name):
            name = target_node.name
            overloads = BUILTINS.get(name)
            target = None
        else:
            name = "anonymous function"
            overloads = None
            target = self.compile(target_node)

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
                    state.warn(f"No function found with name '{name}'")
                    return None
            else:
                fn = target(scope)
                if type(fn) is not FeelFunction:
                    state.warn(f"Can't invoke {type_name(fn)} as a function")
                    return None
                candidates = [fn]
            if named is None:
                values = [a(scope) for a in args]
                chosen = select_overload(candidates, len(values))
                if chosen is None:
                    state.warn(f"No function found with name '{name}' and {len(values)} parameters")
                    return None
                return invoke(state, chosen, values)
            given = {k: f(scope) for k, f in named}
            bound = bind_named(candidates, given)
            if bound is None:
                state.warn(
                    f"No function found with name '{name}' and parameters {', '.join(given)}"
                )
                return None
            return invoke(state, bound[0], bound[1])

        return call

    # -- operators -----------------------------------------------------------------------------

    def c_Negate(self, node: ast.Negate) -> Fn:
        operand = self.compile(node.operand)

        def negate(scope: Scope) -> Any:
            v = operand(scope)
            try:
                return ops.negate(v)
            except Problem as exc:
                scope.state.warn(str(exc))
                return None

        return negate

    def c_Binary(self, node: ast.Binary) -> Fn:
        left = self.compile(node.left)
        right = self.compile(node.right)
        op = node.op
        if op in ops.ARITHMETIC:
            impl = ops.ARITHMETIC[op]

            def arith(scope: Scope) -> Any:
                a = left(scope)
                b = right(scope)
                try:
                    r = impl(a, b)
                    if type(r) is str and len(r) > 1024:
                        scope.state.tick(len(r) >> 6)
                    return r
                except Problem as exc:
                    scope.state.warn(str(exc))
                except DecimalException:
                    scope.state.warn(f"arithmetic error in '{op}'")
                return None

            if op == "+":

                def plus(scope: Scope) -> Any:
                    a = left(scope)
                    b = right(scope)
                    if type(a) is int and type(b) is int:
                        r = a + b
                        if -(10**34) < r < 10**34:
                            return r
                    try:
                        r = impl(a, b)
                        if type(r) is str and len(r) > 1024:
                            scope.state.tick(len(r) >> 6)
                        return r
                    except Problem as exc:
                        scope.state.warn(str(exc))
                    except DecimalException:
                        scope.state.warn("arithmetic error in '+'")
                    return None

                return plus
            return arith

        if op == "=":

            def eq(scope: Scope) -> Any:
                a = left(scope)
                b = right(scope)
                ta = type(a)
                if ta is type(b) and (ta is str or ta is int or ta is bool):
                    return a == b
                try:
                    r = ops.equals(a, b)
                except Problem as exc:
                    scope.state.warn(str(exc))
                    return None
                if r is None:
                    scope.state.warn(f"can't compare {type_name(a)} with {type_name(b)}")
                return r

            return eq

        native = op in ("<", "<=", ">", ">=")

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
            try:
                r = ops.compare(op, a, b)
            except Problem as exc:
                scope.state.warn(str(exc))
                return None
            if r is None and op == "!=":
                scope.state.warn(f"can't compare {type_name(a)} with {type_name(b)}")
            return r

        return cmp

    def c_And(self, node: ast.And) -> Fn:
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

    def c_Or(self, node: ast.Or) -> Fn:
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

    def c_Between(self, node: ast.Between) -> Fn:
        value = self.compile(node.value)
        low = self.compile(node.low)
        high = self.compile(node.high)

        def between(scope: Scope) -> Any:
            v, lo, hi = value(scope), low(scope), high(scope)
            try:
                a = ops.compare("<=", lo, v)
                b = ops.compare("<=", v, hi)
            except Problem as exc:
                scope.state.warn(str(exc))
                return None
            if a is False or b is False:
                return False
            if a is None or b is None:
                return None
            return True

        return between

    def c_InstanceOf(self, node: ast.InstanceOf) -> Fn:
        value = self.compile(node.value)
        check = _TYPES.get(node.type_name)
        if check is None:
            type_name_ = node.type_name

            def unknown(scope: Scope) -> Any:
                scope.state.warn(f"unknown type '{type_name_}'")
                return None

            return unknown
        return lambda scope: check(value(scope))

    def c_UnaryCompare(self, node: ast.UnaryCompare) -> Fn:
        operand = self.compile(node.operand)
        op = node.op
        return lambda scope: UnaryTestValue(op, operand(scope))

    def c_In(self, node: ast.In) -> Fn:
        value = self.compile(node.value)
        tests = [self.compile_test(t) for t in node.tests]

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

    def compile_test(self, node: ast.Node) -> Callable[[Scope, Any], Any]:
        """A positive unary test: returns True/False/None for an input value."""
        if isinstance(node, ast.UnaryCompare):
            operand = self.compile(node.operand)
            op = node.op

            def compare_test(scope: Scope, v: Any) -> Any:
                try:
                    return ops.compare(op, v, operand(scope))
                except Problem as exc:
                    scope.state.warn(str(exc))
                    return None

            return compare_test
        if isinstance(node, ast.Literal):
            # A literal is an equality test (so "true" does not accept false).
            value = node.value

            def literal_test(scope: Scope, v: Any) -> Any:
                r = ops.equals(v, value)
                if r is None:
                    scope.state.warn(f"can't compare {type_name(v)} with {type_name(value)}")
                return r

            return literal_test
        fn = self.compile(node)
        uses_input = _uses_input(node)

        def expr_test(scope: Scope, v: Any) -> Any:
            inner = Scope({"?": v}, scope, scope.state)
            r = fn(inner)
            try:
                return apply_test_value(r, v, uses_input)
            except Problem as exc:
                scope.state.warn(str(exc))
                return None

        return expr_test

    # -- control -------------------------------------------------------------------------------

    def c_If(self, node: ast.If) -> Fn:
        cond = self.compile(node.condition)
        then = self.compile(node.then)
        otherwise = self.compile(node.otherwise)
        return lambda scope: then(scope) if cond(scope) is True else otherwise(scope)

    def _domain(self, node: ast.Node) -> Callable[[Scope], list[Any] | range | None]:
        if isinstance(node, ast.IterRange):
            start = self.compile(node.start)
            end = self.compile(node.end)

            def int_range(scope: Scope) -> Any:
                a, b = start(scope), end(scope)
                if not (is_number(a) and is_number(b)):
                    scope.state.warn("range bounds must be numbers")
                    return None
                if a != int(a) or b != int(b):
                    scope.state.warn("range bounds must be integers")
                    return None
                a, b = int(a), int(b)
                if abs(b - a) >= limits.MAX_LIST_LENGTH:
                    raise FeelLimitError(
                        f"range {a}..{b} has more than {limits.MAX_LIST_LENGTH} elements"
                    )
                return range(a, b + 1) if a <= b else range(a, b - 1, -1)

            return int_range
        fn = self.compile(node)

        def domain(scope: Scope) -> Any:
            v = fn(scope)
            if type(v) is list:
                return v
            if type(v) is Range:
                try:
                    return _range_items(v)
                except Problem as exc:
                    scope.state.warn(str(exc))
                    return None
            scope.state.warn(f"Expected list but found '{describe(v)}'")
            return None

        return domain

    def c_For(self, node: ast.For) -> Fn:
        names = [n for n, _ in node.iterators]
        domains = [self._domain(d) for _, d in node.iterators]
        body = self.compile(node.body)
        depth = len(names)
        # "partial" is a snapshot of the results so far; copy only when the body can see it.
        uses_partial = _uses_name(node.body, "partial")

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

    def c_Quantified(self, node: ast.Quantified) -> Fn:
        names = [n for n, _ in node.iterators]
        domains = [self._domain(d) for _, d in node.iterators]
        cond = self.compile(node.condition)
        every = node.every
        depth = len(names)

        # Like feel-scala: "some" is true on the first true, "every" false on the first false;
        # otherwise any non-boolean result makes the whole result null.
        decisive = not every

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

    def c_FunctionDef(self, node: ast.FunctionDef) -> Fn:
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

    # -- unary tests ---------------------------------------------------------------------------

    def c_UnaryTests(self, node: ast.UnaryTests) -> Fn:
        if node.tests is None:
            return lambda scope: True
        tests = [self.compile_test(t) for t in node.tests]
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


def _range_items(r: Range) -> list[Any]:
    a, b = r.start, r.end
    if not (is_number(a) and is_number(b)) or a != int(a) or b != int(b):
        raise Problem("only ranges of integers can be iterated")
    a, b = int(a), int(b)
    if abs(b - a) >= limits.MAX_LIST_LENGTH:
        raise FeelLimitError(f"range has more than {limits.MAX_LIST_LENGTH} elements")
    step = 1 if a <= b else -1
    items = list(range(a, b + step, step))
    if not r.start_included and items:
        items = items[1:]
    if not r.end_included and items:
        items = items[:-1]
    return items


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
