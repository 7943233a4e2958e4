"""One page of a list answer and the NextToken to the next, for the overlay's paginated operations.

The token is the offset of the next page. A token the emulator did not hand out is refused with the error the
operation documents, never a crash, so a reader that follows NextToken misses nothing and a made-up one is told."""

from __future__ import annotations

from typing import Any

from .errors import AwsError


def page_of(items: list[Any], token: str | None, size: int, *, invalid: AwsError) -> tuple[list[Any], dict[str, str]]:
    """(the items of the page that starts at `token`, {"NextToken": ...} while items remain, else {})."""
    start = 0
    if token:
        if not token.isdigit() or int(token) > len(items):
            raise invalid
        start = int(token)
    more = {"NextToken": str(start + size)} if start + size < len(items) else {}
    return items[start : start + size], more
