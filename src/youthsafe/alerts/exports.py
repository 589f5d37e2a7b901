"""Exports: alerts with their posts, levels, categories and states (architecture.md contract for
``youthsafe alerts export --json``), and reviewer labels as JSONL for ``youthsafe model train``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from youthsafe.alerts.models import Alert, LabelKind, ReviewLabel


def alert_record(alert: Alert) -> dict[str, Any]:
    posts = list(alert.posts.select_related("post__source").order_by("id"))
    return {
        "id": alert.pk, "status": alert.status, "level": alert.level, "categories": list(alert.categories),
        "recruitment": alert.recruitment, "jurisdiction": alert.jurisdiction.code,
        "jurisdiction_name": alert.jurisdiction.name,
        "opened_at": alert.opened_at.isoformat(), "due_at": alert.due_at.isoformat() if alert.due_at else None,
        "escalated_at": alert.escalated_at.isoformat() if alert.escalated_at else None,
        "post_ids": [ap.post_id for ap in posts],
        "posts": [{"id": ap.post_id, "source": ap.post.source.name, "external_id": ap.post.external_id,
                   "role": ap.role, "level": ap.level} for ap in posts],
        "people": [{"author_key": p.author_key, "max_level": p.max_level, "role": p.role}
                   for p in alert.people.all()],
        "outcomes": [o.kind for o in alert.outcomes.all()],
    }


def export_alerts(alerts: Iterable[Alert]) -> list[dict[str, Any]]:
    return [alert_record(a) for a in alerts]


def label_lines(labels: Iterable[ReviewLabel]) -> Iterator[dict[str, Any]]:
    """One training line per label. ``level`` lines train ``--task risk-level --label-field level``;
    ``category`` lines train ``--task category --label-field label``."""
    for item in labels:
        line: dict[str, Any] = {"id": f"post-{item.post_id}", "text": item.post.text, "kind": item.kind,
                                "label": item.value, "source": item.note or "review", "at": item.at.isoformat()}
        if item.kind == LabelKind.LEVEL:
            line["level"] = int(item.value)
        yield line


def write_labels(path: Path, *, kind: str | None = None) -> int:
    """Write the labels (latest decision per post and kind wins) as JSONL; returns the number of lines."""
    latest: dict[tuple[int, str], ReviewLabel] = {}
    labels = ReviewLabel.objects.select_related("post").order_by("at", "id")
    if kind:
        labels = labels.filter(kind=kind)
    for item in labels:
        latest[(item.post_id, item.kind)] = item
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for line in label_lines(latest.values()):
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    return count
