"""Tokenizer: FEEL source text -> list of tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.feel.errors import FeelSyntaxError

KEYWORDS = frozenset(
    {
        "and",
        "or",
        "true",
        "false",
        "null",
        "if",
        "then",
        "else",
        "for",
        "in",
        "return",
        "some",
        "every",
        "satisfies",
        "between",
        "instance",
        "of",
        "function",
        "external",
    }
)

# Built-in and type names that contain a keyword; everything else with spaces is joined by the
# parser from consecutive name words.
_SPACED = sorted(
    [
        "date and time",
        "years and months duration",
        "days and time duration",
        "get or else",
        "index of",
        "day of year",
        "day of week",
        "month of year",
        "week of year",
        "last day of month",
    ],
    key=len,
    reverse=True,
)
# FEEL's whitespace (DMN 1.5 grammar rules 61-62), as feel-scala's FeelWhitespace.isWhitespace
# lists it: not Python's \s, which lacks U+180E, U+200B and U+FEFF and adds U+001C-U+001F.
WHITESPACE = (
    "\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u180e"
    + "".join(chr(c) for c in range(0x2000, 0x200C))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_WS = "[" + re.escape(WHITESPACE) + "]"
_SPACED_RE = "|".join((_WS + "+").join(map(re.escape, n.split())) for n in _SPACED)

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>"""
    + _WS
    + r"""+|//[^\n]*|/\*.*?\*/)
  | (?P<spaced>(?:"""
    + _SPACED_RE
    + r""")(?![\w$]))
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<bt>`[^`]*`)
  | (?P<name>[^\W\d][\w$]*|\$[\w$]*)
  | (?P<op>\*\*|\.\.|<=|>=|!=|[-+*/=<>()\[\]{},:.?@])
    """,
    re.VERBOSE | re.DOTALL,
)

_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "f": "\f",
    "b": "\b",
    '"': '"',
    "'": "'",
    "\\": "\\",
    "/": "/",
}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # num, str, name, kw, op, eof
    value: str
    pos: int
    end: int


def _unescape(body: str, pos: int, source: str) -> str:
    out: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < n else ""
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u":
            hexdigits = body[i + 2 : i + 6]
            if len(hexdigits) != 4 or not all(h in "0123456789abcdefABCDEF" for h in hexdigits):
                raise FeelSyntaxError("invalid unicode escape", pos + i + 1, source)
            code = int(hexdigits, 16)
            i += 6
            # Combine UTF-16 surrogate pairs written as two \u escapes.
            if 0xD800 <= code < 0xDC00 and body[i : i + 2] == "\\u":
                low_hex = body[i + 2 : i + 6]
                if len(low_hex) == 4 and all(h in "0123456789abcdefABCDEF" for h in low_hex):
                    low = int(low_hex, 16)
                    if 0xDC00 <= low < 0xE000:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
            out.append(chr(code) if not 0xD800 <= code < 0xE000 else "\ufffd")
        else:
            # feel-scala keeps unknown escapes verbatim (regex patterns rely on it).
            out.append(c)
            i += 1
    return "".join(out)


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    n = len(source)
    match = _TOKEN_RE.match
    while pos < n:
        m = match(source, pos)
        if m is None:
            if source.startswith("/*", pos):
                raise FeelSyntaxError("unterminated comment", pos, source)
            if source[pos] == '"':
                raise FeelSyntaxError("unterminated string", pos, source)
            if source[pos] == "`":
                raise FeelSyntaxError("unterminated backtick name", pos, source)
            raise FeelSyntaxError(f"unexpected character {source[pos]!r}", pos, source)
        kind = m.lastgroup
        text = m.group()
        end = m.end()
        if kind == "ws":
            pass
        elif kind == "spaced":
            tokens.append(Token("name", " ".join(re.split(_WS + "+", text)), pos, end))
        elif kind == "num":
            tokens.append(Token("num", text, pos, end))
        elif kind == "str":
            tokens.append(Token("str", _unescape(text[1:-1], pos + 1, source), pos, end))
        elif kind == "bt":
            tokens.append(Token("qname", text[1:-1], pos, end))
        elif kind == "name":
            tokens.append(Token("kw" if text in KEYWORDS else "name", text, pos, end))
        else:
            tokens.append(Token("op", text, pos, end))
        pos = end
    tokens.append(Token("eof", "", n, n))
    return tokens
