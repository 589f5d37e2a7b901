"""The stream worker's database side (stream.py): a fetched batch of decoded messages stored through
``ingest_batch``, grouped by source, and the messages it gives up on kept as dead letters. Each function runs
in the worker's one database thread (Django connections are per thread).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import close_old_connections, connections

from youthsafe.pipeline import records as checks
from youthsafe.pipeline.models import DeadLetter, Source
from youthsafe.pipeline.records import Rejected
from youthsafe.pipeline.services import ingest_batch


@dataclass
class WorkerStats:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    dead_letters: int = 0
    batches: int = 0
    failures: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        seconds = max(time.monotonic() - self.started, 1e-9)
        return (f"messages {self.messages}, new {self.accepted}, duplicates {self.duplicates}, conflicts "
                f"{self.conflicts}, dead letters {self.dead_letters}, batches {self.batches}, failed batches "
                f"{self.failures} "
                f"({self.messages / seconds:.0f} msg/s)")


@dataclass(frozen=True)
class Item:
    """One message, decoded: the source name and record, or the reason it cannot be used."""

    position: str
    source: str
    record: Any
    reason: str = ""
    last_delivery: bool = False


def process(items: list[Item]) -> WorkerStats:
    """Store one fetched batch (grouped by source) in the database. Runs in the worker's DB thread."""
    close_old_connections()  # a connection broken by a database restart is replaced, not reused
    stats = WorkerStats(messages=len(items))
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[item.source].append(item)
    # A name that breaks the character rule names no source (and a database could not even compare it).
    names = [name for name in groups if checks.bad_character(name) is None]
    sources = {s.name: s for s in Source.objects.filter(name__in=names, active=True)}
    for name, group in groups.items():
        source = sources.get(name)
        if source is None:
            DeadLetter.objects.bulk_create([
                DeadLetter(source_name=checks.storable(name)[:64], channel="nats", position=i.position,
                           reason=f"unknown or inactive source {name[:100]!r}"[:500], payload=checks.payload(i.record))
                for i in group
            ])
            stats.dead_letters += len(group)
            continue
        records = [Rejected(i.reason, str(i.record)) if i.reason else i.record for i in group]
        summary = ingest_batch(source, records, channel="nats", positions=[i.position for i in group])
        stats.accepted += summary.accepted
        stats.duplicates += summary.duplicates
        stats.conflicts += summary.conflicts
        stats.dead_letters += summary.dead_letters
    return stats


def dead_letter_failed(items: list[Item], reason: str) -> None:
    """Last delivery of messages whose batch keeps failing: keep them, with the reason, for a person."""
    close_old_connections()
    DeadLetter.objects.bulk_create([
        DeadLetter(source_name=checks.storable(i.source)[:64], channel="nats", position=i.position,
                   reason=checks.storable(reason)[:500], payload=checks.payload(i.record))
        for i in items
    ])


def close_db() -> None:
    """Close this thread's database connections (the worker's, when it stops)."""
    connections.close_all()
