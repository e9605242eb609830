"""Messages as Python values: Message, MessageMeta, Lite3Frame and parse_message."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ._errors import ensure_bytes


@dataclass(frozen=True)
class MessageMeta:
    tags: list[str]


@dataclass(frozen=True)
class Message:
    """One message: ``seq``, append ``time`` (UTC, microsecond precision) and its
    RFC 3339 text ``time_rfc3339`` (nanoseconds), ``data``, ``meta.tags``, and ``raw``,
    the envelope JSON it was read from."""

    seq: int
    time: datetime
    time_rfc3339: str
    data: Any
    meta: MessageMeta
    raw: bytes

    @property
    def tags(self) -> list[str]:
        return self.meta.tags


@dataclass(frozen=True)
class Lite3Frame:
    """A stored message as raw bytes: the Lite3 document and the frame header fields."""

    seq: int
    timestamp_ns: int
    flags: int
    payload: bytes

    @property
    def time(self) -> datetime:
        return _time_from_ns(self.timestamp_ns)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _time_from_ns(timestamp_ns: int) -> datetime:
    seconds, nanoseconds = divmod(timestamp_ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, tz=timezone.utc).replace(microsecond=nanoseconds // 1_000)


_UTC = timezone.utc
_fromisoformat = datetime.fromisoformat

if sys.version_info >= (3, 11):

    def _iso(text: str) -> datetime:
        return _fromisoformat(text)

else:  # 3.10 reads neither "Z" nor more than 6 fractional digits
    _FRACTION = re.compile(r"(\.\d{6})\d+")

    def _iso(text: str) -> datetime:
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        return _fromisoformat(_FRACTION.sub(r"\1", text, count=1))


def parse_time(text: str) -> datetime:
    """An RFC 3339 time as an aware UTC datetime (fractions beyond microseconds cut)."""
    parsed = _iso(text)
    tz = parsed.tzinfo
    if tz is _UTC:
        return parsed
    if tz is None:
        raise ValueError("message time must include timezone")
    return parsed.astimezone(_UTC)


_decoder = json.JSONDecoder()
_scan_once = _decoder.scan_once  # type: ignore[attr-defined]
_new = object.__new__


def _loads(text: str) -> Any:
    # The scanner alone, for an envelope (no surrounding whitespace); anything else goes
    # through json.loads, which also reports malformed input.
    try:
        value, end = _scan_once(text, 0)
    except StopIteration:
        value, end = None, -1
    if end != len(text):
        return json.loads(text)
    return value


def message_from_raw(raw: bytes) -> Message:
    """parse_message for bytes known to be bytes (the library's envelopes)."""
    parsed = _loads(raw.decode("utf-8"))
    if type(parsed) is not dict:
        raise ValueError("message payload must decode to an object")
    raw_time = parsed.get("time")
    if type(raw_time) is not str:
        raise ValueError("message time must be an RFC3339 string")
    seq = parsed.get("seq")
    if not isinstance(seq, int):
        raise ValueError("message seq must be an int")
    meta = parsed.get("meta")
    tags = meta.get("tags") if type(meta) is dict else None
    if type(tags) is not list:
        tags = []
    elif tags and not all(type(tag) is str for tag in tags):
        tags = [str(tag) for tag in tags]
    # Frozen dataclasses refuse attribute assignment; filling the instance dicts directly
    # builds the same objects as MessageMeta(...) and Message(...) at a fraction of the cost.
    message_meta = _new(MessageMeta)
    message_meta.__dict__["tags"] = tags
    message = _new(Message)
    fields = message.__dict__
    fields["seq"] = seq
    fields["time"] = parse_time(raw_time)
    fields["time_rfc3339"] = raw_time
    fields["data"] = parsed.get("data")
    fields["meta"] = message_meta
    fields["raw"] = raw
    return message


def parse_message(payload: bytes) -> Message:
    """Parses an envelope {"seq":…,"time":…,"meta":{"tags":[…]},"data":…} into a Message.

    Raises TypeError for a payload that is not bytes-like and ValueError for one that is
    not an envelope."""
    return message_from_raw(ensure_bytes(payload, "payload"))
