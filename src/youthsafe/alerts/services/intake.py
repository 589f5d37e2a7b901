"""From scanned posts to alerts: ``on_post_scanned``, the contract the ingestion pipeline calls, and
``do_open_manual`` for a post the engine did not raise.

A post opens an alert when its risk level reaches ``YOUTHSAFE_ALERT_LEVEL`` (default 6, the high-risk band of
regulatory-reference 6.1) or it recruits for a group suicide; it joins the open alert of the same author or
the same thread within the window instead, so a recruitment post and its replies become one incident with
several people at risk.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from youthsafe.alerts import config, notifications, workflow
from youthsafe.alerts.models import (
    OPEN_STATUSES,
    Alert,
    AlertPerson,
    AlertPost,
    AlertStatus,
    PersonRole,
    PostRole,
)
from youthsafe.alerts.services.common import lock_alert, refresh_due
from youthsafe.core import audit, kernel
from youthsafe.core.kernel import SYSTEM, label, now_or, require_text
from youthsafe.core.models import AuditAction, Jurisdiction, StatusChange, User
from youthsafe.core.roles import Permission, Role
from youthsafe.detection.engine import ScanResult
from youthsafe.pipeline.models import Post, ScanRecord

log = logging.getLogger(__name__)

WELFARE = "W01"
# In a suicide-pact recruitment thread, a reply at level 3 ("强烈生存痛苦", regulatory-reference 6.1) or with a
# welfare signal answers the recruiter ("我也想一起"): its author is at risk. Lower replies (support, passers-by)
# are kept as context only.
JOINER_LEVEL = 3
# ...and so does a reply that asks to join ("带上我", "算我一个": the engine's signal rule in rules/selfharm.yaml).
JOIN_SIGNAL = "A07.ctx.join"


@dataclass(frozen=True)
class _Finding:
    level: int
    recruitment: bool
    welfare: bool
    categories: list[str]
    joins: bool = False  # asks to join (JOIN_SIGNAL)


def opens_alert(level: int, recruitment: bool) -> bool:
    """The alert-level decision, in one place: a post opens an alert (or, in an open one, counts as a member)
    when its risk level reaches ``YOUTHSAFE_ALERT_LEVEL`` or it recruits for a group suicide. Ingestion uses it
    to pick the posts worth an alerting call, and ``youthsafe backfill diff`` to tell what a model version
    would open."""
    return min(max(int(level or 0), 0), 10) >= config.alert_level() or bool(recruitment)


def _finding(result: ScanResult) -> _Finding:
    level = min(max(int(result.risk_level or 0), 0), 10)
    categories = sorted({str(c.id) for c in (result.categories or []) if getattr(c, "flagged", False)})
    joins = any(r.rule_id == JOIN_SIGNAL for r in (result.rules_fired or []))
    return _Finding(level, bool(result.recruitment), bool(result.welfare) or WELFARE in categories, categories,
                    joins)  # fmt: skip


def on_post_scanned(
    post: Post, scan: ScanRecord, result: ScanResult, *, now: dt.datetime | None = None, fresh: bool = False
) -> Alert | None:
    """Open, join or ignore; returns the alert the post is in, or None. Idempotent; never raises.

    Runs inside the caller's transaction, in a savepoint: if anything fails, this step is rolled back alone,
    logged, and the post stays stored (the caller's work is never lost to an alerting bug). ``fresh`` says the
    caller inserted ``post`` in this very transaction, so it cannot be in an alert yet (ingestion passes it;
    it saves the replay check).
    """
    try:
        with transaction.atomic(), audit.dropped_on_error():
            alert = _on_post_scanned(post, scan, _finding(result), now_or(now), fresh=fresh)
    except Exception:  # the contract: ingestion must keep going on odd input; the failure is logged
        log.exception("alerting failed for post %s", getattr(post, "pk", None))
        return None
    batch = _batch.get()
    if alert is not None and batch is not None:  # its thread and author now have an open alert
        batch.open_threads.add(post.thread_key)
        batch.open_authors.add(post.author_key)
    return alert


@dataclass
class _Batch:
    """What ``locked`` knows for the posts of a batch: the alerting locks it holds, and which of the batch's
    threads and authors have an open alert (read once the locks were held, so no other writer can have
    added one since; kept up to date as the batch opens and joins alerts)."""

    held: frozenset[str]
    threads: frozenset[str]  # the batch's thread keys, looked up at once
    authors: frozenset[str]
    open_threads: set[str]
    open_authors: set[str]

    def may_have(self, *, thread: str = "", author: str = "") -> bool:
        """False only when the key was looked up and no open alert has it: its lookup can be skipped."""
        if thread:
            return thread not in self.threads or thread in self.open_threads
        return author not in self.authors or author in self.open_authors


_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("alerting_batch", default=None)


def _keys(post: Post) -> tuple[str, str]:
    return (f"t:{post.source_id}:{post.thread_key}" if post.thread_key else "",
            f"a:{post.source_id}:{post.author_key}" if post.author_key else "")


def _lock_keys(*keys: str) -> None:
    """Serialise alerting for the same thread or author across workers (PostgreSQL advisory locks, sorted so
    two workers never deadlock). SQLite's IMMEDIATE transactions already serialise all writers. Keys taken
    by ``locked`` for the batch are held already."""
    batch = _batch.get()
    held = batch.held if batch is not None else frozenset()
    wanted = sorted({k for k in keys if k and k not in held})
    if connection.vendor != "postgresql" or not wanted:
        return
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        # One round trip: the select list is evaluated left to right, so the locks are taken in sorted order.
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(["pg_advisory_xact_lock(%s, %s)"] * len(chunk)),
                           [arg for key in chunk for arg in (0x414C, zlib.crc32(key.encode()) - 2**31)])


@contextlib.contextmanager
def locked(posts: Iterable[Post]) -> Iterator[None]:
    """Take the alerting locks of all ``posts`` at once, in one sorted order, for a batch that alerts on them
    one by one inside one transaction (ingestion). Locking post by post would take them in input order, and
    two workers whose batches share authors could then deadlock; it also costs a query per post. The locks
    are held until the transaction ends, as each post's would be; use this inside that transaction.

    With the locks held, two queries find which of the batch's threads and authors have an open alert at all:
    no other writer can open or join one for them until this transaction ends, so a post whose thread and
    author have none skips its own lookups (most alarming posts: a new person, a new thread)."""
    posts = list(posts)
    keys = sorted({k for post in posts for k in _keys(post) if k})
    _lock_keys(*keys)
    threads = frozenset(p.thread_key for p in posts if p.thread_key)
    authors = frozenset(p.author_key for p in posts if p.author_key)
    open_threads = set(Alert.objects.filter(status__in=OPEN_STATUSES, thread_key__in=threads)
                       .values_list("thread_key", flat=True)) if threads else set()
    open_authors = set(AlertPerson.objects.filter(alert__status__in=OPEN_STATUSES, author_key__in=authors)
                       .values_list("author_key", flat=True)) if authors else set()
    outer = _batch.get()
    token = _batch.set(_Batch(held=frozenset(keys) | (outer.held if outer else frozenset()), threads=threads,
                              authors=authors, open_threads=open_threads, open_authors=open_authors))
    try:
        yield
    finally:
        _batch.reset(token)


def _candidates(post: Post, when: dt.datetime) -> tuple[Alert | None, Alert | None]:
    """The open alert of the same thread (same source) and of the same author within the window.

    Ingestion asks this for every alarming post, and most have no open alert at all: so each lookup first reads
    one indexed column of one table (the alert's thread, the person's pseudonym), which PostgreSQL plans and
    runs in a fraction of a millisecond, and only when that finds alerts does the join test their source."""
    recent = Alert.objects.filter(status__in=OPEN_STATUSES, last_post_at__gte=when - config.window())
    batch = _batch.get()
    by_thread = by_author = None
    if post.thread_key and (batch is None or batch.may_have(thread=post.thread_key)):
        ids = list(recent.filter(thread_key=post.thread_key).values_list("pk", flat=True))
        by_thread = _latest_of_source(ids, post.source_id)
    if post.author_key and by_thread is None and (batch is None or batch.may_have(author=post.author_key)):
        # the thread's alert wins; no need to look further
        ids = list(AlertPerson.objects.filter(author_key=post.author_key).values_list("alert_id", flat=True))
        by_author = _latest_of_source(list(recent.filter(pk__in=ids).values_list("pk", flat=True)) if ids else [],
                                      post.source_id)
    return by_thread, by_author


def _latest_of_source(ids: list[int], source_id: int) -> Alert | None:
    """Of the alerts ``ids``, the latest that holds a post of the source."""
    if not ids:
        return None
    same_source = Exists(AlertPost.objects.filter(alert=OuterRef("pk"), post__source_id=source_id))
    return Alert.objects.filter(same_source, pk__in=ids).order_by("-last_post_at", "-id").first()


def _on_post_scanned(post: Post, scan: ScanRecord, finding: _Finding, now: dt.datetime, *,
                     fresh: bool) -> Alert | None:
    _lock_keys(*_keys(post))
    if not fresh:
        existing = AlertPost.objects.filter(post=post).select_related("alert").first()
        if existing is not None:
            return existing.alert  # the same post again (replay, retry, re-scan): nothing changes
    opens = opens_alert(finding.level, finding.recruitment)
    when = post.posted_at or now
    by_thread, by_author = _candidates(post, when)
    target = by_thread or by_author
    if target is None:
        return _open(post, scan, finding, now, when) if opens else None
    in_thread = target == by_thread
    if opens:
        role = PostRole.MEMBER
    elif in_thread and target.recruitment and (finding.welfare or finding.joins or finding.level >= JOINER_LEVEL):
        # Someone answering a suicide-pact recruitment is at risk even when their words are mild
        # ("我也想一起"): a joiner, not context (regulatory-reference 6.3, L11).
        role = PostRole.MEMBER
    elif in_thread and target.recruitment:
        role = PostRole.CONTEXT
    else:
        return None
    return _join(target, post, scan, finding, role=role, now=now, when=when)


def _person_role(finding: _Finding, *, joining: bool) -> str:
    if finding.recruitment:
        return PersonRole.RECRUITER
    return PersonRole.JOINER if joining else PersonRole.AUTHOR


def _author(post: Post) -> str:
    return post.author_key or f"post-{post.pk}"  # an anonymous post still counts as one person


def _open(post: Post, scan: ScanRecord | None, finding: _Finding, now: dt.datetime, when: dt.datetime, *,
          actor: User | None = None, reason: str = "") -> Alert:
    """A new alert with its trigger post and person; ``actor`` when a reviewer opens it by hand."""
    bands = config.bands()
    alert = Alert(level=finding.level, categories=finding.categories, recruitment=finding.recruitment,
                  jurisdiction_id=post.jurisdiction_id, thread_key=post.thread_key, author_key=post.author_key,
                  opened_at=now, last_post_at=when, level_raised_at=now, opened_by=actor,
                  ack_due_at=workflow.ack_due(finding.level, now, bands), status=AlertStatus.NEW)
    alert.due_at = alert.ack_due_at
    if Post.jurisdiction.is_cached(post):
        alert.jurisdiction = post.jurisdiction  # already loaded by ingestion: no second read for audit/notify
    alert.save()
    AlertPost.objects.create(alert=alert, post=post, scan=scan, role=PostRole.TRIGGER, level=finding.level,
                             is_trigger=True, added_at=now)
    AlertPerson.objects.create(alert=alert, author_key=_author(post), max_level=finding.level,
                               role=_person_role(finding, joining=False), first_seen_at=when)
    audit.record(AuditAction.CREATE, actor=actor, actor_label=label(actor), obj=alert, jurisdiction=alert.jurisdiction,
                 after={"level": alert.level, "categories": alert.categories, "recruitment": alert.recruitment,
                        "post": post.pk}, reason=reason, at=now)
    if alert.level >= config.notify_level() or alert.recruitment:
        notifications.enqueue("new_alert", alert, roles=[Role.REVIEWER, Role.LEADER], place=alert.jurisdiction,
                              now=now)
    return alert


def _join(alert: Alert, post: Post, scan: ScanRecord, finding: _Finding, *, role: str, now: dt.datetime,
          when: dt.datetime) -> Alert:
    alert = lock_alert(alert)  # this row only, FOR NO KEY UPDATE: see kernel.lock
    AlertPost.objects.create(alert=alert, post=post, scan=scan, role=role, level=finding.level, added_at=now)
    before = {"level": alert.level, "categories": list(alert.categories)}
    if role == PostRole.MEMBER:
        _add_person(alert, post, finding, when)
        alert.categories = sorted(set(alert.categories) | set(finding.categories))
        alert.recruitment = alert.recruitment or finding.recruitment
        if finding.level > alert.level:
            _raise_level(alert, finding.level, now)
    alert.last_post_at = max(alert.last_post_at, when)
    alert.version += 1
    alert.save()
    audit.record(AuditAction.CHANGE, actor=None, actor_label=SYSTEM, obj=alert, jurisdiction=alert.jurisdiction,
                 before=before, after={"level": alert.level, "categories": alert.categories, "post": post.pk,
                                       "role": role}, at=now)
    return alert


def _add_person(alert: Alert, post: Post, finding: _Finding, when: dt.datetime) -> None:
    person, created = AlertPerson.objects.get_or_create(
        alert=alert, author_key=_author(post),
        defaults={"max_level": finding.level, "role": _person_role(finding, joining=True), "first_seen_at": when})
    if created:
        return
    person.max_level = max(person.max_level, finding.level)
    if finding.recruitment:
        person.role = PersonRole.RECRUITER
    person.save(update_fields=["max_level", "role"])


def _raise_level(alert: Alert, level: int, now: dt.datetime) -> None:
    """A higher level shortens the running clock (never lengthens it) and may notify at once."""
    crossed = alert.level < config.notify_level() <= level
    bands = config.bands()
    alert.level = level
    alert.level_raised_at = now
    if alert.status == AlertStatus.NEW:
        alert.ack_due_at = min(alert.ack_due_at, workflow.ack_due(level, now, bands))
    elif alert.status == AlertStatus.ACKNOWLEDGED and alert.act_due_at is not None:
        alert.act_due_at = min(alert.act_due_at, workflow.act_due(level, now, bands))
    refresh_due(alert)
    if crossed:
        notifications.enqueue("new_alert", alert, roles=[Role.REVIEWER, Role.LEADER], place=alert.jurisdiction,
                              now=now)


def _post_scope(post: Post, *args: Any, **kwargs: Any) -> Jurisdiction | None:
    return post.jurisdiction


@kernel.service(Permission.ALERT_REVIEW, scope=_post_scope)
def do_open_manual(post: Post, *, actor: User, level: int, reason: str, now: dt.datetime | None = None) -> Alert:
    """Open an alert by hand on a post the engine did not raise (a reviewer's judgement, a report from the
    public). ``level`` is the reviewer's; the post's stored scan keeps what the engine said. The alert starts
    at "new" like any other; who opened it and why are in its history row and its audit row."""
    text = require_text(reason)
    if not 0 <= int(level) <= 10:
        raise ValidationError({"level": [_("A risk level is a whole number from 0 to 10.")]})
    now = now_or(now)
    _lock_keys(*_keys(post))
    held = AlertPost.objects.filter(post=post).values_list("alert_id", flat=True).first()
    if held is not None:
        raise ValidationError(_("This post is already in alert #%(id)s.") % {"id": held})
    scan = ScanRecord.objects.filter(post=post).order_by("-id").first()
    categories = sorted(scan.categories) if scan is not None else []
    finding = _Finding(int(level), bool(scan and scan.recruitment), WELFARE in categories, categories)
    alert = _open(post, scan, finding, now, post.posted_at or now, actor=actor, reason=text)
    StatusChange.objects.create(machine=workflow.ALERT.name, object_id=alert.pk, from_status="",
                                to_status=AlertStatus.NEW, actor=actor, actor_label=label(actor), reason=text, at=now)
    return alert
