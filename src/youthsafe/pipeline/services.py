"""Ingestion: every accepted post enters once, is scanned once per model version, and reaches alerting.

``ingest_batch`` is the one entry point for every source (files, HTTP push, NATS, Spark results). It never
raises on bad records: each goes to the dead-letter table with its reason and position, and the batch goes
on. Posts are keyed by (source, external id); a replay or a retry adds nothing. The batch's posts, scan
records, dead letters and alerts commit in one transaction, so a crash loses nothing that was acknowledged
and leaves nothing half-written; stream workers acknowledge only after that commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from youthsafe.core.models import Jurisdiction
from youthsafe.detection.engine import Engine, ScanResult
from youthsafe.pipeline import pseudonym
from youthsafe.pipeline.models import DeadLetter, Post, ScanRecord, Source

log = logging.getLogger(__name__)

MAX_TEXT = 20_000
MAX_ID = 200
MAX_FIELD = 200


@dataclass(frozen=True)
class RecordResult:
    """What happened to one input record."""

    position: str
    external_id: str
    status: str  # accepted | duplicate | dead_letter
    reason: str = ""


@dataclass
class IngestSummary:
    """Counts for one batch (or, added up, one run) and the per-record results."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    alerts_opened: int = 0
    alerts_joined: int = 0
    seconds: float = 0.0
    results: list[RecordResult] = field(default_factory=list)

    def add(self, other: IngestSummary) -> None:
        for name in ("read", "accepted", "duplicates", "dead_letters", "alerts_opened", "alerts_joined"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds

    def line(self) -> str:
        rate = self.read / self.seconds if self.seconds else 0.0
        return (
            f"read {self.read}, new {self.accepted}, duplicates {self.duplicates}, dead letters {self.dead_letters}, "
            f"alerts opened {self.alerts_opened}, joined {self.alerts_joined} ({rate:.0f} posts/s)"
        )


@dataclass(frozen=True)
class Rejected:
    """A record its reader could not even parse (bad JSON line, broken CSV row): dead-lettered as it is."""

    reason: str
    payload: str = ""


@dataclass(frozen=True)
class _Valid:
    position: str
    external_id: str
    text: str
    author: str
    thread: str
    posted_at: dt.datetime | None
    location: str


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The process-wide engine (rules and model load once; ``Engine.scan`` is safe to share)."""
    return Engine()


def _as_text(value: Any, name: str, limit: int, *, required: bool = False) -> str:
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


def _as_time(value: Any) -> dt.datetime | None:
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
        aware = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        try:
            aware.astimezone(dt.UTC)  # stored in UTC: year 1 or 9999 in a zone can fall outside it
        except OverflowError as exc:
            raise ValueError("created_at out of range") from exc
        return aware
    raise ValueError("created_at must be an ISO 8601 string or an epoch number")


def validate(record: Any, position: str) -> _Valid:
    """Check one record; raise ``ValueError`` with a reason a person can act on."""
    if isinstance(record, Rejected):
        raise ValueError(record.reason)
    if not isinstance(record, Mapping):
        raise ValueError("record is not a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("missing text" if text in (None, "") else "text must be a non-empty string")
    if len(text) > MAX_TEXT:
        raise ValueError(f"text longer than {MAX_TEXT} characters")
    if "\x00" in text:
        raise ValueError("text contains a NUL character")
    return _Valid(
        position=position,
        external_id=_as_text(record.get("id"), "id", MAX_ID, required=True),
        text=text,
        author=_as_text(record.get("author"), "author", MAX_FIELD),
        thread=_as_text(record.get("thread"), "thread", MAX_FIELD),
        posted_at=_as_time(record.get("created_at")),
        location=_as_text(record.get("location"), "location", MAX_FIELD),
    )


class _Places:
    """Resolve a location hint to the deepest jurisdiction whose name or code it mentions."""

    def __init__(self) -> None:
        nodes = list(Jurisdiction.objects.all())
        self.by_code = {n.code.lower(): n for n in nodes}
        self.names = sorted(nodes, key=lambda n: (-len(n.name), -n.depth))

    def resolve(self, hint: str, default: Jurisdiction) -> Jurisdiction:
        if not hint:
            return default
        exact = self.by_code.get(hint.lower())
        if exact is not None:
            return exact
        for node in self.names:
            if node.name and node.name in hint:
                return node
        return default


def ingest_batch(
    source: Source,
    records: Sequence[Any],
    *,
    channel: str,
    positions: Sequence[str] | None = None,
    engine: Engine | None = None,
) -> IngestSummary:
    """Validate, store, scan and alert one batch. Never raises on bad records; see the module docstring."""
    started = time.perf_counter()
    summary = IngestSummary(read=len(records))
    positions = positions or [str(i + 1) for i in range(len(records))]
    valid, dead = _split(records, positions)
    fresh, repeats = _fresh(source, valid)
    engine = engine or default_engine()
    scans = engine.scan([v.text for v in fresh]) if fresh else []
    with transaction.atomic():
        _store_dead_letters(source, channel, dead)
        results = dict(zip([v.external_id for v in fresh], scans, strict=True))
        inserted = _insert_posts(source, fresh, results)
        repeats += [v for v in fresh if v.external_id not in inserted]
        _scan_and_alert(inserted, results, engine, summary)
    summary.accepted = len(inserted)
    summary.duplicates = len(repeats)
    summary.dead_letters = len(dead)
    summary.results = (
        [RecordResult(p, eid, "dead_letter", reason) for p, eid, reason, _raw in dead]
        + [RecordResult(v.position, v.external_id, "duplicate") for v in repeats]
        + [RecordResult(v.position, v.external_id, "accepted") for v in fresh if v.external_id in inserted]
    )
    summary.seconds = time.perf_counter() - started
    return summary


def _split(records: Sequence[Any], positions: Sequence[str]) -> tuple[list[_Valid], list[tuple[str, str, str, Any]]]:
    valid: list[_Valid] = []
    dead: list[tuple[str, str, str, Any]] = []
    for record, position in zip(records, positions, strict=True):
        try:
            valid.append(validate(record, position))
        except ValueError as exc:
            external = record.get("id") if isinstance(record, Mapping) else None
            dead.append((position, str(external or "")[:MAX_ID], str(exc), record))
    return valid, dead


def _fresh(source: Source, valid: list[_Valid]) -> tuple[list[_Valid], list[_Valid]]:
    """Records not yet stored (the first of any id repeated inside the batch), and the repeats."""
    seen: set[str] = set()
    first: list[_Valid] = []
    repeats: list[_Valid] = []
    for v in valid:
        (repeats if v.external_id in seen else first).append(v)
        seen.add(v.external_id)
    stored = set(
        Post.objects.filter(source=source, external_id__in=[v.external_id for v in first]).values_list(
            "external_id", flat=True
        )
    )
    return [v for v in first if v.external_id not in stored], repeats + [v for v in first if v.external_id in stored]


def _store_dead_letters(source: Source, channel: str, dead: list[tuple[str, str, str, Any]]) -> None:
    """Keep each bad record once: a replay of the same input does not add the same dead letter again."""
    if not dead:
        return
    rows = [
        DeadLetter(source=source, source_name=source.name, channel=channel, position=position[:100],
                   reason=reason[:500], payload=_payload(raw))
        for position, _eid, reason, raw in dead
    ]
    known = set(
        DeadLetter.objects.filter(source=source, channel=channel, resolved_at=None,
                                  position__in=[r.position for r in rows]).values_list("position", "reason", "payload")
    )
    rows = [r for r in rows if (r.position, r.reason, r.payload) not in known]
    DeadLetter.objects.bulk_create(rows)
    log.warning("%s: %d record(s) dead-lettered from %s", source.name, len(dead), channel)


def _payload(raw: Any) -> str:
    import json

    if isinstance(raw, Rejected):
        return raw.payload[:10_000]
    try:
        text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(raw)
    return text.replace("\x00", "\\0")[:10_000]


def _insert_posts(source: Source, fresh: list[_Valid], results: dict[str, ScanResult]) -> dict[str, Post]:
    """Insert, skipping rows a concurrent worker stored first; return the rows this batch inserted.

    ``cluster_id`` is the engine's near-duplicate cluster when its index is on (``Engine(dedup=True)``). That
    index lives in one process, so its ids mean something only within one ingest run or one worker.
    """
    if not fresh:
        return {}
    batch = uuid.uuid4().hex
    places = _Places()
    rows = [
        Post(
            source=source, external_id=v.external_id, text=v.text, posted_at=v.posted_at, thread_key=v.thread,
            author_key=pseudonym.author_key(source.name, v.author), author_sealed=pseudonym.seal(v.author),
            location_hint=v.location, jurisdiction=places.resolve(v.location, source.jurisdiction),
            ingest_batch=batch, cluster_id=results[v.external_id].cluster_id,
        )
        for v in fresh
    ]
    Post.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    # With ignore_conflicts no primary keys come back; the batch marker tells which rows are ours. Only the
    # keys are read: the objects built above already hold everything else (no second read of 500 texts).
    ids = dict(Post.objects.filter(source=source, ingest_batch=batch).values_list("external_id", "pk"))
    built = {p.external_id: p for p in rows}
    for external_id, pk in ids.items():
        post = built[external_id]
        post.pk = pk
        post._state.adding, post._state.db = False, Post.objects.db  # as if loaded: it is stored now
    # In input order: a recruitment post opens its alert before the replies that follow it join.
    return {v.external_id: built[v.external_id] for v in fresh if v.external_id in ids}


def _scan_and_alert(
    posts: dict[str, Post], results: dict[str, ScanResult], engine: Engine, summary: IngestSummary
) -> None:
    if not posts:
        return
    from youthsafe.alerts import config
    from youthsafe.alerts.models import OPEN_STATUSES, Alert
    from youthsafe.alerts.services import on_post_scanned

    scans = [_scan_record(post, results[eid], engine) for eid, post in posts.items()]
    # No conflict is possible: these posts were inserted by this very transaction, so no other transaction
    # can hold a scan of them (it cannot see them before we commit). A plain insert returns the keys
    # (RETURNING on PostgreSQL and SQLite), so nothing is read back.
    ScanRecord.objects.bulk_create(scans, batch_size=500)
    stored = {s.post_id: s for s in scans}
    last_alert = Alert.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # A post below the alert level matters only as a reply in an open recruitment thread (alerts/intake.py);
    # one query per batch finds those threads instead of one alerting call per ordinary post.
    threads = {p.thread_key for p in posts.values() if p.thread_key}
    recruiting = set(
        Alert.objects.filter(status__in=OPEN_STATUSES, recruitment=True, thread_key__in=threads).values_list(
            "thread_key", flat=True
        )
    ) if threads else set()
    level = config.alert_level()
    touched: set[int] = set()
    for eid, post in posts.items():
        result = results[eid]
        if not (result.risk_level >= level or result.recruitment or post.thread_key in recruiting):
            continue
        alert = on_post_scanned(post, stored[post.pk], result, fresh=True)
        if alert is not None:
            touched.add(alert.pk)
            if alert.recruitment and post.thread_key:
                recruiting.add(post.thread_key)  # later replies in this same batch join it
    summary.alerts_opened = sum(1 for pk in touched if pk > last_alert)
    summary.alerts_joined = len(touched) - summary.alerts_opened


def _scan_record(post: Post, result: ScanResult, engine: Engine) -> ScanRecord:
    return ScanRecord(
        post=post, model_version=engine.model_version, rules_version=engine.rules_version,
        risk_level=result.risk_level, flagged=result.flagged, recruitment=result.recruitment,
        categories=[c.id for c in result.categories if c.flagged], result=result.to_dict(),
    )


def iter_batches(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    """Chunks of at most ``size`` items, in order."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
