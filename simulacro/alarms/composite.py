"""A composite alarm's `AlarmRule`, parsed and evaluated as CloudWatch does.

The rule language (CloudWatch's PutCompositeAlarm reference): `ALARM(x)`, `OK(x)` and
`INSUFFICIENT_DATA(x)` are true when alarm `x` (a name or an ARN, optionally in double quotes) is in
that state; `TRUE` and `FALSE` are constants; `NOT`, `AND` and `OR` combine them (that precedence,
parentheses to group). Keywords are upper case. The composite is ALARM when its rule is true, else OK.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

STATE_FUNCTIONS = ("ALARM", "OK", "INSUFFICIENT_DATA")
MAX_RULE_LENGTH = 10240
MAX_CHILDREN = 100  # "The AlarmRule can specify as many as 100 children alarms"
MAX_ELEMENTS = 500  # "... as many as 500 elements": child alarms, TRUE/FALSE and parentheses
_TOKEN = re.compile(r'\s*(?:(?P<paren>[()])|(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<word>[^\s()"]+))')


class CompositeRuleError(ValueError):
    """The rule cannot be parsed; the message says where."""


@dataclass(frozen=True)
class StateIs:
    state: str
    alarm: str


@dataclass(frozen=True)
class Constant:
    value: bool


@dataclass(frozen=True)
class Not:
    operand: Rule


@dataclass(frozen=True)
class Both:
    operator: str  # AND or OR
    left: Rule
    right: Rule


Rule = StateIs | Constant | Not | Both


def parse_rule(text: str) -> Rule:
    if not isinstance(text, str) or not text.strip():
        raise CompositeRuleError("AlarmRule is empty.")
    if len(text) > MAX_RULE_LENGTH:
        raise CompositeRuleError(f"AlarmRule is longer than {MAX_RULE_LENGTH} characters.")
    tokens = _tokens(text)
    parser = _Parser(tokens)
    rule = parser.expression()
    if not parser.done():
        token = parser.peek() or ""
        if token.upper() in ("AND", "OR"):
            raise CompositeRuleError(f"'{token}' in AlarmRule: keywords are upper case ('{token.upper()}').")
        raise CompositeRuleError(f"Unexpected '{token}' after a complete rule in AlarmRule: join rules with AND or OR.")
    children = len(referenced_alarms(rule))
    if children > MAX_CHILDREN:
        raise CompositeRuleError(f"AlarmRule names {children} alarms; at most {MAX_CHILDREN} are allowed.")
    elements = _elements(rule) + parser.groups * 2
    if elements > MAX_ELEMENTS:
        raise CompositeRuleError(f"AlarmRule has {elements} elements; at most {MAX_ELEMENTS} are allowed.")
    return rule


def referenced_alarms(rule: Rule) -> list[str]:
    """The alarms the rule names (names or ARNs, as written), in order, without repeats."""
    found: list[str] = []
    _collect(rule, found)
    return list(dict.fromkeys(found))


def evaluate_rule(rule: Rule, states: Mapping[str, str]) -> bool:
    """True when the rule holds for `states` (alarm as written in the rule -> its state)."""
    if isinstance(rule, Constant):
        return rule.value
    if isinstance(rule, StateIs):
        return states.get(rule.alarm) == rule.state
    if isinstance(rule, Not):
        return not evaluate_rule(rule.operand, states)
    if rule.operator == "AND":
        return evaluate_rule(rule.left, states) and evaluate_rule(rule.right, states)
    return evaluate_rule(rule.left, states) or evaluate_rule(rule.right, states)


def alarm_name(reference: str) -> str:
    """The alarm name in a rule reference: an ARN's last part, else the reference itself."""
    if reference.startswith("arn:") and ":alarm:" in reference:
        return reference.split(":alarm:", 1)[1]
    return reference


def _elements(rule: Rule) -> int:
    if isinstance(rule, (StateIs, Constant)):
        return 1
    if isinstance(rule, Not):
        return _elements(rule.operand)
    return _elements(rule.left) + _elements(rule.right)


def _collect(rule: Rule, found: list[str]) -> None:
    if isinstance(rule, StateIs):
        found.append(rule.alarm)
    elif isinstance(rule, Not):
        _collect(rule.operand, found)
    elif isinstance(rule, Both):
        _collect(rule.left, found)
        _collect(rule.right, found)


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position:].strip() == "":
                break
            raise CompositeRuleError(f"Cannot read AlarmRule at character {position + 1}.")
        if match.end() == position:
            break
        tokens.append(match.group("paren") or match.group("quoted") or match.group("word"))
        position = match.end()
    return [token for token in tokens if token]


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens, self.position, self.groups = tokens, 0, 0

    def done(self) -> bool:
        return self.position >= len(self.tokens)

    def peek(self) -> str | None:
        return None if self.done() else self.tokens[self.position]

    def take(self) -> str:
        if self.done():
            raise CompositeRuleError("AlarmRule ends too early: an operand or ')' is missing.")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, token: str, after: str) -> None:
        found = self.take()
        if found != token:
            raise CompositeRuleError(f"Expected '{token}' after {after} in AlarmRule, found '{found}'.")

    def expression(self) -> Rule:
        rule = self.conjunction()
        while self.peek() == "OR":
            self.take()
            rule = Both("OR", rule, self.conjunction())
        return rule

    def conjunction(self) -> Rule:
        rule = self.unary()
        while self.peek() == "AND":
            self.take()
            rule = Both("AND", rule, self.unary())
        return rule

    def unary(self) -> Rule:
        if self.peek() == "NOT":
            self.take()
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Rule:
        token = self.take()
        if token == "(":
            self.groups += 1
            rule = self.expression()
            self.expect(")", "a parenthesised rule")
            return rule
        if token in ("TRUE", "FALSE"):
            return Constant(token == "TRUE")
        if token in STATE_FUNCTIONS:
            self.expect("(", token)
            alarm = self.take()
            if alarm in ("(", ")"):
                raise CompositeRuleError(f"{token}() needs an alarm name or ARN in AlarmRule.")
            if alarm.startswith('"'):
                alarm = alarm[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            self.expect(")", f"{token}({alarm}")
            return StateIs(token, alarm)
        if token.upper() in STATE_FUNCTIONS + ("AND", "OR", "NOT", "TRUE", "FALSE"):
            raise CompositeRuleError(f"'{token}' in AlarmRule: keywords are upper case ('{token.upper()}').")
        raise CompositeRuleError(
            f"Unexpected '{token}' in AlarmRule: expected ALARM(), OK(), INSUFFICIENT_DATA(), TRUE, FALSE, NOT or '('."
        )
