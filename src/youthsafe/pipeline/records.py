"""The checks every incoming post record passes, without Django settings or a database.

``services.validate`` (ingestion) and the Spark backfill's executors (``backfill_scan.py``, which run where no
Django project is configured) use these same functions, so a record rejected by one is rejected by the
other with the same reason.

The character rule, the same for every field of every path (push API, ``youthsafe ingest`` of JSONL, CSV and
backfill results, the stream worker, ``youthsafe backfill``): a record holding a NUL, another C0 control
character (U+0001-U+001F but tab, line feed and carriage return) or a lone surrogate (U+D800-U+DFFF: half of a
character, as a collector leaves when it cuts an emoji in two) anywhere is refused whole, with the field, the
character and its place as the reason. Nothing is stripped or replaced: a post is stored as it was written or
kept in the dead-letter table, where a person sees it. A dead letter's payload keeps what a database cannot
hold as JSON escapes (``storable``), so the dead letter itself can always be written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.dateparse import parse_datetime  # pure: needs no settings

if TYPE_CHECKING:
    from youthsafe.detection.engine import ScanResult

MAX_TEXT = 20_000
MAX_ID = 200
MAX_FIELD = 200
# The longest input line (or stream message) read: a record at the text limit with every character escaped,
# and a backfill's scan of it, take well under half of it (tests/pipeline/test_bad_input.py); a longer line is
# dead-lettered with its size, unread, so a 10 MB or 10 GB line costs no more memory than this.
MAX_LINE_BYTES = 4 * 1024 * 1024
# How much of a bad record or line a dead letter keeps.
PAYLOAD_CHARS = 10_000

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # what PostgreSQL text (NUL) or UTF-8 (surrogates) cannot hold

# The project's names of a post's fields, as ``youthsafe ingest`` reads them by default.
POST_FIELDS = ("id", "text", "author", "thread", "created_at", "location")


@dataclass(frozen=True)
class Checked:
    """A record that passed: its fields cleaned (times made aware in the given zone)."""

    external_id: str
    text: str
    author: str
    thread: str
    posted_at: dt.datetime | None
    location: str


@dataclass(frozen=True)
class Valid(Checked):
    """A checked record with its place in the input, and the scan a backfill computed for it, if any."""

    position: str
    scan: ScanResult | None = None  # precomputed by a backfill (ingest of its results)
    record: Any = field(default=None, compare=False, repr=False)  # as it came: a conflict's dead letter keeps it


@dataclass(frozen=True)
class Rejected:
    """A record its reader could not even parse (bad JSON line, broken CSV row, invalid UTF-8, a line over the
    limit): dead-lettered with its reason and what could be read of it (``payload``, storable as it is)."""

    reason: str
    payload: str = ""


Dead = tuple[str, str, str, Any]  # a record refused: position, external id, reason, the record as it came


def bad_character(value: str) -> str | None:
    """What breaks the character rule in ``value`` (the first such character and its place), or None."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return None
    code = ord(found.group())
    what = ("a NUL character" if code == 0 else "a lone surrogate" if code >= 0xD800 else "a control character")
    return f"{what} (U+{code:04X}) at character {found.start() + 1}"


def refuse_bad_characters(value: str, name: str) -> None:
    """Raise ``ValueError`` naming the field when ``value`` breaks the character rule."""
    bad = bad_character(value)
    if bad is not None:
        raise ValueError(f"{name} contains {bad}")


def refuse_bad_characters_in(value: Any, name: str) -> None:
    """The character rule over every key and string of a JSON value (a backfill's scan)."""
    if isinstance(value, str):
        refuse_bad_characters(value, name)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            refuse_bad_characters_in(key, name)
            refuse_bad_characters_in(item, name)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_bad_characters_in(item, name)


def storable(text: str) -> str:
    """``text`` as any database can hold it: a NUL and each lone surrogate written as their JSON escapes
    (``\\u0000``, ``\\ud800``), everything else as it is."""
    if _UNSTORABLE.search(text) is None:
        return text
    return _UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def payload(raw: Any, limit: int = PAYLOAD_CHARS) -> str:
    """A bad record as its dead letter keeps it: a line as it came, anything else as JSON; the first ``limit``
    characters, storable."""
    if isinstance(raw, str):
        text = raw[:limit]
    else:
        try:
            text = json.dumps(raw, ensure_ascii=False, default=str)[:limit]
        except (TypeError, ValueError, RecursionError):  # not JSON (a set), a number past the digit limit, nesting
            try:
                text = repr(raw)[:limit]
            except (ValueError, RecursionError):
                text = f"({type(raw).__name__} that cannot be shown)"
    return storable(text)[:limit]


def as_text(value: Any, name: str, limit: int, *, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            raise ValueError(f"missing {name}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{name} must be a string or an integer")
    if isinstance(value, str):
        refuse_bad_characters(value, name)  # before stripping: the rule holds for the whole value
    text = str(value).strip()
    if len(text) > limit:
        raise ValueError(f"{name} longer than {limit} characters")
    if required and not text:
        raise ValueError(f"missing {name}")
    return text


def parse_time(value: Any, zone: dt.tzinfo) -> dt.datetime | None:
    """An ISO 8601 string or epoch seconds/milliseconds as an aware time; a naive time is read in ``zone``."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            seconds = float(value) / 1000 if value > 10**11 else float(value)  # epoch seconds or milliseconds
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError("created_at out of range") from exc
    if isinstance(value, str):
        refuse_bad_characters(value, "created_at")
        parsed = parse_datetime(value.strip().replace(" ", "T", 1)) if value.strip() else None
        if parsed is None:
            raise ValueError(f"created_at is not an ISO 8601 time: {value[:40]!r}")
        aware = parsed if parsed.utcoffset() is not None else parsed.replace(tzinfo=zone)
        try:
            aware.astimezone(dt.UTC)  # stored in UTC: year 1 or 9999 in a zone can fall outside it
        except OverflowError as exc:
            raise ValueError("created_at out of range") from exc
        return aware
    raise ValueError("created_at must be an ISO 8601 string or an epoch number")


def check(record: Any, zone: dt.tzinfo) -> Checked:
    """Check one record with the project's field names; raise ``ValueError`` with a reason a person can act on."""
    if not isinstance(record, Mapping):
        raise ValueError("record is not a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("missing text" if text in (None, "") else "text must be a non-empty string")
    if len(text) > MAX_TEXT:
        raise ValueError(f"text longer than {MAX_TEXT} characters")
    refuse_bad_characters(text, "text")
    return Checked(
        external_id=as_text(record.get("id"), "id", MAX_ID, required=True),
        text=text,
        author=as_text(record.get("author"), "author", MAX_FIELD),
        thread=as_text(record.get("thread"), "thread", MAX_FIELD),
        posted_at=parse_time(record.get("created_at"), zone),
        location=as_text(record.get("location"), "location", MAX_FIELD),
    )
