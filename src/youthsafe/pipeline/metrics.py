"""Gauges of ingestion for /metrics (core/observability.py): counts only, never content."""

from __future__ import annotations

from youthsafe.core.observability import Sample
from youthsafe.pipeline.models import DeadLetter, Post, ScanRecord


def collect() -> list[Sample]:
    return [
        Sample("youthsafe_posts", Post.objects.count(), "Posts stored"),
        Sample("youthsafe_scan_records", ScanRecord.objects.count(), "Scan results stored"),
        Sample("youthsafe_dead_letters_unresolved", DeadLetter.objects.filter(resolved_at=None).count(),
               "Rejected records waiting for a person"),
    ]
