"""Context functions and boolean/misc functions (not, is defined, get or else, assert)."""

from __future__ import annotations

from typing import Any

from app.feel import ops
from app.feel.builtins.registry import alias, builtin, ctx, string
from app.feel.errors import FeelEvaluationError
from app.feel.values import EvalState, Problem


@builtin("get value", ["m", "key"])
@builtin("get value", ["context", "keys"])
@builtin("get value", ["context", "key"])
def get_value(state: EvalState, c: Any, key: Any) -> Any:
    c = ctx(c, "context")
    if type(key) is list:
        if not key:
            return None
        current: Any = c
        for k in key:
            if type(current) is not dict:
                return None
            current = current.get(string(k, "keys"))
        return current
    return c.get(string(key, "key"))


@builtin("get entries", ["m"])
@builtin("get entries", ["context"])
def get_entries(state: EvalState, c: Any) -> Any:
    return [{"key": k, "value": v} for k, v in ctx(c, "context").items()]


def _put(c: dict[str, Any], keys: list[str], value: Any) -> dict[str, Any]:
    result = dict(c)
    head = keys[0]
    if len(keys) == 1:
        result[head] = value
        return result
    inner = result.get(head)
    result[head] = _put(inner if type(inner) is dict else {}, keys[1:], value)
    return result


@builtin("context put", ["context", "keys", "value"])
@builtin("context put", ["context", "key", "value"])
def context_put(state: EvalState, c: Any, key: Any, value: Any) -> Any:
    c = ctx(c, "context")
    if type(key) is list:
        keys = [string(k, "keys") for k in key]
        if not keys:
            raise Problem("keys must not be empty")
    else:
        keys = [string(key, "key")]
    return _put(c, keys, value)


@builtin("context merge", ["contexts"], varargs=True)
def context_merge(state: EvalState, *args: Any) -> Any:
    contexts = args[0] if len(args) == 1 and type(args[0]) is list else list(args)
    result: dict[str, Any] = {}
    for c in contexts:
        result.update(ctx(c, "contexts"))
    return result


alias("put", "context put")
alias("put all", "context merge")


@builtin("not", ["negand"])
def not_(state: EvalState, v: Any) -> Any:
    if type(v) is bool:
        return not v
    return None


@builtin("is defined", ["value"])
def is_defined(state: EvalState, v: Any) -> Any:
    return v is not None


@builtin("get or else", ["value", "default"])
def get_or_else(state: EvalState, v: Any, default: Any) -> Any:
    return default if v is None else v


@builtin("assert", ["value", "condition", "cause"], required=2)
def assert_(state: EvalState, v: Any, condition: Any, cause: Any = None) -> Any:
    if condition is True:
        return v
    if cause is not None:
        raise FeelEvaluationError(f"Assertion failure on evaluate the expression: {cause}")
    raise FeelEvaluationError("Assertion failure on evaluate the expression")


@builtin("is", ["value1", "value2"])
def is_(state: EvalState, a: Any, b: Any) -> Any:
    if type(a) is not type(b) and ops.kind(a) is not ops.kind(b):
        return False
    return ops.equals(a, b) is True and (
        not hasattr(a, "tzinfo") or getattr(a, "tzinfo", None) == getattr(b, "tzinfo", None)
    )
