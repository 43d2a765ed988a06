"""Recursive-descent parser: tokens -> syntax tree."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from app.feel import ast
from app.feel.errors import FeelSyntaxError
from app.feel.lexer import Token
from app.feel.parse_tests import COMPARE as _COMPARE
from app.feel.parse_tests import UnaryTestsParser
from app.feel.values import D128

# feel-scala's reservedWord (FeelParser.scala): never a name, so never a path segment
# (`{null: 1}.null` does not parse: InterpreterExpressionTest "not be a key-word").
RESERVED_WORDS = frozenset(
    ("null", "true", "false", "function", "in", "return", "then", "else", "satisfies", "and", "or")
)


def parse_expression(source: str) -> ast.Node:
    parser = _Parser(source)
    node = parser.expression()
    parser.expect_end()
    return node


def parse_unary_tests(source: str) -> ast.Node:
    parser = _Parser(source)
    node = parser.unary_tests()
    parser.expect_end()
    return node


def _number(text: str, pos: int, source: str) -> int | Decimal:
    if "." not in text and "e" not in text and "E" not in text:
        return int(text) if len(text) <= 34 else D128.create_decimal(text)
    try:
        value = D128.create_decimal(text)
    except (
        InvalidOperation,
        ArithmeticError,
    ) as exc:  # pragma: no cover - the lexer only emits valid numbers
        raise FeelSyntaxError(f"invalid number {text!r}", pos, source) from exc
    if abs(value.adjusted()) > 6000:
        raise FeelSyntaxError(f"number out of range {text!r}", pos, source)
    return value


class _Parser(UnaryTestsParser):
    # -- expressions ---------------------------------------------------------------------------

    def expression(self) -> ast.Node:
        self.enter()
        try:
            return self.disjunction()
        finally:
            self.depth -= 1

    def disjunction(self) -> ast.Node:
        start = self.tok.pos
        left = self.conjunction()
        chain = 0
        while self.is_kw("or"):
            self.advance()
            chain = self.chained(chain)
            left = ast.Or(left, self.conjunction(), span=self.span(start))
        return left

    def conjunction(self) -> ast.Node:
        start = self.tok.pos
        left = self.comparison()
        chain = 0
        while self.is_kw("and"):
            self.advance()
            chain = self.chained(chain)
            left = ast.And(left, self.comparison(), span=self.span(start))
        return left

    def comparison(self) -> ast.Node:
        start = self.tok.pos
        left = self.additive()
        chain = 0
        while True:
            tok = self.tok
            if tok.kind == "op" and tok.value in _COMPARE:
                self.advance()
                chain = self.chained(chain)
                left = ast.Binary(tok.value, left, self.additive(), span=self.span(start))
            elif tok.kind == "kw" and tok.value == "between":
                self.advance()
                chain = self.chained(chain)
                low = self.additive()
                self.expect_kw("and")
                left = ast.Between(left, low, self.additive(), span=self.span(start))
            elif tok.kind == "kw" and tok.value == "in":
                self.advance()
                chain = self.chained(chain)
                left = ast.In(left, self.positive_tests(), span=self.span(start))
            elif tok.kind == "kw" and tok.value == "instance":
                self.advance()
                chain = self.chained(chain)
                self.expect_kw("of")
                left = ast.InstanceOf(left, self.type_name(), span=self.span(start))
            else:
                return left

    def additive(self) -> ast.Node:
        start = self.tok.pos
        left = self.multiplicative()
        chain = 0
        while self.tok.kind == "op" and self.tok.value in ("+", "-"):
            op = self.advance().value
            chain = self.chained(chain)
            left = ast.Binary(op, left, self.multiplicative(), span=self.span(start))
        return left

    def multiplicative(self) -> ast.Node:
        start = self.tok.pos
        left = self.power()
        chain = 0
        while self.tok.kind == "op" and self.tok.value in ("*", "/"):
            op = self.advance().value
            chain = self.chained(chain)
            left = ast.Binary(op, left, self.power(), span=self.span(start))
        return left

    def power(self) -> ast.Node:
        start = self.tok.pos
        left = self.unary()
        chain = 0
        while self.is_op("**"):
            self.advance()
            chain = self.chained(chain)
            left = ast.Binary("**", left, self.unary(), span=self.span(start))
        return left

    def unary(self) -> ast.Node:
        if self.is_op("-"):
            start = self.advance().pos
            self.enter()
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            if isinstance(operand, ast.Literal) and type(operand.value) in (int, Decimal):
                return ast.Literal(-operand.value, span=self.span(start))
            return ast.Negate(operand, span=self.span(start))
        return self.postfix()

    def postfix(self) -> ast.Node:
        start = self.tok.pos
        node = self.primary()
        chain = 0
        while True:
            tok = self.tok
            if tok.kind != "op":
                return node
            if tok.value == ".":
                self.advance()
                node = ast.Path(node, self.path_name(), span=self.span(start))
            elif tok.value == "[" and not self.range_end:
                self.advance()
                condition = self.expression()
                self.expect_op("]")
                node = ast.Filter(node, condition, span=self.span(start))
            elif tok.value == "(":
                node = self.call(node)
                node.span = self.span(start)
            else:
                return node
            chain = self.chained(chain)

    def path_name(self) -> str:
        tok = self.tok
        if tok.kind in ("name", "qname"):
            return self.name_words()
        if tok.kind == "kw" and tok.value not in RESERVED_WORDS:
            return self.advance().value
        raise self.error(f"expected a name after '.' but found {self.describe(tok)}")

    def call(self, target: ast.Node) -> ast.Node:
        saved = self.range_end
        self.range_end = False
        try:
            return self._call(target)
        finally:
            self.range_end = saved

    def _call(self, target: ast.Node) -> ast.Node:
        self.expect_op("(")
        self.enter()
        args: list[ast.Node] = []
        named: list[tuple[str, ast.Node]] | None = None
        if not self.is_op(")"):
            while True:
                if self.at_named_argument():
                    name = self.name_words()
                    self.expect_op(":")
                    if named is None:
                        named = []
                    named.append((name, self.expression()))
                elif named is not None:
                    raise self.error("positional argument after named arguments")
                else:
                    args.append(self.expression())
                if self.is_op(","):
                    self.advance()
                    continue
                break
        self.expect_op(")")
        self.depth -= 1
        if named is not None and args:
            raise self.error("cannot mix positional and named arguments")
        return ast.Call(target, args, named, span=self.span(target.span[0]))

    def primary(self) -> ast.Node:
        start = self.tok.pos
        node = self._primary()
        if node.span is ast.NO_SPAN:
            node.span = self.span(start)
        return node

    def _primary(self) -> ast.Node:
        tok = self.tok
        kind = tok.kind
        if kind == "num":
            self.advance()
            return ast.Literal(_number(tok.value, tok.pos, self.source))
        if kind == "str":
            self.advance()
            return ast.Literal(tok.value)
        if kind in ("name", "qname"):
            return ast.Name(self.name_words())
        if kind == "kw":
            return self.keyword_primary(tok)
        if kind == "op":
            value = tok.value
            if value in ("(", "[", "]", "{"):
                saved = self.range_end
                self.range_end = False
                try:
                    if value == "(":
                        return self.parenthesized()
                    if value == "[":
                        return self.bracketed()
                    if value == "]":
                        return self.open_range()
                    return self.context()
                finally:
                    self.range_end = saved
            if value == "@":
                self.advance()
                lit = self.tok
                if lit.kind != "str":
                    raise self.error("expected a string after '@'")
                self.advance()
                return ast.TemporalLiteral(lit.value, lit.pos)
            if value == "?":
                self.advance()
                return ast.Name("?")
            if value in _COMPARE:
                # A unary comparison used as a value, e.g. in a list of unary tests.
                self.advance()
                self.enter()
                node = ast.UnaryCompare(value, self.additive())
                self.depth -= 1
                return node
        raise self.error(f"unexpected {self.describe(tok)}")

    def keyword_primary(self, tok: Token) -> ast.Node:
        value = tok.value
        if value in ("true", "false"):
            self.advance()
            return ast.Literal(value == "true")
        if value == "null":
            self.advance()
            return ast.Literal(None)
        if value in ("and", "or") and self.peek().kind == "op" and self.peek().value == "(":
            self.advance()
            return ast.Name(value)  # the list functions and(list) / or(list)
        self.enter()
        try:
            if value == "if":
                self.advance()
                condition = self.expression()
                self.expect_kw("then")
                then = self.expression()
                self.expect_kw("else")
                return ast.If(condition, then, self.expression())
            if value == "for":
                self.advance()
                iterators = self.iterators(allow_range=True)
                self.expect_kw("return")
                return ast.For(iterators, self.expression())
            if value in ("some", "every"):
                self.advance()
                iterators = self.iterators(allow_range=True)
                self.expect_kw("satisfies")
                return ast.Quantified(value == "every", iterators, self.expression())
            if value == "function":
                return self.function_def()
        finally:
            self.depth -= 1
        raise self.error(f"unexpected keyword '{value}'")

    def iterators(self, allow_range: bool) -> list[tuple[str, ast.Node]]:
        iterators: list[tuple[str, ast.Node]] = []
        while True:
            name = self.name_words()
            self.expect_kw("in")
            domain = self.expression()
            if allow_range and self.is_op(".."):
                self.advance()
                domain = ast.IterRange(domain, self.expression(), span=self.span(domain.span[0]))
            iterators.append((name, domain))
            if not self.is_op(","):
                return iterators
            self.advance()

    def function_def(self) -> ast.Node:
        self.advance()
        self.expect_op("(")
        params: list[str] = []
        if not self.is_op(")"):
            while True:
                params.append(self.name_words())
                if self.is_op(":"):
                    self.advance()
                    self.type_name()
                if not self.is_op(","):
                    break
                self.advance()
        self.expect_op(")")
        if self.is_kw("external"):
            raise self.error("external functions are not supported")
        return ast.FunctionDef(params, self.expression())

    def type_name(self) -> str:
        tok = self.tok
        if tok.kind == "kw" and tok.value in ("function", "null"):
            self.advance()
            name = tok.value
        else:
            name = self.name_words()
        # Hyphenated type names: year-month-duration, day-time-duration.
        while self.is_op("-") and self.peek().kind == "name" and self.tok.end == self.peek().pos:
            self.advance()
            name += "-" + self.advance().value
        if self.is_op("<"):
            # Generic type arguments (list<number>, context<a: number>): checked loosely.
            depth = 0
            while True:
                t = self.advance()
                if t.kind == "eof":
                    raise self.error("unterminated type", t)
                if t.kind == "op" and t.value == "<":
                    depth += 1
                elif t.kind == "op" and t.value == ">":
                    depth -= 1
                    if depth == 0:
                        break
        return name

    def parenthesized(self) -> ast.Node:
        self.advance()
        self.enter()
        first = self.expression()
        if self.is_op(".."):
            self.advance()
            end = self.range_end_expression()
            self.depth -= 1
            return self.close_range(False, first, end)
        self.expect_op(")")
        self.depth -= 1
        return first

    def range_end_expression(self) -> ast.Node:
        saved = self.range_end
        self.range_end = True
        try:
            return self.expression()
        finally:
            self.range_end = saved

    def close_range(self, start_incl: bool, start: ast.Node, end: ast.Node) -> ast.Node:
        tok = self.tok
        if tok.kind == "op" and tok.value == "]":
            self.advance()
            return ast.RangeLit(start_incl, start, end, True)
        if tok.kind == "op" and tok.value in (")", "["):
            self.advance()
            return ast.RangeLit(start_incl, start, end, False)
        raise self.error(f"expected the end of a range but found {self.describe(tok)}")

    def open_range(self) -> ast.Node:
        self.advance()
        self.enter()
        start = self.expression()
        self.expect_op("..")
        end = self.range_end_expression()
        self.depth -= 1
        return self.close_range(False, start, end)

    def bracketed(self) -> ast.Node:
        self.advance()
        self.enter()
        if self.is_op("]"):
            self.advance()
            self.depth -= 1
            return ast.ListLit([])
        first = self.expression()
        if self.is_op(".."):
            self.advance()
            end = self.range_end_expression()
            self.depth -= 1
            return self.close_range(True, first, end)
        items = [first]
        while self.is_op(","):
            self.advance()
            items.append(self.expression())
        self.expect_op("]")
        self.depth -= 1
        return ast.ListLit(items)

    def context(self) -> ast.Node:
        self.advance()
        self.enter()
        entries: list[tuple[str, ast.Node]] = []
        if not self.is_op("}"):
            while True:
                tok = self.tok
                if tok.kind == "str":
                    self.advance()
                    key = tok.value
                elif tok.kind == "name":
                    key = self.context_key()
                elif tok.kind == "qname":
                    key = self.name_words()
                elif tok.kind == "kw":
                    key = self.advance().value
                else:
                    raise self.error(f"expected a context key but found {self.describe(tok)}")
                self.expect_op(":")
                entries.append((key, self.expression()))
                if not self.is_op(","):
                    break
                self.advance()
        self.expect_op("}")
        self.depth -= 1
        return ast.ContextLit(entries)

    def context_key(self) -> str:
        """A name key; like feel-scala it may contain symbols such as + - * / ? and ."""
        first = self.tok
        j = self.i
        while True:
            tok = self.tokens[j]
            if tok.kind == "op" and tok.value == ":":
                break
            if tok.kind not in ("name", "kw", "num") and not (
                tok.kind == "op" and tok.value in ("+", "-", "*", "/", "?", ".", "'")
            ):
                raise self.error(f"expected ':' but found {self.describe(tok)}", tok)
            j += 1
        last = self.tokens[j - 1]
        self.i = j
        return " ".join(self.source[first.pos : last.end].split())
