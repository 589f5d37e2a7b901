"""Ingestion figures: posts scanned and posts flagged, by the day they were received."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from youthsafe.core.indicators import Indicator
from youthsafe.core.roles import Permission
from youthsafe.pipeline.models import Post, ScanRecord


def _scanned() -> models.QuerySet[Any]:
    # Every stored post has its scan: ingest_batch scans a batch and inserts the posts and their scan records
    # in one transaction, so counting posts counts scanned posts without a semi-join over 100,000s of rows.
    return Post.objects.all()


def _flagged() -> models.QuerySet[Any]:
    return Post.objects.filter(Exists(ScanRecord.objects.filter(post=OuterRef("pk"), flagged=True)))


INDICATORS: list[Indicator] = [
    Indicator(
        key="posts_scanned", label=_("Posts scanned"), order=10, unit=_("posts"),
        definition=_("Posts received in the period and scanned by the detection engine (each post once, "
                     "however many model versions scanned it)."),
        records=_scanned, date_field="received_at", permission=Permission.POST_VIEW,
        detail_url="pipeline:post_detail"),
    Indicator(
        key="posts_flagged", label=_("Posts flagged"), order=20, unit=_("posts"),
        definition=_("Posts received in the period that a scan flagged (a category over its threshold or the "
                     "risk level at the alert level)."),
        records=_flagged, date_field="received_at", permission=Permission.POST_VIEW,
        detail_url="pipeline:post_detail"),
]
