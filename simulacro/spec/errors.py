"""One exception for every way a stack spec can be wrong."""

from __future__ import annotations

from dataclasses import dataclass

from simulacro.errors import BadInput


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '<top>'}: {self.message}"


class SpecError(BadInput):
    """The spec cannot be used; nothing was provisioned. Lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"the stack spec is invalid ({count}); nothing was provisioned:\n{lines}")
