"""String functions, including the regex-based ones (run with a timeout)."""

from __future__ import annotations

import base64
import uuid as uuidlib
from functools import lru_cache
from typing import Any

import regex

from app.feel import limits
from app.feel.builtins.registry import builtin, lst, num, string
from app.feel.errors import FeelLimitError
from app.feel.values import EvalState, Problem, check_list, check_string

_FLAGS = {"i": regex.IGNORECASE, "s": regex.DOTALL, "m": regex.MULTILINE, "x": regex.VERBOSE}


@lru_cache(maxsize=512)
def _compile(pattern: str, flags: str) -> regex.Pattern[str]:
    bits = 0
    for f, bit in _FLAGS.items():
        if f in flags:  # like feel-scala, other flag letters are ignored
            bits |= bit
    try:
        return regex.compile(pattern, bits | regex.VERSION0)
    except (regex.error, ValueError, OverflowError, RecursionError) as exc:
        raise Problem(f"invalid regular expression '{pattern}'") from exc


def _pattern(pattern: Any, flags: Any) -> regex.Pattern[str]:
    flags_text = "" if flags is None else string(flags, "flags")
    return _compile(string(pattern, "pattern"), flags_text)


def _timeout() -> FeelLimitError:
    return FeelLimitError(
        f"regular expression took longer than {limits.REGEX_TIMEOUT_SECONDS} seconds"
    )


def _code_points(s: str) -> int:
    return len(s)


@builtin("substring", ["string", "start position", "length"], required=2)
def substring(state: EvalState, s: Any, start: Any, length: Any = None) -> Any:
    s = string(s, "string")
    pos = int(num(start, "start position"))
    n = len(s)
    begin = pos - 1 if pos > 0 else n + pos  # as feel-scala: 0 means "after the end"
    if not 0 <= begin <= n:
        raise Problem(f"start position {pos} out of range")
    if length is None:
        return s[begin:]
    count = int(num(length, "length"))
    if count < 0:
        raise Problem("length must not be negative")
    return s[begin : min(begin + count, n)]


@builtin("string length", ["string"])
def string_length(state: EvalState, s: Any) -> Any:
    return _code_points(string(s, "string"))


@builtin("upper case", ["string"])
def upper_case(state: EvalState, s: Any) -> Any:
    return string(s, "string").upper()


@builtin("lower case", ["string"])
def lower_case(state: EvalState, s: Any) -> Any:
    return string(s, "string").lower()


@builtin("substring before", ["string", "match"])
def substring_before(state: EvalState, s: Any, match: Any) -> Any:
    s, match = string(s, "string"), string(match, "match")
    i = s.find(match)
    return "" if i < 0 else s[:i]


@builtin("substring after", ["string", "match"])
def substring_after(state: EvalState, s: Any, match: Any) -> Any:
    s, match = string(s, "string"), string(match, "match")
    i = s.find(match)
    return "" if i < 0 else s[i + len(match) :]


@builtin("contains", ["string", "match"])
def contains(state: EvalState, s: Any, match: Any) -> Any:
    return string(match, "match") in string(s, "string")


@builtin("starts with", ["string", "match"])
def starts_with(state: EvalState, s: Any, match: Any) -> Any:
    return string(s, "string").startswith(string(match, "match"))


@builtin("ends with", ["string", "match"])
def ends_with(state: EvalState, s: Any, match: Any) -> Any:
    return string(s, "string").endswith(string(match, "match"))


@builtin("matches", ["input", "pattern", "flags"], required=2)
def matches(state: EvalState, s: Any, pattern: Any, flags: Any = None) -> Any:
    compiled = _pattern(pattern, flags)
    try:
        return compiled.search(string(s, "input"), timeout=limits.REGEX_TIMEOUT_SECONDS) is not None
    except TimeoutError as exc:
        raise _timeout() from exc


