"""The ways a pattern can be refused."""

from simulacro.errors import BadInput


class InvalidEventPattern(BadInput):
    """A pattern EventBridge would refuse at PutRule (InvalidEventPatternException).

    `path` says where in the pattern (``detail.state[0]``), `reason` what is wrong there.
    """

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path or 'pattern'}: {reason}")


class OperandError(ValueError):
    """An operator was given an operand AWS would refuse; the caller adds the path."""
