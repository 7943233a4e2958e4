"""One error vocabulary for everything Simulacro refuses or cannot do, so every caller catches it the same way.

- `BadInput`: what the operator gave is wrong (a spec, a command line, a file, a pattern); nothing was
  done. The message names what and where, and what was expected.
- `Refused`: the input is fine but a guard says no (wrong account, prod, a missing guard alarm, a
  runbook not allowed in this environment); nothing was done.
- `AwsProblem`: AWS answered in a way that stops the work (access denied, expired credentials, an API
  the account lacks); the message names the call, the resource and what to check.

The command line prints any of them as one paragraph and exits 2; drills fail or skip with the message.
"""

from __future__ import annotations


class SimulacroError(Exception):
    """The root of every error Simulacro raises on purpose: its message is for the operator."""


class BadInput(SimulacroError, ValueError):
    """The input is wrong: the message names what, where, and what was expected."""


class Refused(SimulacroError):
    """A guard refused: the message names the guard and how to proceed; nothing was changed."""


class AwsProblem(SimulacroError):
    """AWS stopped the work: the message names the call, the resource and what to check."""
