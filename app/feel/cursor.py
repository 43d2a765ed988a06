"""The token cursor under the parser: position, look-ahead, expectations and limits."""

from __future__ import annotations

from app.feel import limits
from app.feel.errors import FeelSyntaxError
from app.feel.lexer import Token, tokenize


class TokenCursor:
    def __init__(self, source: str) -> None:
        if len(source) > limits.MAX_EXPRESSION_LENGTH:
            raise FeelSyntaxError(
                f"expression longer than {limits.MAX_EXPRESSION_LENGTH} characters", 0
            )
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.last_end = 0  # end offset of the last token consumed
        self.depth = 0
        self.range_end = False  # while parsing a range's end, '[' closes the range

    # -- helpers -------------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "eof":
            self.i += 1
            self.last_end = tok.end
        return tok

    def span(self, start: int) -> tuple[int, int]:
        """From ``start`` to the end of the last token consumed."""
        return (start, max(start, self.last_end))

    def is_op(self, value: str) -> bool:
        tok = self.tokens[self.i]
        return tok.kind == "op" and tok.value == value

    def is_kw(self, value: str) -> bool:
        tok = self.tokens[self.i]
        return tok.kind == "kw" and tok.value == value

    def error(self, message: str, tok: Token | None = None) -> FeelSyntaxError:
        tok = tok or self.tok
        return FeelSyntaxError(message, tok.pos, self.source)

    def describe(self, tok: Token) -> str:
        if tok.kind == "eof":
            return "end of expression"
        if tok.kind == "str":
            return "a string"
        return f"'{tok.value}'"

    def expect_op(self, value: str) -> Token:
        if not self.is_op(value):
            raise self.error(f"expected '{value}' but found {self.describe(self.tok)}")
        return self.advance()

    def expect_kw(self, value: str) -> Token:
        if not self.is_kw(value):
            raise self.error(f"expected '{value}' but found {self.describe(self.tok)}")
        return self.advance()

    def expect_end(self) -> None:
        if self.tok.kind != "eof":
            raise self.error(f"unexpected {self.describe(self.tok)}")

    def chained(self, length: int) -> int:
        """Count one more operator in a left-deep chain (a + b + c ...)."""
        length += 1
        if length > limits.MAX_CHAIN:
            raise self.error(f"more than {limits.MAX_CHAIN} chained operators")
        return length

    def enter(self) -> None:
        self.depth += 1
        if self.depth > limits.MAX_NESTING:
            raise self.error(f"expression nested deeper than {limits.MAX_NESTING} levels")

    def name_words(self) -> str:
        """A name, possibly made of several words separated by whitespace."""
        tok = self.tok
        if tok.kind == "qname":
            self.advance()
            return tok.value
        if tok.kind != "name":
            raise self.error(f"expected a name but found {self.describe(tok)}")
        words = [self.advance().value]
        while self.tok.kind == "name":
            words.append(self.advance().value)
        return " ".join(words)

    def at_named_argument(self) -> bool:
        j = self.i
        if self.tokens[j].kind == "qname":
            j += 1
        else:
            while self.tokens[j].kind == "name":
                j += 1
            if j == self.i:
                return False
        tok = self.tokens[j]
        return tok.kind == "op" and tok.value == ":"
