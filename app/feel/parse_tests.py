"""Parsing of unary tests (``< 5``, ``"a", "b"``, ``not(...)``, ``-``) and ``in`` tests."""

from __future__ import annotations

from app.feel import ast
from app.feel.cursor import TokenCursor

COMPARE = frozenset({"=", "!=", "<", "<=", ">", ">="})


class UnaryTestsParser(TokenCursor):
    """The unary-test productions; the expression productions come from the subclass."""

    def expression(self) -> ast.Node:
        raise NotImplementedError

    def comparison(self) -> ast.Node:
        raise NotImplementedError

    def additive(self) -> ast.Node:
        raise NotImplementedError

    def range_end_expression(self) -> ast.Node:
        raise NotImplementedError

    def close_range(self, start_incl: bool, start: ast.Node, end: ast.Node) -> ast.Node:
        raise NotImplementedError

    def positive_tests(self) -> list[ast.Node]:
        """The right side of ``in``: one test, or a parenthesized list of tests."""
        if self.is_op("("):
            self.advance()
            self.enter()
            first = self.positive_test()
            if self.is_op(".."):
                self.advance()
                end = self.range_end_expression()
                self.depth -= 1
                return [self.close_range(False, first, end)]
            tests = [first]
            while self.is_op(","):
                self.advance()
                tests.append(self.positive_test())
            self.expect_op(")")
            self.depth -= 1
            return tests
        return [self.positive_test()]

    def positive_test(self) -> ast.Node:
        tok = self.tok
        if tok.kind == "op" and tok.value == "?":
            # An expression over the input value: 5 in ? < 10
            self.enter()
            node = self.comparison()
            self.depth -= 1
            return node
        if tok.kind == "op" and tok.value in COMPARE:
            self.advance()
            self.enter()
            node = ast.UnaryCompare(tok.value, self.additive(), span=self.span(tok.pos))
            self.depth -= 1
            return node
        return self.additive()

    def unary_tests(self) -> ast.Node:
        if self.is_op("-") and self.peek().kind == "eof":
            self.advance()
            return ast.UnaryTests(None, False)
        if (
            self.tok.kind == "name"
            and self.tok.value == "not"
            and self.peek().kind == "op"
            and self.peek().value == "("
        ):
            save = self.i
            self.advance()
            self.advance()
            tests = self.test_list()
            if self.is_op(")") and self.peek().kind == "eof":
                self.advance()
                return ast.UnaryTests(tests, True)
            self.i = save
        tests = self.test_list()
        return ast.UnaryTests(tests, False)

    def test_list(self) -> list[ast.Node]:
        tests = [self.unary_test()]
        while self.is_op(","):
            self.advance()
            tests.append(self.unary_test())
        return tests

    def unary_test(self) -> ast.Node:
        tok = self.tok
        if tok.kind == "op" and tok.value in COMPARE:
            self.advance()
            return ast.UnaryCompare(tok.value, self.additive(), span=self.span(tok.pos))
        return self.expression()
