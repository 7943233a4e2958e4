"""Metric math for alarms: ``+ - * /``, parentheses, numbers, metric ids and ``FILL(m, value)``.

A small recursive-descent parser (no ``eval``) turns an expression into a tree; the tree is then
evaluated over whole numpy arrays, one element per period, NaN meaning "no datapoint". As in
CloudWatch:
- an operation on a period where an operand has no datapoint yields no datapoint;
- division by zero yields no datapoint for that period (CloudWatch drops non-finite results);
- ``FILL(m, value)`` gives ``value`` to every period where ``m`` has no datapoint.

Grammar::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | primary
    primary    := NUMBER | ID | FUNCTION "(" expression ("," expression)* ")" | "(" expression ")"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np


class ExpressionError(ValueError):
    """The expression cannot be parsed or refers to something that does not exist."""


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Reference:
    id: str


@dataclass(frozen=True)
class Negation:
    operand: "Node"


@dataclass(frozen=True)
class BinaryOperation:
    operator: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class FunctionCall:
    name: str
    arguments: tuple["Node", ...]


Node = Number | Reference | Negation | BinaryOperation | FunctionCall

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<symbol>[-+*/(),]))"
)


def parse_expression(text: str) -> Node:
    tokens = _tokenize(text)
    parser = _Parser(text, tokens)
    tree = parser.expression()
    if parser.peek() is not None:
        raise ExpressionError(f"unexpected {parser.peek()!r} in {text!r}")
    return tree


def referenced_ids(tree: Node) -> set[str]:
    if isinstance(tree, Reference):
        return {tree.id}
    if isinstance(tree, Negation):
        return referenced_ids(tree.operand)
    if isinstance(tree, BinaryOperation):
        return referenced_ids(tree.left) | referenced_ids(tree.right)
    if isinstance(tree, FunctionCall):
        return set().union(*(referenced_ids(argument) for argument in tree.arguments))
    return set()


def evaluate_tree(tree: Node, series: Mapping[str, np.ndarray], length: int) -> np.ndarray:
    """The expression's value for each of ``length`` periods; NaN where there is no datapoint."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result = np.broadcast_to(_evaluate(tree, series), (length,)).astype(float)
    result[~np.isfinite(result)] = np.nan
    return result


_Operand = np.ndarray | float


def _evaluate(tree: Node, series: Mapping[str, np.ndarray]) -> _Operand:
    if isinstance(tree, Number):
        return tree.value
    if isinstance(tree, Reference):
        return series[tree.id]
    if isinstance(tree, Negation):
        return -_evaluate(tree.operand, series)
    if isinstance(tree, BinaryOperation):
        return _OPERATORS[tree.operator](_evaluate(tree.left, series), _evaluate(tree.right, series))
    return _FUNCTIONS[tree.name](*(_evaluate(argument, series) for argument in tree.arguments))


def _fill(values: _Operand, replacement: _Operand) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), replacement, values)


# Division by zero gives inf or nan, which evaluate_tree turns into "no datapoint".
_OPERATORS: dict[str, Callable[[_Operand, _Operand], _Operand]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
}
_FUNCTIONS: dict[str, Callable[..., _Operand]] = {"FILL": _fill}
_ARITY = {"FILL": 2}


def _tokenize(text: str) -> list[str]:
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("an expression must be a non-empty string")
    text = text.rstrip()
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ExpressionError(f"cannot read {text[position:].strip()!r} in expression {text!r}")
        tokens.append(match.group().lstrip())  # the token, without the blanks before it
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, tokens: list[str]):
        self.text = text
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"expression {self.text!r} ends too early")
        self.position += 1
        return token

    def expect(self, symbol: str) -> None:
        token = self.take()
        if token != symbol:
            raise ExpressionError(f"expected {symbol!r} but found {token!r} in {self.text!r}")

    def expression(self) -> Node:
        tree = self.term()
        while self.peek() in ("+", "-"):
            operator = self.take()
            tree = BinaryOperation(operator, tree, self.term())
        return tree

    def term(self) -> Node:
        tree = self.unary()
        while self.peek() in ("*", "/"):
            operator = self.take()
            tree = BinaryOperation(operator, tree, self.unary())
        return tree

    def unary(self) -> Node:
        if self.peek() == "-":
            self.take()
            return Negation(self.unary())
        if self.peek() == "+":
            self.take()
            return self.unary()
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token == "(":
            tree = self.expression()
            self.expect(")")
            return tree
        if token[0].isdigit() or token[0] == ".":
            return Number(float(token))
        if token[0].isalpha() or token[0] == "_":
            if self.peek() == "(":
                return self.function_call(token)
            return Reference(token)
        raise ExpressionError(f"unexpected {token!r} in {self.text!r}")

    def function_call(self, name: str) -> FunctionCall:
        if name not in _FUNCTIONS:
            raise ExpressionError(f"function {name} is not supported here (supported: {', '.join(sorted(_FUNCTIONS))})")
        self.expect("(")
        arguments = [self.expression()]
        while self.peek() == ",":
            self.take()
            arguments.append(self.expression())
        self.expect(")")
        if len(arguments) != _ARITY[name]:
            raise ExpressionError(f"{name} takes {_ARITY[name]} arguments, got {len(arguments)} in {self.text!r}")
        return FunctionCall(name, tuple(arguments))
