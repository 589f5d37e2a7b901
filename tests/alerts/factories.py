"""Helpers shared by the alert tests: posts scanned by the real engine and fed to ``on_post_scanned``."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from itertools import count

from django.utils import timezone

from youthsafe.alerts.models import Alert
from youthsafe.alerts.services import on_post_scanned
from youthsafe.core.models import Jurisdiction
from youthsafe.detection.engine import Engine, ScanResult
from youthsafe.pipeline.models import Post, ScanRecord, Source
from youthsafe.pipeline.pseudonym import author_key

RECRUIT = "我不想活了，有没有人一起，约好周六在江边烧炭，私信我"
_ids = count(1)


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine()


def source(jurisdiction: Jurisdiction, name: str = "test-weibo") -> Source:
    src, _ = Source.objects.get_or_create(name=name, defaults={"jurisdiction": jurisdiction})
    return src


def scan_post(src: Source, text: str, *, author: str, thread: str = "", jurisdiction: Jurisdiction | None = None,
              posted_at: dt.datetime | None = None, external_id: str | None = None,
              result: ScanResult | None = None) -> tuple[Post, ScanRecord, ScanResult]:
    """Store a post and its scan the way ingestion does (without calling the alert service)."""
    result = result or engine().scan([text])[0]
    post, _ = Post.objects.get_or_create(
        source=src, external_id=external_id or f"p{next(_ids)}",
        defaults={"text": text, "thread_key": thread, "author_key": author_key(src.name, author),
                  "jurisdiction": jurisdiction or src.jurisdiction, "posted_at": posted_at or timezone.now()})
    scan, _ = ScanRecord.objects.get_or_create(
        post=post, model_version=result.model_version, rules_version=result.rules_version,
        defaults={"risk_level": result.risk_level, "flagged": result.flagged, "recruitment": result.recruitment,
                  "categories": [c.id for c in result.categories if c.flagged], "result": result.to_dict()})
    return post, scan, result


def feed(src: Source, text: str, *, author: str, thread: str = "", now: dt.datetime | None = None,
         **kwargs: object) -> Alert | None:
    post, scan, result = scan_post(src, text, author=author, thread=thread, **kwargs)  # type: ignore[arg-type]
    return on_post_scanned(post, scan, result, now=now)
