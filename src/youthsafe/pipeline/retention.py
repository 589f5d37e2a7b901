"""Retention of ingested posts and dead letters (core/retention.py).

A post that never became part of an alert is redacted when its period ends: text, pseudonymous author key,
sealed account id, location hint and the evidence snippets of its scans are removed; the row (source,
external id, time, jurisdiction, scores) stays so a replay is still recognised as a duplicate and past
statistics keep their counts. Posts in an alert follow the alert's rule (alerts/retention.py): the alerting
app names them to pipeline (hooks.py ``Alerting.kept_posts``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from youthsafe.core.retention import RetentionRule
from youthsafe.pipeline import hooks
from youthsafe.pipeline.models import DeadLetter, Post, ScanRecord

CHUNK = 1000


def redact_result(result: dict[str, Any]) -> dict[str, Any]:
    """A scan result without the quoted text of its evidence (offsets, rules and scores stay)."""
    evidence = [{**item, "text": ""} for item in result.get("evidence") or []]
    return {**result, "evidence": evidence}


def redact_posts(posts: QuerySet[Post], now: dt.datetime, *, dry_run: bool) -> int:
    """Redact every post of ``posts`` not yet purged; returns how many (or would be, with ``dry_run``)."""
    ids = list(posts.filter(purged_at=None).order_by("pk").values_list("pk", flat=True))
    if dry_run:
        return len(ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        Post.objects.filter(pk__in=chunk).update(text="", author_key="", author_sealed="", location_hint="",
                                                 meta={}, purged_at=now)
        scans = list(ScanRecord.objects.filter(post_id__in=chunk).only("pk", "result"))
        for scan in scans:
            scan.result = redact_result(scan.result)
        ScanRecord.objects.bulk_update(scans, ["result"], batch_size=500)
    return len(ids)


def _unalerted_posts(cutoff: dt.datetime, now: dt.datetime, dry_run: bool) -> int:
    posts = Post.objects.filter(received_at__lt=cutoff).exclude(pk__in=hooks.alerting().kept_posts())
    return redact_posts(posts, now, dry_run=dry_run)


def _dead_letters(cutoff: dt.datetime, now: dt.datetime, dry_run: bool) -> int:
    rows = DeadLetter.objects.filter(received_at__lt=cutoff).exclude(payload="")
    return rows.count() if dry_run else rows.update(payload="")


RULES = [
    RetentionRule(
        "pipeline.unalerted_posts", _("Posts that never became part of an alert"),
        _("text, author pseudonym, sealed account id, location hint and quoted evidence; the row and its scores stay"),
        180, _unalerted_posts),
    RetentionRule(
        "pipeline.dead_letters", _("Dead-letter payloads"),
        _("the raw record (it may hold account ids and text); position and reason stay"),
        90, _dead_letters),
]
