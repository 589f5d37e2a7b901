"""The checks every incoming post record passes, without Django settings or a database.

``services.validate`` (ingestion) and the Spark backfill's executors (``backfill.py``, which run where no
Django project is configured) use these same functions, so a record rejected by one is rejected by the
other with the same reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_datetime  # pure: needs no settings

MAX_TEXT = 20_000
MAX_ID = 200
MAX_FIELD = 200

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


def as_text(value: Any, name: str, limit: int, *, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            raise ValueError(f"missing {name}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{name} must be a string or an integer")
    text = str(value).strip()
    if "\x00" in text:
        raise ValueError(f"{name} contains a NUL character")
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
    if "\x00" in text:
        raise ValueError("text contains a NUL character")
    return Checked(
        external_id=as_text(record.get("id"), "id", MAX_ID, required=True),
        text=text,
        author=as_text(record.get("author"), "author", MAX_FIELD),
        thread=as_text(record.get("thread"), "thread", MAX_FIELD),
        posted_at=parse_time(record.get("created_at"), zone),
        location=as_text(record.get("location"), "location", MAX_FIELD),
    )