def _expand(template: str) -> Any:
    """Java-style replacement: $n group references, backslash escapes the next character."""
    parts: list[tuple[bool, Any]] = []
    i = 0
    buf: list[str] = []
    while i < len(template):
        c = template[i]
        if c == "\\" and i + 1 < len(template):
            buf.append(template[i + 1])
            i += 2
        elif c == "$" and i + 1 < len(template) and template[i + 1].isdigit():
            j = i + 1
            while j < len(template) and template[j].isdigit():
                j += 1
            if buf:
                parts.append((False, "".join(buf)))
                buf = []
            parts.append((True, int(template[i + 1 : j])))
            i = j
        else:
            buf.append(c)
            i += 1
    if buf:
        parts.append((False, "".join(buf)))

    def repl(m: Any) -> str:
        out = []
        for is_group, value in parts:
            if is_group:
                try:
                    out.append(m.group(value) or "")
                except IndexError as exc:
                    raise Problem(f"no group {value} in the pattern") from exc
            else:
                out.append(value)
        return "".join(out)

    return repl


@builtin("replace", ["input", "pattern", "replacement", "flags"], required=3)
def replace(state: EvalState, s: Any, pattern: Any, replacement: Any, flags: Any = None) -> Any:
    compiled = _pattern(pattern, flags)
    repl = _expand(string(replacement, "replacement"))
    try:
        result = compiled.sub(repl, string(s, "input"), timeout=limits.REGEX_TIMEOUT_SECONDS)
    except TimeoutError as exc:
        raise _timeout() from exc
    return check_string(result)


@builtin("split", ["string", "delimiter"])
def split(state: EvalState, s: Any, delimiter: Any) -> Any:
    compiled = _pattern(delimiter, None)
    try:
        return check_list(compiled.split(string(s, "string"), timeout=limits.REGEX_TIMEOUT_SECONDS))
    except TimeoutError as exc:
        raise _timeout() from exc


@builtin("extract", ["string", "pattern"])
def extract(state: EvalState, s: Any, pattern: Any) -> Any:
    compiled = _pattern(pattern, None)
    try:
        found = [
            m.group(0)
            for m in compiled.finditer(string(s, "string"), timeout=limits.REGEX_TIMEOUT_SECONDS)
        ]
    except TimeoutError as exc:
        raise _timeout() from exc
    return check_list(found)


@builtin("trim", ["string"])
def trim(state: EvalState, s: Any) -> Any:
    return string(s, "string").strip()


@builtin("uuid", [])
def uuid(state: EvalState) -> Any:
    return str(uuidlib.uuid4())


@builtin("to base64", ["value"])
def to_base64(state: EvalState, s: Any) -> Any:
    return base64.b64encode(string(s, "value").encode("utf-8")).decode("ascii")


@builtin("from base64", ["value"])
def from_base64(state: EvalState, s: Any) -> Any:
    try:
        return base64.b64decode(string(s, "value"), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem("invalid base64 value") from exc


@builtin("is blank", ["string"])
def is_blank(state: EvalState, s: Any) -> Any:
    return string(s, "string").strip() == ""


@builtin("string join", ["list", "delimiter", "prefix", "suffix"], required=1)
def string_join(
    state: EvalState, xs: Any, delimiter: Any = None, prefix: Any = None, suffix: Any = None
) -> Any:
    items = lst(xs, "list")
    parts: list[str] = []
    for x in items:
        if x is None:
            continue
        if type(x) is not str:
            raise Problem("string join expects a list of strings")
        parts.append(x)
    sep = "" if delimiter is None else string(delimiter, "delimiter")
    pre = "" if prefix is None else string(prefix, "prefix")
    suf = "" if suffix is None else string(suffix, "suffix")
    total = sum(len(p) for p in parts) + len(sep) * len(parts) + len(pre) + len(suf)
    if total > limits.MAX_STRING_LENGTH:
        raise FeelLimitError(f"string longer than {limits.MAX_STRING_LENGTH} characters")
    return pre + sep.join(parts) + suf
