"""Retention limits: personal data past its period is redacted, once, with an audit row; nothing else moves."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone, translation

from tests.alerts.factories import RECRUIT, feed, scan_post, source
from tests.conftest import Tree
from youthsafe.alerts.models import Alert, AlertPerson, AlertPost, AlertStatus, IdentityRequest, Outcome, OutcomeKind
from youthsafe.core import retention
from youthsafe.core.models import AuditAction, AuditEvent
from youthsafe.pipeline.models import DeadLetter, Post, ScanRecord
from youthsafe.pipeline.services import ingest_batch

pytestmark = pytest.mark.django_db
NOW = timezone.now()
LONG_AGO = NOW - dt.timedelta(days=800)


def _age(post: Post, when: dt.datetime = LONG_AGO) -> None:
    Post.objects.filter(pk=post.pk).update(received_at=when)


def _closed_alert(tree: Tree, *, closed_at: dt.datetime, thread: str) -> Alert:
    alert = feed(source(tree.north), RECRUIT, author=f"a-{thread}", thread=thread)
    assert alert is not None
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.CLOSED, closed_at=closed_at)
    IdentityRequest.objects.create(alert=alert, legal_basis="《网络安全法》第28条", requested_at=LONG_AGO,
                                   response="账号实名：张某，手机 13800000000", status="answered")
    Outcome.objects.create(alert=alert, kind=OutcomeKind.REACHED_SAFE, note="在学校找到本人，已通知监护人",
                           recorded_at=closed_at)
    return alert


def test_old_posts_outside_alerts_are_redacted_and_the_row_stays(tree: Tree) -> None:
    src = source(tree.north)
    old, _, _ = scan_post(src, "我家住江北区东湖路8号，QQ 12345678", author="acct-1", external_id="old-1")
    recent, _, _ = scan_post(src, "今天数学课讲了函数", author="acct-2", external_id="new-1")
    Post.objects.filter(pk=old.pk).update(location_hint="江北区东湖路")
    _age(old)
    results = {r.rule.key: r.records for r in retention.run(now=NOW, only={"pipeline.unalerted_posts"})}
    assert results == {"pipeline.unalerted_posts": 1}
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.text, old.author_key, old.author_sealed, old.location_hint) == ("", "", "", "")
    assert old.purged_at is not None
    with translation.override("en"):
        assert "retention" in old.shown_text
    assert all(e["text"] == "" for e in ScanRecord.objects.get(post=old).result["evidence"])
    assert ScanRecord.objects.get(post=old).risk_level is not None  # scores stay for the statistics
    assert recent.text == "今天数学课讲了函数"
    assert recent.purged_at is None
    row = AuditEvent.objects.filter(action=AuditAction.PURGE).get()
    assert row.object_type == "pipeline.unalerted_posts"
    assert row.after is not None
    assert row.after["records"] == 1
    assert row.after["days"] == 180


def test_a_second_run_purges_nothing_and_writes_no_audit_row(tree: Tree) -> None:
    post, _, _ = scan_post(source(tree.north), "普通的帖子", author="x", external_id="p-1")
    _age(post)
    assert sum(r.records for r in retention.run(now=NOW)) == 1
    assert sum(r.records for r in retention.run(now=NOW)) == 0
    assert AuditEvent.objects.filter(action=AuditAction.PURGE).count() == 1


def test_dry_run_counts_and_changes_nothing(tree: Tree) -> None:
    post, _, _ = scan_post(source(tree.north), "普通的帖子", author="x", external_id="p-2")
    _age(post)
    out = StringIO()
    call_command("retention", "purge", "--dry-run", stdout=out)
    assert "pipeline.unalerted_posts" in out.getvalue()
    assert "would purge 1 record" in out.getvalue()
    post.refresh_from_db()
    assert post.text == "普通的帖子"
    assert not AuditEvent.objects.filter(action=AuditAction.PURGE).exists()


def test_open_alerts_keep_everything_whatever_their_age(tree: Tree) -> None:
    alert = feed(source(tree.north), RECRUIT, author="u1", thread="t-open")
    assert alert is not None
    for post in Post.objects.all():
        _age(post)
    Alert.objects.filter(pk=alert.pk).update(opened_at=LONG_AGO)
    assert sum(r.records for r in retention.run(now=NOW)) == 0
    assert Post.objects.get().text == RECRUIT


def test_closed_alerts_lose_posts_identities_and_notes_after_their_periods(tree: Tree) -> None:
    old = _closed_alert(tree, closed_at=LONG_AGO, thread="t-old")
    young = _closed_alert(tree, closed_at=NOW - dt.timedelta(days=10), thread="t-young")
    results = {r.rule.key: r.records for r in retention.run(now=NOW)}
    assert results["alerts.alert_posts"] == 1
    assert results["alerts.identity_responses"] == 1
    assert results["alerts.outcome_notes"] == 1
    old_post = Post.objects.get(pk__in=AlertPost.objects.filter(alert=old).values("post_id"))
    assert old_post.text == ""
    assert old_post.purged_at is not None
    assert IdentityRequest.objects.get(alert=old).response == ""
    assert Outcome.objects.get(alert=old).note == ""
    assert Outcome.objects.get(alert=old).kind == OutcomeKind.REACHED_SAFE  # the statistics keep the outcome
    assert AlertPerson.objects.get(alert=old).author_key.startswith("purged-")
    assert Post.objects.get(pk__in=AlertPost.objects.filter(alert=young).values("post_id")).text == RECRUIT
    assert IdentityRequest.objects.get(alert=young).response.startswith("账号实名")
    assert Alert.objects.count() == 2  # the alerts themselves stay


def test_dead_letter_payloads_are_emptied(tree: Tree) -> None:
    src = source(tree.north)
    ingest_batch(src, [{"id": "bad", "author": "acct-9"}], channel="file")  # no text: a dead letter
    letter = DeadLetter.objects.get()
    assert "acct-9" in letter.payload
    DeadLetter.objects.filter(pk=letter.pk).update(received_at=LONG_AGO)
    retention.run(now=NOW, only={"pipeline.dead_letters"})
    letter.refresh_from_db()
    assert letter.payload == ""
    assert letter.reason  # why it was rejected stays


def test_a_purged_post_replayed_is_still_a_duplicate(tree: Tree) -> None:
    src = source(tree.north)
    record = {"id": "replay-1", "text": "普通的帖子", "author": "acct-3"}
    ingest_batch(src, [record], channel="file")
    _age(Post.objects.get())
    retention.run(now=NOW)
    summary = ingest_batch(src, [record], channel="file")
    assert (summary.accepted, summary.duplicates) == (0, 1)
    assert Post.objects.get().text == ""


def test_periods_come_from_settings_and_a_misspelt_key_is_refused(tree: Tree) -> None:
    post, _, _ = scan_post(source(tree.north), "普通的帖子", author="x", external_id="p-3")
    _age(post, NOW - dt.timedelta(days=40))
    assert sum(r.records for r in retention.run(now=NOW)) == 0
    with override_settings(YOUTHSAFE_RETENTION_DAYS={"pipeline.unalerted_posts": 30}):
        assert sum(r.records for r in retention.run(now=NOW)) == 1
    with override_settings(YOUTHSAFE_RETENTION_DAYS={"pipeline.unalerted_post": 30}), \
            pytest.raises(ValueError, match="unknown kind"):
        retention.run(now=NOW)
    with override_settings(YOUTHSAFE_RETENTION_DAYS={"nope": 3}), pytest.raises(CommandError, match="nope"):
        call_command("retention", "list", stdout=StringIO())
