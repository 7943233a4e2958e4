"""Wildcard patterns: `*` matches any run of characters, `\\*` a star, `\\\\` a backslash.

AWS refuses two wildcards in a row (`**`) and a backslash that escapes anything else.
"""

import re

from simulacro.events.errors import OperandError
from simulacro.events.pattern_json import to_json_text

_ESCAPABLE = ("*", "\\")


def compile_wildcard(text: str) -> re.Pattern[str]:
    """A regular expression that matches exactly the strings the wildcard pattern matches."""
    parts: list[str] = []
    previous_was_wildcard = False
    position = 0
    while position < len(text):
        char = text[position]
        if char == "\\":
            escaped = text[position + 1 : position + 2]
            if escaped not in _ESCAPABLE:
                raise OperandError(f'{to_json_text(text)}: a backslash may only escape "*" or another backslash')
            parts.append(re.escape(escaped))
            previous_was_wildcard = False
            position += 2
            continue
        if char == "*":
            if previous_was_wildcard:
                raise OperandError(f'{to_json_text(text)}: consecutive wildcard characters ("**") are not allowed')
            parts.append(".*")
            previous_was_wildcard = True
        else:
            parts.append(re.escape(char))
            previous_was_wildcard = False
        position += 1
    return re.compile("".join(parts), re.DOTALL)
