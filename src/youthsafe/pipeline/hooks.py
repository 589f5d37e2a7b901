"""What ingestion tells the apps that react to posts, and what it asks of them, without importing them.

Pipeline sits below those apps: they import pipeline, never the reverse. Each registers here, in its
``AppConfig.ready()``:

* an ``on_scanned`` handler, called with every :class:`ScannedBatch` (posts whose live scan was just stored)
  inside the ingestion transaction, so what it writes commits or rolls back with the batch's posts; it
  returns what it did (:class:`Reaction`: alerts opened and joined) for the ingest summary;
* the alerting app's answers (:class:`Alerting`): whether a scan opens an alert (``youthsafe backfill diff``
  and the versions page), the alert holding a post (the post page and API), and the posts whose retention is
  its own (pipeline's retention leaves them alone);
* how a scan is shown (:class:`ScanDisplay`: level colour, category badges, the post text with its evidence).

Without a registration, ingestion stores and scans only, and the pages show scans plainly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from youthsafe.core.hiddenchars import reveal
from youthsafe.core.models import User
from youthsafe.detection.engine import ScanResult
from youthsafe.pipeline.models import Post, ScanRecord


@dataclass(frozen=True)
class ScannedBatch:
    """Posts of one ingestion batch whose scan by the live engine was just stored."""

    posts: tuple[Post, ...]  # in input order: a recruitment post comes before the replies that follow it
    scans: Mapping[int, ScanRecord]  # post id -> its stored live scan
    results: Mapping[int, ScanResult]  # post id -> what the engine said
    fresh: bool  # the posts were inserted by this very transaction (none can be in an alert yet)


@dataclass(frozen=True)
class Reaction:
    """What a handler did with a batch, for the ingest summary."""

    alerts_opened: int = 0
    alerts_joined: int = 0

    def __add__(self, other: Reaction) -> Reaction:
        return Reaction(self.alerts_opened + other.alerts_opened, self.alerts_joined + other.alerts_joined)


Handler = Callable[[ScannedBatch], Reaction]
_handlers: list[Handler] = []


def on_scanned(handler: Handler) -> Handler:
    """Register ``handler`` for every scanned batch (once, however often an app's ready() runs)."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def scanned(batch: ScannedBatch) -> Reaction:
    """Hand ``batch`` to every registered handler, in registration order; what they did, added up."""
    total = Reaction()
    if batch.posts:
        for handler in _handlers:
            total += handler(batch)
    return total


def _no_posts() -> QuerySet[Any]:
    return Post.objects.none().values("pk")


@dataclass(frozen=True)
class Alerting:
    """The alerting app's answers to pipeline's questions."""

    alert_level: Callable[[], int]  # the risk level at which a post opens an alert
    opens_alert: Callable[[int, bool], bool]  # (risk level, recruitment) -> does the scan open an alert?
    alert_of: Callable[[Post, User], int | None]  # the alert holding a post, when the user may open it
    kept_posts: Callable[[], QuerySet[Any]] = _no_posts  # ids of posts retention leaves to the alerting app


NO_ALERTING = Alerting(alert_level=lambda: 0, opens_alert=lambda level, recruitment: False,
                       alert_of=lambda post, user: None)
_alerting: list[Alerting] = [NO_ALERTING]


def register_alerting(answers: Alerting) -> None:
    _alerting[0] = answers


def alerting() -> Alerting:
    return _alerting[0]


def _plain_post(post: Post, evidence: list[dict[str, Any]]) -> SafeString:
    return reveal(post.shown_text)  # escaped, hidden characters shown as badges


@dataclass(frozen=True)
class ScanDisplay:
    """How the pages show a scan."""

    level_class: Callable[[int], str]  # the badge colour of a risk level
    category_badges: Callable[[list[str]], list[dict[str, Any]]]  # {"id", "label", "care"} per category id
    post_html: Callable[[Post, list[dict[str, Any]]], SafeString]  # the text with its evidence marked


PLAIN = ScanDisplay(level_class=lambda level: "muted",
                    category_badges=lambda ids: [{"id": c, "label": c, "care": False} for c in ids],
                    post_html=_plain_post)
_display: list[ScanDisplay] = [PLAIN]


def register_display(display: ScanDisplay) -> None:
    _display[0] = display


def scan_display() -> ScanDisplay:
    return _display[0]
