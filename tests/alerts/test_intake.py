"""``on_post_scanned``: opening, grouping a recruitment thread into one incident, idempotency, odd input."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.alerts.factories import RECRUIT, engine, feed, scan_post, source
from tests.conftest import Tree
from youthsafe.alerts.models import Alert, AlertPerson, AlertPost, Notification, PersonRole, PostRole
from youthsafe.alerts.services import on_post_scanned
from youthsafe.alerts.services.intake import locked
from youthsafe.core.kernel import lock
from youthsafe.core.models import AuditEvent, User
from youthsafe.pipeline.models import Post
from youthsafe.pipeline.pseudonym import author_key

pytestmark = pytest.mark.django_db


def test_recruitment_thread_and_replies_become_one_incident(tree: Tree) -> None:
    src = source(tree.north)
    first = feed(src, RECRUIT, author="u1", thread="t1")
    assert first is not None
    replies = [("u2", "我也想一起"), ("u3", "带我一个，我也不想活了"), ("u4", "我已经准备好安眠药了，今晚就走，带上我")]
    for author, text in replies:
        assert feed(src, text, author=author, thread="t1") == first
    feed(src, "路过，楼主加油", author="u5", thread="t1")  # context only, not a person at risk
    assert Alert.objects.count() == 1
    alert = Alert.objects.get()
    people = {p.author_key: p for p in alert.people.all()}
    keys = {name: author_key(src.name, name) for name in ("u1", "u2", "u3", "u4", "u5")}
    assert set(people) == {keys["u1"], keys["u2"], keys["u3"], keys["u4"]}
    assert people[keys["u1"]].role == PersonRole.RECRUITER
    assert people[keys["u1"]].max_level >= 6
    assert people[keys["u2"]].role == PersonRole.JOINER
    assert alert.recruitment
    assert alert.level == max(p.max_level for p in people.values())
    assert "A07" in alert.categories
    roles = list(alert.posts.order_by("id").values_list("role", flat=True))
    assert roles[0] == PostRole.TRIGGER
    assert roles[-1] == PostRole.CONTEXT
    trigger = alert.posts.get(is_trigger=True)
    assert trigger.scan is not None
    assert any(e["text"] for e in trigger.scan.result["evidence"])
    assert alert.jurisdiction == tree.north


def test_same_post_twice_changes_nothing(tree: Tree) -> None:
    src = source(tree.north)
    post, scan, result = scan_post(src, RECRUIT, author="u1", thread="t1")
    alert = on_post_scanned(post, scan, result)
    audit_rows = AuditEvent.objects.count()
    version = Alert.objects.get().version
    assert on_post_scanned(post, scan, result) == alert
    assert Alert.objects.count() == 1
    assert AlertPost.objects.count() == 1
    assert AuditEvent.objects.count() == audit_rows
    assert Alert.objects.get().version == version


def test_below_level_opens_nothing_and_same_author_joins(tree: Tree) -> None:
    src = source(tree.north)
    assert feed(src, "今天有点累", author="a") is None
    alert = feed(src, "我已经买好了安眠药，今晚就走，再见了大家", author="a")
    assert alert is not None
    again = feed(src, "刀片已经准备好，就今晚", author="a", thread="other")
    if again is not None:  # the second post reaches the level: it joins the author's open alert
        assert again == alert
    assert Alert.objects.count() == 1
    assert AlertPerson.objects.count() == 1


def test_author_window_and_closed_alerts_do_not_join(tree: Tree) -> None:
    src = source(tree.north)
    text = "我已经买好了安眠药，今晚就走，再见了大家"
    old = timezone.now() - dt.timedelta(days=10)
    first = feed(src, text, author="a", posted_at=old, now=old)
    second = feed(src, text + "。", author="a")
    assert first is not None
    assert second is not None
    assert first != second  # outside the 7-day window: a new incident


@override_settings(YOUTHSAFE_ALERT_LEVEL=9)
def test_level_setting_is_read(tree: Tree) -> None:
    src = source(tree.north)
    _post, _scan, result = scan_post(src, "x", author="a")
    result7 = replace(result, risk_level=7, recruitment=False)
    post, scan, _ = scan_post(src, "y", author="b", result=result7)
    assert on_post_scanned(post, scan, result7) is None
    result9 = replace(result, risk_level=9, recruitment=False)
    post, scan, _ = scan_post(src, "z", author="c", result=result9)
    alert = on_post_scanned(post, scan, result9)
    assert alert is not None
    assert alert.level == 9


def test_odd_input_never_raises(tree: Tree) -> None:
    src = source(tree.north)
    post, scan, result = scan_post(src, "", author="")
    bad = replace(result, risk_level=99, categories=None, recruitment=True)  # type: ignore[arg-type]
    alert = on_post_scanned(post, scan, bad)
    assert alert is not None
    assert alert.level == 10
    assert on_post_scanned(None, scan, result) is None  # type: ignore[arg-type]
    assert engine() is engine()


def test_opening_an_alert_has_a_query_budget(tree: Tree, make_user: Callable[..., User]) -> None:
    """Alerting is the costly step of ingestion (benchmarks/ingest_throughput.py): opening an alert, with its
    audit row and a notification to the reviewers, stays within a fixed number of queries."""
    src = source(tree.north)
    reviewer = make_user("reviewer", tree.city)
    reviewer.email = "reviewer@example.org"
    reviewer.save()
    post, scan, result = scan_post(src, RECRUIT, author="u1", thread="t-budget")
    post = Post.objects.select_related("jurisdiction").get(pk=post.pk)  # as ingestion holds it
    with CaptureQueriesContext(connection) as queries:
        alert = on_post_scanned(post, scan, result, fresh=True)
    assert alert is not None
    assert Notification.objects.filter(alert=alert, target="reviewer@example.org").exists()
    # savepoint 2, candidates 2, inserts 3, audit 2, recipients 1, outbox 1; PostgreSQL adds two advisory locks
    budget = 11 + (2 if connection.vendor == "postgresql" else 0)
    assert len(queries) <= budget, "\n".join(q["sql"][:120] for q in queries)


def test_a_batch_takes_its_alerting_locks_at_once_and_posts_reuse_them(tree: Tree) -> None:
    """Ingestion locks every thread and author of a batch in one sorted order (no deadlock between workers
    whose batches share authors in another order), and alerting post by post adds no lock query."""
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serialises every writer")
    src = source(tree.north)
    stored = [scan_post(src, RECRUIT, author=f"u{i}", thread=f"t-lock-{i}") for i in range(3)]
    posts = [Post.objects.select_related("jurisdiction").get(pk=post.pk) for post, _scan, _result in stored]

    def free(key: str) -> bool:
        with _other_connection() as other:
            row = other.execute("SELECT pg_try_advisory_xact_lock(%s, %s)",
                                [0x414C, zlib.crc32(key.encode()) - 2**31]).fetchone()
            return bool(row and row[0])

    with locked(posts[:2]):
        assert not free(f"a:{src.pk}:{posts[0].author_key}")
        assert not free(f"t:{src.pk}:{posts[1].thread_key}")
        assert free(f"a:{src.pk}:{posts[2].author_key}")  # not in the batch
        with CaptureQueriesContext(connection) as queries:
            opened = on_post_scanned(posts[0], stored[0][1], stored[0][2], fresh=True)
        assert opened is not None
        assert not [q for q in queries if "pg_advisory_xact_lock(16716" in q["sql"]]  # 0x414C: alerting
        # no open alert had its thread or author when the batch was locked: no lookups either
        assert not [q for q in queries if q["sql"].startswith("SELECT") and "alerts_" in q["sql"]]
        # a later post of the same author in the batch does look, and joins
        reply, scan, result = scan_post(src, "我也不想活了，带上我", author="u0", thread="t-lock-0")
        assert on_post_scanned(reply, scan, result, fresh=True) == opened
        with CaptureQueriesContext(connection) as queries:
            on_post_scanned(posts[2], stored[2][1], stored[2][2], fresh=True)
        assert [q for q in queries if "pg_advisory_xact_lock(16716" in q["sql"]]  # not in the set: locked itself



@pytest.mark.django_db(transaction=True)
def test_a_locked_alert_does_not_block_foreign_key_checks(tree: Tree) -> None:
    """Changing an alert locks its row FOR NO KEY UPDATE and nothing else: inserts that point at the alert or
    at its jurisdiction (their foreign-key checks take KEY SHARE, at commit) go on. With FOR UPDATE of the
    joined jurisdiction, two ingestion workers deadlocked against the audit chain lock."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises every writer")
    alert = feed(source(tree.north), RECRUIT, author="u1", thread="t-fk")
    assert alert is not None
    with transaction.atomic(), _other_connection() as other:
        lock(alert)
        # NOWAIT: fails at once (lock_not_available) where our lock would hold a foreign-key check up
        for table, pk in (("alerts_alert", alert.pk), ("core_jurisdiction", alert.jurisdiction_id)):
            assert other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE NOWAIT", [pk]).fetchone()
        assert other.execute("SELECT 1 FROM core_jurisdiction WHERE id = %s FOR UPDATE NOWAIT",
                             [alert.jurisdiction_id]).fetchone()  # not locked at all
        with pytest.raises(psycopg.errors.LockNotAvailable):  # while the alert is locked against a second change
            other.execute("SELECT 1 FROM alerts_alert WHERE id = %s FOR NO KEY UPDATE NOWAIT", [alert.pk])


def _other_connection() -> Any:
    """A second, independent session on the test database (to see the locks this test's session holds)."""
    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
                           dbname=settings["NAME"], autocommit=True)
