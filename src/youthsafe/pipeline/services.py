"""Ingestion: every accepted post enters once, is scanned once per model version, and reaches alerting.

``ingest_batch`` is the one entry point for every source (files, HTTP push, NATS, Spark results). It never
raises on bad records: each goes to the dead-letter table with its reason and position (records.py: the
checks and the character rule), and the batch goes on. Posts are keyed by (source, external id); a replay or a
retry adds nothing. A record whose id is stored already with another text is a conflict: the stored post is
kept and the record goes to the dead-letter table, so the change is seen rather than counted as a duplicate.
The batch's posts, scan records, dead letters and alerts commit in one transaction, so a crash loses nothing
that was acknowledged and leaves nothing half-written; stream workers acknowledge only after that commit.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone

from youthsafe.core import audit
from youthsafe.core.models import Jurisdiction
from youthsafe.detection.engine import Engine, ScanResult
from youthsafe.pipeline import bulk, pseudonym, records
from youthsafe.pipeline.models import DeadLetter, Post, ScanRecord, Source

log = logging.getLogger(__name__)

MAX_TEXT, MAX_ID, MAX_FIELD = records.MAX_TEXT, records.MAX_ID, records.MAX_FIELD


@dataclass(frozen=True)
class RecordResult:
    """What happened to one input record."""

    position: str
    external_id: str
    status: str  # accepted | duplicate | conflict | dead_letter
    reason: str = ""


@dataclass
class IngestSummary:
    """Counts for one batch (or, added up, one run) and the per-record results."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0  # a stored id with another text: dead-lettered, the stored post kept
    dead_letters: int = 0
    alerts_opened: int = 0
    alerts_joined: int = 0
    scans_added: int = 0  # precomputed scans (backfill results) stored for posts, new or already present
    seconds: float = 0.0
    results: list[RecordResult] = field(default_factory=list)

    def add(self, other: IngestSummary) -> None:
        for name in ("read", "accepted", "duplicates", "conflicts", "dead_letters", "alerts_opened",
                     "alerts_joined", "scans_added"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds

    def line(self) -> str:
        rate = self.read / self.seconds if self.seconds else 0.0
        return (
            f"read {self.read}, new {self.accepted}, duplicates {self.duplicates}, conflicts {self.conflicts}, "
            f"dead letters {self.dead_letters}, "
            f"alerts opened {self.alerts_opened}, joined {self.alerts_joined}"
            + (f", precomputed scans stored {self.scans_added}" if self.scans_added else "")
            + f" ({rate:.0f} posts/s)"
        )


@dataclass(frozen=True)
class Rejected:
    """A record its reader could not even parse (bad JSON line, broken CSV row, invalid UTF-8, a line over the
    limit): dead-lettered with its reason and what could be read of it (``payload``, storable as it is)."""

    reason: str
    payload: str = ""


@dataclass(frozen=True)
class _Valid(records.Checked):
    """A checked record with its place in the input, and the scan a backfill computed for it, if any."""

    position: str
    scan: ScanResult | None = None  # precomputed by a backfill (ingest of its results)
    record: Any = field(default=None, compare=False, repr=False)  # as it came: a conflict's dead letter keeps it


Dead = tuple[str, str, str, Any]  # position, external id, reason, the record as it came


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The process-wide engine (rules and model load once; ``Engine.scan`` is safe to share)."""
    return Engine()


def validate(record: Any, position: str, *, precomputed: bool = False) -> _Valid:
    """Check one record; raise ``ValueError`` with a reason a person can act on (records.check: the same
    checks the Spark backfill applies). With ``precomputed``, the record's ``scan`` (backfill results) is
    read and checked; otherwise a ``scan`` field is ignored like any other unknown field."""
    if isinstance(record, Rejected):
        raise ValueError(record.reason)
    c = records.check(record, timezone.get_current_timezone())
    return _Valid(position=position, external_id=c.external_id, text=c.text, author=c.author, thread=c.thread,
                  posted_at=c.posted_at, location=c.location, scan=_precomputed(record) if precomputed else None,
                  record=record)


def _precomputed(record: Mapping[str, Any]) -> ScanResult | None:
    """The scan a backfill stored with the record, checked, or None when the record carries none."""
    raw = record.get("scan")
    if raw is None:
        return None
    # Stored as JSON, which PostgreSQL refuses with a NUL or a lone surrogate: the character rule holds here too.
    records.refuse_bad_characters_in([raw, record.get("model_version"), record.get("rules_version")], "scan")
    try:
        result = ScanResult.from_dict(raw)
    except ValueError as exc:
        raise ValueError(f"scan is not a scan result: {exc}") from exc
    for name in ("model_version", "rules_version"):
        given = record.get(name)
        if given is not None and given != getattr(result, name):
            raise ValueError(f"{name} {str(given)[:60]!r} does not match its scan's")
    return result


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
    precomputed: bool = False,
) -> IngestSummary:
    """Validate, store, scan and alert one batch. Never raises on bad records; see the module docstring.

    ``precomputed`` accepts the scans records carry (backfill results loaded by the operator's ``youthsafe
    ingest``); the push API and stream workers never pass it, so a sender cannot stand in for the engine."""
    started = time.perf_counter()
    summary = IngestSummary(read=len(records))
    positions = positions or [str(i + 1) for i in range(len(records))]
    valid, dead = _split(records, positions, precomputed=precomputed)
    fresh, repeats, conflicts = _fresh(source, valid)
    engine = engine or default_engine()
    live = (engine.model_version, engine.rules_version)
    # A precomputed scan of the live versions stands for the live scan (no second scan); any other needs one.
    to_scan = [v for v in fresh if not _is_live(v.scan, live)]
    scanned = dict(zip([v.external_id for v in to_scan], engine.scan([v.text for v in to_scan]) if to_scan else [],
                       strict=True))
    with transaction.atomic():
        results = {v.external_id: v.scan if v.scan is not None and _is_live(v.scan, live) else scanned[v.external_id]
                   for v in fresh}
        inserted = _insert_posts(source, fresh, results)
        if len(inserted) < len(fresh):  # a concurrent worker stored some first: with the same text or another?
            same, other = _against_stored(source, [v for v in fresh if v.external_id not in inserted])
            repeats += same
            conflicts += other
        _store_dead_letters(source, channel, dead + [_conflict(v) for v in conflicts])
        _scan_and_alert(inserted, results, engine, summary)
        # Never a conflict's scan: it is of another text than the stored post's.
        clashing = {id(v) for v in conflicts}
        summary.scans_added = _store_precomputed(
            source, [v for v in valid if v.scan is not None and id(v) not in clashing], live, summary)
    summary.accepted = len(inserted)
    summary.duplicates = len(repeats)
    summary.conflicts = len(conflicts)
    summary.dead_letters = len(dead)
    summary.results = (
        [RecordResult(p, eid, "dead_letter", reason) for p, eid, reason, _raw in dead]
        + [RecordResult(v.position, v.external_id, "duplicate") for v in repeats]
        + [RecordResult(v.position, v.external_id, "conflict", _conflict(v)[2]) for v in conflicts]
        + [RecordResult(v.position, v.external_id, "accepted") for v in fresh if v.external_id in inserted]
    )
    summary.seconds = time.perf_counter() - started
    return summary


def _split(items: Sequence[Any], positions: Sequence[str], *, precomputed: bool) -> tuple[list[_Valid], list[Dead]]:
    valid: list[_Valid] = []
    dead: list[Dead] = []
    for record, position in zip(items, positions, strict=True):
        try:
            valid.append(validate(record, position, precomputed=precomputed))
        except ValueError as exc:
            external = record.get("id") if isinstance(record, Mapping) else None
            try:
                shown = records.storable(str(external or "")[:MAX_ID])
            except ValueError:  # an integer past Python's digit limit
                shown = ""
            dead.append((position, shown, str(exc), record))
    return valid, dead


def _fresh(source: Source, valid: list[_Valid]) -> tuple[list[_Valid], list[_Valid], list[_Valid]]:
    """Records not yet stored (the first of any id repeated inside the batch); repeats of a stored or earlier
    record with the same text (duplicates); and those with another text (conflicts)."""
    first: dict[str, _Valid] = {}
    later: list[_Valid] = []
    for v in valid:
        if v.external_id in first:
            later.append(v)
        else:
            first[v.external_id] = v
    wanted = list(first)
    present = (bulk.present(Post, "external_id", wanted, source=source.pk) if bulk.supported() else
               set(Post.objects.filter(source=source, external_id__in=wanted).values_list("external_id", flat=True)))
    stored = _stored_texts(source, present) if present else {}  # a replay: the texts to compare with
    fresh = [v for eid, v in first.items() if eid not in stored]
    same: list[_Valid] = []
    other: list[_Valid] = []
    for v in [v for eid, v in first.items() if eid in stored] + later:
        # Against the stored post, or within the batch against its first record (the one stored).
        kept = stored[v.external_id] if v.external_id in stored else first[v.external_id].text
        (same if kept is None or kept == v.text else other).append(v)
    return fresh, same, other


def _stored_texts(source: Source, ids: Iterable[str]) -> dict[str, str | None]:
    """The stored texts of these ids; None for a post whose text was purged (it cannot be compared)."""
    return {eid: None if purged is not None else text for eid, text, purged in
            Post.objects.filter(source=source, external_id__in=list(ids)).order_by()
            .values_list("external_id", "text", "purged_at")}


def _against_stored(source: Source, candidates: list[_Valid]) -> tuple[list[_Valid], list[_Valid]]:
    """Split records whose ids are stored into those with the stored text and those with another."""
    stored = _stored_texts(source, [v.external_id for v in candidates])
    same = [v for v in candidates if stored.get(v.external_id) in (None, v.text)]
    return same, [v for v in candidates if stored.get(v.external_id) not in (None, v.text)]


def _conflict(v: _Valid) -> Dead:
    reason = f"conflict: id {v.external_id!r} is stored already with a different text"
    return v.position, v.external_id, reason, v.record


def _store_dead_letters(source: Source, channel: str, dead: list[Dead]) -> None:
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
    """What the dead letter keeps of a record: records.payload (storable JSON, or the line as it came)."""
    return records.payload(raw.payload if isinstance(raw, Rejected) else raw)


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
    if bulk.supported():  # one statement; RETURNING gives the keys of the rows inserted (pipeline/bulk.py)
        ids = dict(bulk.insert(Post, rows, returning=("external_id", "id"), ignore_conflicts=True))
    else:
        Post.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        # With ignore_conflicts no primary keys come back; the batch marker tells which rows are ours. Only the
        # keys are read: the objects built above already hold everything else (no second read of 500 texts).
        ids = dict(Post.objects.filter(source=source, ingest_batch=batch).values_list("external_id", "pk"))
    built = {p.external_id: p for p in rows}
    for external_id, pk in ids.items():
        _stored(built[external_id], pk)
    # In input order: a recruitment post opens its alert before the replies that follow it join.
    return {v.external_id: built[v.external_id] for v in fresh if v.external_id in ids}


def _stored(obj: Post | ScanRecord, pk: int) -> None:
    """Mark an object built for a multi-row insert as stored under ``pk``, as if it had been loaded."""
    obj.pk = pk
    obj._state.adding, obj._state.db = False, Post.objects.db


def _is_live(scan: ScanResult | None, live: tuple[str, str]) -> bool:
    return scan is not None and (scan.model_version, scan.rules_version) == live


def _scan_and_alert(
    posts: dict[str, Post], results: dict[str, ScanResult], engine: Engine, summary: IngestSummary
) -> None:
    if not posts:
        return
    scans = [_scan_record(post, results[eid], engine.model_version, engine.rules_version)
             for eid, post in posts.items()]
    # No conflict is possible: these posts were inserted by this very transaction, so no other transaction
    # can hold a scan of them (it cannot see them before we commit). A plain insert returns the keys
    # (RETURNING on PostgreSQL and SQLite), so nothing is read back.
    if bulk.supported():
        keys = dict(bulk.insert(ScanRecord, scans, returning=("post", "id")))
        for scan in scans:
            _stored(scan, keys[scan.post_id])
    else:
        ScanRecord.objects.bulk_create(scans, batch_size=500)
    _alert_posts(posts, {s.post_id: s for s in scans}, results, summary, fresh=True)


def _alert_posts(posts: dict[str, Post], stored: dict[int, ScanRecord], results: dict[str, ScanResult],
                 summary: IngestSummary, *, fresh: bool) -> None:
    """Hand the posts whose live scan may matter to alerting (alerts/services/intake.py), in input order."""
    from youthsafe.alerts import notifications
    from youthsafe.alerts.models import OPEN_STATUSES, Alert
    from youthsafe.alerts.services import on_post_scanned
    from youthsafe.alerts.services.intake import locked, opens_alert

    last_alert = Alert.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # A post below the alert level matters only as a reply in an open recruitment thread (alerts/intake.py);
    # one query per batch finds those threads instead of one alerting call per ordinary post. Open recruitment
    # alerts are few (each is an emergency), so all their threads are read rather than sending every thread
    # of the batch.
    threads = {p.thread_key for p in posts.values() if p.thread_key}
    recruiting = threads & set(
        Alert.objects.filter(status__in=OPEN_STATUSES, recruitment=True).exclude(thread_key="")
        .values_list("thread_key", flat=True).distinct()
    ) if threads else set()
    touched: set[int] = set()
    # The posts that may reach alerting: alarming ones, and any post in their threads or in an open
    # recruitment thread (a reply joins once its thread's recruitment post has opened the alert).
    alarming = [p for eid, p in posts.items() if opens_alert(results[eid].risk_level, results[eid].recruitment)]
    threads_at_stake = recruiting | {p.thread_key for p in alarming if p.thread_key}
    at_stake = [p for p in posts.values() if p.thread_key in threads_at_stake] + alarming
    # Their alerting locks are taken together, in one sorted order; the batch's audit events join the chain
    # in one append at the end (the chain lock is then held only while this transaction commits, not through
    # the batch); each place's recipients are read once.
    with locked(at_stake), audit.deferred(), notifications.cached_recipients():
        for eid, post in posts.items():
            result = results[eid]
            if not (opens_alert(result.risk_level, result.recruitment) or post.thread_key in recruiting):
                continue
            alert = on_post_scanned(post, stored[post.pk], result, fresh=fresh)
            if alert is not None:
                touched.add(alert.pk)
                if alert.recruitment and post.thread_key:
                    recruiting.add(post.thread_key)  # later replies in this same batch join it
    opened = sum(1 for pk in touched if pk > last_alert)
    summary.alerts_opened += opened
    summary.alerts_joined += len(touched) - opened


def _store_precomputed(source: Source, carried: list[_Valid], live: tuple[str, str], summary: IngestSummary) -> int:
    """Store the precomputed scans (backfill results) that are not stored yet; return how many were added.

    The go-live rule: a scan of the live engine's model and rules versions is a live scan, so a stored post
    that lacked it gets it and goes through alerting exactly as a freshly scanned post would. A scan of any
    other version is a candidate: it is recorded (one per post and version, so a reload adds nothing) and
    opens no alert; ``youthsafe backfill diff`` shows what it would change. (A new post loaded with a
    candidate scan was also scanned by the live engine above, like any ingested post.)
    """
    if not carried:
        return 0
    ids = dict(Post.objects.filter(source=source, external_id__in={v.external_id for v in carried})
               .values_list("external_id", "pk"))
    wanted: dict[tuple[int, str, str], _Valid] = {}
    for v in carried:
        if v.scan is not None and v.external_id in ids:
            wanted.setdefault((ids[v.external_id], v.scan.model_version, v.scan.rules_version), v)
    have = set(ScanRecord.objects.filter(post_id__in={k[0] for k in wanted})
               .values_list("post_id", "model_version", "rules_version"))
    missing = {k: v for k, v in wanted.items() if k not in have}
    ScanRecord.objects.bulk_create(
        [_scan_record(Post(pk=k[0]), v.scan, k[1], k[2]) for k, v in missing.items() if v.scan is not None],
        batch_size=500, ignore_conflicts=True)
    now_live = {k[0]: v for k, v in missing.items() if (k[1], k[2]) == live}
    if now_live:
        posts = Post.objects.select_related("jurisdiction").in_bulk(list(now_live))
        stored = {s.post_id: s for s in ScanRecord.objects.filter(
            post_id__in=list(now_live), model_version=live[0], rules_version=live[1])}
        ordered = {v.external_id: posts[pk] for pk, v in now_live.items()}
        results = {v.external_id: v.scan for v in now_live.values() if v.scan is not None}
        _alert_posts(ordered, stored, results, summary, fresh=False)
    return len(missing)


def _scan_record(post: Post, result: ScanResult, model_version: str, rules_version: str) -> ScanRecord:
    return ScanRecord(
        post=post, model_version=model_version, rules_version=rules_version,
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
