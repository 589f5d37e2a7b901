"""Ingestion: every accepted post enters once, is scanned once per model version, and reaches the apps that
react to it (alerting) through pipeline's ``on_scanned`` hook (hooks.py).

``ingest_batch`` is the one entry point for every source (files, HTTP push, NATS, Spark results). It never
raises on bad records: each goes to the dead-letter table with its reason and position (records.py: the
checks and the character rule), and the batch goes on. Posts are keyed by (source, external id); a replay or a
retry adds nothing. A record whose id is stored already with another text is a conflict: the stored post is
kept and the record goes to the dead-letter table, so the change is seen rather than counted as a duplicate.
The batch's posts, scan records, dead letters and what the hook's handlers write (alerts) commit in one
transaction (``kernel.batch``: services they call join it), so a crash loses nothing that was acknowledged and
leaves nothing half-written; stream workers acknowledge only after that commit. Storing is store.py's.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils import timezone

from youthsafe.core import kernel
from youthsafe.detection.engine import Engine, ScanResult
from youthsafe.pipeline import hooks, records, store
from youthsafe.pipeline.models import Source
from youthsafe.pipeline.records import Dead, Rejected, Valid


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

    def react(self, reaction: hooks.Reaction) -> None:
        self.alerts_opened += reaction.alerts_opened
        self.alerts_joined += reaction.alerts_joined

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


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The process-wide engine (rules and model load once; ``Engine.scan`` is safe to share)."""
    return Engine()


def validate(record: Any, position: str, *, precomputed: bool = False) -> Valid:
    """Check one record; raise ``ValueError`` with a reason a person can act on (records.check: the same
    checks the Spark backfill applies). With ``precomputed``, the record's ``scan`` (backfill results) is
    read and checked; otherwise a ``scan`` field is ignored like any other unknown field."""
    if isinstance(record, Rejected):
        raise ValueError(record.reason)
    c = records.check(record, timezone.get_current_timezone())
    return Valid(position=position, external_id=c.external_id, text=c.text, author=c.author, thread=c.thread,
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


def ingest_batch(
    source: Source,
    records: Sequence[Any],
    *,
    channel: str,
    positions: Sequence[str] | None = None,
    engine: Engine | None = None,
    precomputed: bool = False,
) -> IngestSummary:
    """Validate, store and scan one batch, and tell the apps. Never raises on bad records; see the module docstring.

    ``precomputed`` accepts the scans records carry (backfill results loaded by the operator's ``youthsafe
    ingest``); the push API and stream workers never pass it, so a sender cannot stand in for the engine."""
    started = time.perf_counter()
    summary = IngestSummary(read=len(records))
    positions = positions or [str(i + 1) for i in range(len(records))]
    valid, dead = _split(records, positions, precomputed=precomputed)
    fresh, repeats, conflicts = store.fresh(source, valid)
    engine = engine or default_engine()
    live = (engine.model_version, engine.rules_version)
    # A precomputed scan of the live versions stands for the live scan (no second scan); any other needs one.
    to_scan = [v for v in fresh if not store.is_live(v.scan, live)]
    scanned = dict(zip([v.external_id for v in to_scan], engine.scan([v.text for v in to_scan]) if to_scan else [],
                       strict=True))
    with kernel.batch():
        results = {v.external_id: v.scan if v.scan is not None and store.is_live(v.scan, live)
                   else scanned[v.external_id] for v in fresh}
        inserted = store.insert_posts(source, fresh, results)
        if len(inserted) < len(fresh):  # a concurrent worker stored some first: with the same text or another?
            same, other = store.against_stored(source, [v for v in fresh if v.external_id not in inserted])
            repeats += same
            conflicts += other
        store.dead_letters(source, channel, dead + [store.conflict(v) for v in conflicts])
        summary.react(store.store_scans(inserted, results, live))
        # Never a conflict's scan: it is of another text than the stored post's.
        clashing = {id(v) for v in conflicts}
        summary.scans_added, reaction = store.store_precomputed(
            source, [v for v in valid if v.scan is not None and id(v) not in clashing], live)
        summary.react(reaction)
    summary.accepted = len(inserted)
    summary.duplicates = len(repeats)
    summary.conflicts = len(conflicts)
    summary.dead_letters = len(dead)
    summary.results = (
        [RecordResult(p, eid, "dead_letter", reason) for p, eid, reason, _raw in dead]
        + [RecordResult(v.position, v.external_id, "duplicate") for v in repeats]
        + [RecordResult(v.position, v.external_id, "conflict", store.conflict(v)[2]) for v in conflicts]
        + [RecordResult(v.position, v.external_id, "accepted") for v in fresh if v.external_id in inserted]
    )
    summary.seconds = time.perf_counter() - started
    return summary


def _split(items: Sequence[Any], positions: Sequence[str], *, precomputed: bool) -> tuple[list[Valid], list[Dead]]:
    valid: list[Valid] = []
    dead: list[Dead] = []
    for record, position in zip(items, positions, strict=True):
        try:
            valid.append(validate(record, position, precomputed=precomputed))
        except ValueError as exc:
            external = record.get("id") if isinstance(record, Mapping) else None
            try:
                shown = records.storable(str(external or "")[:records.MAX_ID])
            except ValueError:  # an integer past Python's digit limit
                shown = ""
            dead.append((position, shown, str(exc), record))
    return valid, dead


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
