"""List functions."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from app.feel import ops
from app.feel.builtins.registry import alias, builtin, integer, items_or_varargs, lst, num
from app.feel.values import (
    D128,
    EvalState,
    FeelFunction,
    Problem,
    check_list,
    is_number,
    norm_int,
    number,
)


def _contains(xs: list[Any], v: Any) -> bool:
    return any(ops.equals(x, v) is True for x in xs)


@builtin("list contains", ["list", "element"])
def list_contains(state: EvalState, xs: Any, v: Any) -> Any:
    return _contains(lst(xs, "list"), v)


@builtin("count", ["list"])
def count(state: EvalState, xs: Any) -> Any:
    return len(lst(xs, "list"))


def _ordered(items: list[Any], pick: str) -> Any:
    if not items:
        return None
    best = items[0]
    for x in items[1:]:
        if ops.compare(pick, x, best):
            best = x
    return best


@builtin("min", ["list"], varargs=True)
def min_(state: EvalState, *args: Any) -> Any:
    return _ordered(items_or_varargs(args), "<")


@builtin("max", ["list"], varargs=True)
def max_(state: EvalState, *args: Any) -> Any:
    return _ordered(items_or_varargs(args), ">")


def _numbers(args: tuple[Any, ...]) -> list[Any]:
    items = items_or_varargs(args)
    if not all(is_number(x) for x in items):
        raise Problem("expected a list of numbers")
    return [number(x) for x in items]


def _sum(items: list[Any]) -> Any:
    total: Any = 0
    for x in items:
        total = norm_int(total + x) if type(total) is int and type(x) is int else D128.add(total, x)
    return total


@builtin("sum", ["list"], varargs=True)
def sum_(state: EvalState, *args: Any) -> Any:
    items = _numbers(args)
    return _sum(items) if items else None


@builtin("product", ["list"], varargs=True)
def product(state: EvalState, *args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    total: Any = 1
    for x in items:
        total = ops.mul(total, x)
    return total


@builtin("mean", ["list"], varargs=True)
def mean(state: EvalState, *args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    return ops.div(_sum(items), len(items))


@builtin("median", ["list"], varargs=True)
def median(state: EvalState, *args: Any) -> Any:
    items = sorted(_numbers(args))
    if not items:
        return None
    mid = len(items) // 2
    if len(items) % 2:
        return items[mid]
    return ops.div(ops.add(items[mid - 1], items[mid]), 2)


@builtin("stddev", ["list"], varargs=True)
def stddev(state: EvalState, *args: Any) -> Any:
    items = _numbers(args)
    if len(items) < 2:
        return None
    avg = D128.divide(_sum(items), len(items))
    squares = sum((D128.power(D128.subtract(x, avg), 2) for x in items), Decimal(0))
    return D128.sqrt(D128.divide(squares, len(items) - 1))


@builtin("mode", ["list"], varargs=True)
def mode(state: EvalState, *args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return []
    counts: dict[Any, int] = {}
    for x in items:
        counts[x] = counts.get(x, 0) + 1
    top = max(counts.values())
    return sorted(x for x, c in counts.items() if c == top)


def _bools(args: tuple[Any, ...]) -> list[Any]:
    items = items_or_varargs(args)
    return items


@builtin("all", ["list"], varargs=True)
def all_(state: EvalState, *args: Any) -> Any:
    items = _bools(args)
    if any(x is False for x in items):
        return False
    if all(x is True for x in items):
        return True
    return None


@builtin("any", ["list"], varargs=True)
def any_(state: EvalState, *args: Any) -> Any:
    items = _bools(args)
    if any(x is True for x in items):
        return True
    if all(x is False for x in items):
        return False
    return None


alias("and", "all")
alias("or", "any")


def _list_index(xs: list[Any], position: int) -> int:
    return position - 1 if position > 0 else len(xs) + position


def _position(v: Any, param: str) -> int:
    n = int(num(v, param))
    if n == 0:
        raise Problem(f"{param} must be a non-zero number")
    return n


# Like feel-scala, positions out of range slice rather than fail.
@builtin("sublist", ["list", "start", "length"], required=2)
def sublist(state: EvalState, xs: Any, start: Any, length: Any = None) -> Any:
    xs = lst(xs, "list")
    begin = max(_list_index(xs, _position(start, "start")), 0)
    if length is None:
        return xs[begin:]
    return xs[begin : begin + max(int(num(length, "length")), 0)]


@builtin("append", ["list", "items"], varargs=True)
def append(state: EvalState, xs: Any, *items: Any) -> Any:
    return check_list([*lst(xs, "list"), *items])


@builtin("concatenate", ["lists"], varargs=True)
def concatenate(state: EvalState, *lists: Any) -> Any:
    out: list[Any] = []
    for xs in lists:
        if type(xs) is list:
            out.extend(xs)
        else:
            out.append(xs)
        check_list(out)
    return out


@builtin("insert before", ["list", "position", "newItem"])
def insert_before(state: EvalState, xs: Any, position: Any, item: Any) -> Any:
    xs = lst(xs, "list")
    index = max(_list_index(xs, _position(position, "position")), 0)
    return check_list([*xs[:index], item, *xs[index:]])


@builtin("remove", ["list", "position"])
def remove(state: EvalState, xs: Any, position: Any) -> Any:
    xs = lst(xs, "list")
    pos = _position(position, "position")
    index = max(_list_index(xs, pos), 0)
    return xs[:index] + xs[max(_list_index(xs, pos + 1), 0) :]


@builtin("reverse", ["list"])
def reverse(state: EvalState, xs: Any) -> Any:
    return list(reversed(lst(xs, "list")))


@builtin("index of", ["list", "match"])
def index_of(state: EvalState, xs: Any, match: Any) -> Any:
    return [i + 1 for i, x in enumerate(lst(xs, "list")) if ops.equals(x, match) is True]


def _key(x: Any) -> Any:
    """A hashable key with FEEL equality, or None for values compared by scanning."""
    t = type(x)
    if x is None or t is str or t is bool:
        return (t, x)
    if t is int or t is Decimal or t is float:
        return (Decimal, number(x))
    if t in _HASHABLE:
        return (t, x)
    return None


_HASHABLE = frozenset({dt.date, dt.time, dt.timedelta})


def _distinct(state: EvalState, items: list[Any]) -> list[Any]:
    out: list[Any] = []
    seen: set[Any] = set()
    scanned: list[Any] = []
    for x in items:
        key = _key(x)
        if key is not None:
            if key not in seen:
                seen.add(key)
                out.append(x)
            continue
        state.tick(4 * len(scanned) + 1)
        if not _contains(scanned, x):
            scanned.append(x)
            out.append(x)
    return out


@builtin("union", ["lists"], varargs=True)
def union(state: EvalState, *lists: Any) -> Any:
    out: list[Any] = []
    for xs in lists:
        out.extend(lst(xs, "lists"))
        check_list(out)
    state.tick(len(out))
    return _distinct(state, out)


@builtin("distinct values", ["list"])
def distinct_values(state: EvalState, xs: Any) -> Any:
    xs = lst(xs, "list")
    state.tick(len(xs))
    return _distinct(state, xs)


@builtin("duplicate values", ["list"])
def duplicate_values(state: EvalState, xs: Any) -> Any:
    xs = lst(xs, "list")
    state.tick(len(xs))
    counts: dict[Any, int] = {}
    for x in xs:
        key = _key(x)
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    # In order of first occurrence, like feel-scala.
    return [
        x
        for x in _distinct(state, xs)
        if (counts[_key(x)] > 1 if _key(x) is not None else _count(state, xs, x) > 1)
    ]


def _count(state: EvalState, xs: list[Any], x: Any) -> int:
    state.tick(4 * len(xs))
    return sum(1 for y in xs if ops.equals(x, y) is True)


@builtin("flatten", ["list"])
def flatten(state: EvalState, xs: Any) -> Any:
    out: list[Any] = []

    def walk(items: list[Any], depth: int) -> None:
        if depth > 200:
            raise Problem("list nested too deeply")
        for x in items:
            if type(x) is list:
                walk(x, depth + 1)
            else:
                out.append(x)
        check_list(out)

    walk(lst(xs, "list"), 0)
    return out


@builtin("sort", ["list", "precedes"])
def sort(state: EvalState, xs: Any, precedes: Any) -> Any:
    xs = lst(xs, "list")
    state.tick(len(xs) * 4 + 1)
    if type(precedes) is not FeelFunction:
        raise Problem("expected a function for parameter 'precedes'")

    def cmp(a: Any, b: Any) -> int:
        state.tick()
        if precedes.invoke(state, [a, b]) is True:
            return -1
        if precedes.invoke(state, [b, a]) is True:
            return 1
        return 0

    return sorted(xs, key=functools.cmp_to_key(cmp))


@builtin("is empty", ["list"])
def is_empty(state: EvalState, xs: Any) -> Any:
    return len(lst(xs, "list")) == 0


@builtin("partition", ["list", "size"])
def partition(state: EvalState, xs: Any, size: Any) -> Any:
    xs = lst(xs, "list")
    n = integer(size, "size")
    if n <= 0:
        raise Problem("size must be positive")
    return [xs[i : i + n] for i in range(0, len(xs), n)]
