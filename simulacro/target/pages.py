"""Every item of a paginated AWS list or describe call, all pages followed.

A single call answers one page (50 or 100 items, or fewer), and a key that has nothing to list may be absent
from the page altogether (SQS's `QueueUrls`): a platform of many models is exactly where a read of the first
page silently misses resources and alarm transitions."""

from __future__ import annotations

from typing import Any, Iterator


def every_item(client: Any, operation: str, key: str | tuple[str, ...], **params: Any) -> Iterator[Any]:
    """The items under `key` (or under each of several keys, page by page) of every page of `operation` (a boto3
    paginator name, e.g. "describe_alarms")."""
    keys = (key,) if isinstance(key, str) else key
    for page in client.get_paginator(operation).paginate(**params):
        for each in keys:
            yield from page.get(each) or []
