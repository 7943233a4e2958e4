"""Endpoint data capture written to S3 the way SageMaker writes it (AWS-FACTS §5).

Each captured request is one JSON line in
`<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl`, the hour
being the request's own (virtual) time. Records of one endpoint and hour gather in one file until it
holds `RECORDS_PER_FILE`, then a new file starts: S3 objects cannot grow, so the open file is
written again as it fills. The encoding follows the config's `CaptureContentTypeHeader` (CSV or
JSON when the content type is listed there, BASE64 otherwise), and `CaptureOptions` says whether
the input, the output or both are kept. A destination bucket that does not exist loses the data,
as it does on AWS; `dropped` counts what was lost.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Sequence

import numpy as np

from . import backends

RECORDS_PER_FILE = 1000


@dataclass(slots=True)
class Exchange:
    """One captured request: what came in, what went out, when."""

    at: float  # epoch seconds
    input: str
    input_type: str
    output: str
    output_type: str
    event_id: str
    inference_id: str | None = None


@dataclass
class _OpenFile:
    key: str
    lines: list[str] = field(default_factory=list)


class Capture:
    def __init__(self) -> None:
        self._open: dict[tuple[str, str, str], _OpenFile] = {}
        # by capture config: traffic comes in chunks, and its payloads repeat across them
        self._lines: dict[str, _Lines] = {}
        self.dropped = 0

    def clear(self) -> None:
        self._open.clear()
        self._lines.clear()
        self.dropped = 0

    def write(
        self,
        account: str,
        endpoint: str,
        variant: str,
        config: dict[str, Any],
        exchanges: Sequence[Exchange],
        rng: np.random.Generator,
    ) -> None:
        """Append `exchanges` (in time order) to the endpoint's capture files."""
        bucket, _, prefix = config["DestinationS3Uri"][len("s3://") :].partition("/")
        folder = "/".join(p for p in (prefix.strip("/"), endpoint, variant) if p)
        lines = self._lines_for(config)
        for hour, group in _by_hour(exchanges):
            records = [(e.at, lines.line(e)) for e in group]
            self._append(account, bucket, f"{folder}/{hour:%Y/%m/%d/%H}", records, rng)

    def _lines_for(self, config: dict[str, Any]) -> _Lines:
        key = json.dumps(config, sort_keys=True, default=str)
        if key not in self._lines:
            self._lines[key] = _Lines(config)
        return self._lines[key]

    def _append(
        self, account: str, bucket: str, folder: str, records: list[tuple[float, str]], rng: np.random.Generator
    ) -> None:
        slot = (account, bucket, folder)
        while records:
            current = self._open.get(slot)
            if current is None or len(current.lines) >= RECORDS_PER_FILE:
                current = self._open[slot] = _OpenFile(f"{folder}/{_file_name(records[0][0], rng)}")
            room = RECORDS_PER_FILE - len(current.lines)
            batch, records = records[:room], records[room:]
            current.lines.extend(line for _, line in batch)
            if not self._put(account, bucket, current):
                self.dropped += len(batch)
                del self._open[slot]

    @staticmethod
    def _put(account: str, bucket: str, current: _OpenFile) -> bool:
        body = ("\n".join(current.lines) + "\n").encode()
        try:
            backends.s3(account).put_object(bucket, current.key, body)
        except Exception:  # noqa: BLE001 - a missing bucket (or any S3 refusal) loses the capture, as on AWS
            return False
        return True


class _Lines:
    """Capture records as JSON lines; traffic repeats its payloads, so each encoded side is made once (up to
    `SIDES_KEPT` of them: a stream of payloads that never repeat does not grow without bound)."""

    SIDES_KEPT = 50_000

    def __init__(self, config: dict[str, Any]):
        self.modes = _modes(config)
        self.encoders = _Encoders(config.get("CaptureContentTypeHeader") or {})
        self._sides: dict[tuple[str, str, str], str] = {}
        self._times: dict[int, str] = {}

    def line(self, exchange: Exchange) -> str:
        sides = []
        if "Input" in self.modes:
            sides.append('"endpointInput":' + self._side(exchange.input, exchange.input_type, "INPUT"))
        if "Output" in self.modes:
            sides.append('"endpointOutput":' + self._side(exchange.output, exchange.output_type, "OUTPUT"))
        # eventId (a UUID) and inferenceTime need no escaping; inferenceId comes from the caller
        metadata = f'{{"eventId":"{exchange.event_id}","inferenceTime":"{self._iso(exchange.at)}"'
        if exchange.inference_id:
            metadata += ',"inferenceId":' + json.dumps(exchange.inference_id)
        return '{"captureData":{' + ",".join(sides) + '},"eventMetadata":' + metadata + '},"eventVersion":"0"}'

    def _iso(self, at: float) -> str:
        second = int(at)
        if second not in self._times:
            self._times[second] = _iso(second)
        return self._times[second]

    def _side(self, data: str, content_type: str, mode: str) -> str:
        key = (data, content_type, mode)
        if key not in self._sides:
            if len(self._sides) >= self.SIDES_KEPT:
                self._sides.clear()
            self._sides[key] = json.dumps(self.encoders.encode(data, content_type, mode), separators=(",", ":"))
        return self._sides[key]


class _Encoders:
    def __init__(self, header: dict[str, Any]):
        self.csv = {_media(t) for t in header.get("CsvContentTypes") or []}
        self.json = {_media(t) for t in header.get("JsonContentTypes") or []}

    def encode(self, data: str, content_type: str, mode: str) -> dict[str, str]:
        media = _media(content_type)
        if media in self.csv:
            encoding = "CSV"
        elif media in self.json:
            encoding = "JSON"
        else:
            encoding, data = "BASE64", base64.b64encode(data.encode()).decode()
        return {"observedContentType": content_type, "mode": mode, "data": data, "encoding": encoding}


def event_ids(rng: np.random.Generator, n: int) -> list[str]:
    """Random (version 4) UUIDs drawn from `rng`, so a seeded run captures the same ids."""
    raw = rng.bytes(16 * n)
    return [str(uuid.UUID(bytes=raw[i * 16 : (i + 1) * 16], version=4)) for i in range(n)]


def _modes(config: dict[str, Any]) -> tuple[str, ...]:
    declared = tuple(o.get("CaptureMode") for o in config.get("CaptureOptions") or [])
    return declared or ("Input", "Output")


def _by_hour(exchanges: Sequence[Exchange]) -> list[tuple[datetime, list[Exchange]]]:
    groups: dict[datetime, list[Exchange]] = {}
    for exchange in exchanges:
        hour = datetime.fromtimestamp(exchange.at - exchange.at % 3600, timezone.utc)
        groups.setdefault(hour, []).append(exchange)
    return sorted(groups.items())


def _file_name(at: float, rng: np.random.Generator) -> str:
    moment = datetime.fromtimestamp(at, timezone.utc)
    return f"{moment:%M-%S}-{moment.microsecond // 1000:03d}-{event_ids(rng, 1)[0]}.jsonl"


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _media(content_type: str) -> str:
    return (content_type or "").split(";")[0].strip().lower()
