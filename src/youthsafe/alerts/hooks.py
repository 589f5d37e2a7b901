"""The alerting app's side of ingestion (pipeline/hooks.py), registered in ``AlertsConfig.ready()``.

``alert_scanned`` hands the posts of a scanned batch whose live scan may matter to ``on_post_scanned``
(services/intake.py), in input order, inside ingestion's transaction; the other registrations answer
pipeline's questions (does a scan open an alert, which alert holds a post, which posts are kept by the
alerts' retention rule) and say how a scan is shown.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from youthsafe.alerts import config, notifications, presenters
from youthsafe.alerts.models import OPEN_STATUSES, Alert, AlertPost
from youthsafe.alerts.services.intake import locked, on_post_scanned, opens_alert
from youthsafe.core import audit
from youthsafe.core.models import User
from youthsafe.pipeline import hooks
from youthsafe.pipeline.models import Post


def _recruiting(posts: tuple[Post, ...]) -> set[str]:
    """The batch's threads that hold an open recruitment alert. A post below the alert level matters only as a
    reply in such a thread (services/intake.py); one query per batch finds them instead of one alerting call
    per ordinary post. Open recruitment alerts are few (each is an emergency), so all their threads are read
    rather than sending every thread of the batch."""
    threads = {p.thread_key for p in posts if p.thread_key}
    if not threads:
        return set()
    return threads & set(Alert.objects.filter(status__in=OPEN_STATUSES, recruitment=True).exclude(thread_key="")
                         .values_list("thread_key", flat=True).distinct())


def alert_scanned(batch: hooks.ScannedBatch) -> hooks.Reaction:
    """Open or join alerts for the batch's posts, in input order; how many were opened and joined."""
    last_alert = Alert.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    recruiting = _recruiting(batch.posts)

    def alarming(post: Post) -> bool:
        result = batch.results[post.pk]
        return opens_alert(result.risk_level, result.recruitment)

    # The posts that may reach alerting: alarming ones, and any post in their threads or in an open
    # recruitment thread (a reply joins once its thread's recruitment post has opened the alert).
    raising = [p for p in batch.posts if alarming(p)]
    threads_at_stake = recruiting | {p.thread_key for p in raising if p.thread_key}
    at_stake = [p for p in batch.posts if p.thread_key in threads_at_stake] + raising
    touched: set[int] = set()
    # Their alerting locks are taken together, in one sorted order; the batch's audit events join the chain
    # in one append at the end (the chain lock is then held only while this transaction commits, not through
    # the batch); each place's recipients are read once.
    with locked(at_stake), audit.deferred(), notifications.cached_recipients():
        for post in batch.posts:
            if not (alarming(post) or post.thread_key in recruiting):
                continue
            alert = on_post_scanned(post, batch.scans[post.pk], batch.results[post.pk], fresh=batch.fresh)
            if alert is not None:
                touched.add(alert.pk)
                if alert.recruitment and post.thread_key:
                    recruiting.add(post.thread_key)  # later replies in this same batch join it
    opened = sum(1 for pk in touched if pk > last_alert)
    return hooks.Reaction(alerts_opened=opened, alerts_joined=len(touched) - opened)


def alert_of(post: Post, user: User) -> int | None:
    """The id of the alert holding ``post`` when the user may open it, else None."""
    alert = Alert.objects.visible_to(user).filter(posts__post=post).values_list("pk", flat=True).first()
    return int(alert) if alert is not None else None


def posts_in_alerts() -> QuerySet[Any]:
    """Posts in an alert follow the alert's retention rule (alerts/retention.py), not pipeline's."""
    return AlertPost.objects.values("post_id")


def register() -> None:
    hooks.on_scanned(alert_scanned)
    hooks.register_alerting(hooks.Alerting(alert_level=config.alert_level, opens_alert=opens_alert,
                                           alert_of=alert_of, kept_posts=posts_in_alerts))
    hooks.register_display(hooks.ScanDisplay(level_class=presenters.level_class,
                                             category_badges=presenters.category_badges,
                                             post_html=presenters.post_html))
