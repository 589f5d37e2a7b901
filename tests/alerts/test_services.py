"""Services: permissions and jurisdictions, the receiver's view, CAS claims and escalation, outcomes, labels."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.alerts.factories import RECRUIT, feed, scan_post, source
from tests.conftest import Tree
from youthsafe.alerts import exports, presenters, services
from youthsafe.alerts.models import Alert, AlertStatus, FollowUp, Notification, ReviewLabel
from youthsafe.alerts.services import on_post_scanned
from youthsafe.alerts.services.escalation import _escalate_alert
from youthsafe.core.models import AuditEvent, StatusChange, User

pytestmark = pytest.mark.django_db
LEVEL8 = "我已经买好了安眠药，今晚就走，再见了大家"


@pytest.fixture
def alert(tree: Tree) -> Alert:
    made = feed(source(tree.north), RECRUIT, author="r1", thread="t1")
    assert made is not None
    return made


def test_roles_and_jurisdictions(alert: Alert, tree: Tree, make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDenied):
        services.do_acknowledge(alert, actor=make_user("analyst", tree.north))  # analysts do not review
    with pytest.raises(PermissionDenied):
        services.do_acknowledge(alert, actor=make_user("reviewer", tree.south))  # sibling district
    with pytest.raises(PermissionDenied):
        services.do_dispatch(alert, actor=make_user("responder", tree.north), to=tree.other_city, shared_note="x")
    reviewer = make_user("reviewer", tree.north)
    done = services.do_acknowledge(alert, actor=reviewer, reason="已阅")
    assert done.status == AlertStatus.ACKNOWLEDGED
    assert done.claimed_by == reviewer
    assert StatusChange.objects.filter(machine="alert", object_id=alert.pk, to_status="acknowledged",
                                       actor=reviewer).exists()
    assert AuditEvent.objects.filter(object_type="alerts.alert", action="transition", object_id=str(alert.pk)).exists()
    with pytest.raises(ValidationError):
        services.do_close(alert, actor=reviewer, reason="  ")  # a reason is required
    with pytest.raises(ValidationError):
        services.do_reopen(alert, actor=reviewer, reason="x")  # acknowledged cannot be reopened


def test_cross_city_dispatch_receiver_sees_only_what_was_shared(
    alert: Alert, tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    reviewer = make_user("reviewer", tree.north)
    services.do_claim(alert, actor=reviewer)
    services.do_request_identity(alert, actor=reviewer, legal_basis="《网络安全法》第28条", platform_name="微博")
    request = alert.identity_requests.get()
    services.do_record_identity_response(request, actor=reviewer, response="账号实名：张某某 13800000000")
    services.do_dispatch(alert, actor=reviewer, to=tree.other_city, shared_note="请海州核查，疑似中学生")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISPATCHED
    assert alert.due_at == alert.dispatches.get().ack_due_at
    responder = make_user("responder", tree.other_city)
    assert Alert.objects.visible_to(responder).filter(pk=alert.pk).exists()
    assert not Alert.objects.owned_by(responder).filter(pk=alert.pk).exists()
    shared = presenters.shared_view(alert, responder)
    text = json.dumps(shared, default=str, ensure_ascii=False)
    assert "请海州核查" in text
    assert "张某某" not in text
    assert reviewer.username not in text
    page = login(responder).get(f"/alerts/{alert.pk}/").content.decode()
    assert "请海州核查" in page
    assert "张某某" not in page
    assert "《网络安全法》" not in page  # not even that an identity request exists
    assert reviewer.display_name not in page
    api = login(responder).get(f"/api/alerts/alerts/{alert.pk}").json()
    assert api["shared"] is True
    assert "identity_requests" not in api
    assert "张某某" not in json.dumps(api, ensure_ascii=False)
    # A third city's user sees nothing.
    stranger = make_user("responder", tree.south, username="south-responder")
    assert login(stranger).get(f"/alerts/{alert.pk}/").status_code == 404
    # The receiver acknowledges, records the outcome and resolves; it cannot close or re-dispatch.
    dispatch = alert.dispatches.get()
    services.do_acknowledge_dispatch(dispatch, actor=responder)
    services.do_record_outcome(alert, actor=responder, kind="reached_safe", note="已找到本人，安全", resolve=True)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert FollowUp.objects.filter(alert=alert).count() == 2
    with pytest.raises(PermissionDenied):
        services.do_dispatch(alert, actor=responder, to=tree.south, shared_note="x")


def test_claim_race_compare_and_swap(alert: Alert, tree: Tree, make_user: Callable[..., User]) -> None:
    first, second = make_user("reviewer", tree.north), make_user("reviewer", tree.city, username="rev2")
    version = alert.version  # both opened the page at this version
    services.do_claim(alert, actor=first, expected_version=version)
    with pytest.raises(services.ClaimRefused):
        services.do_claim(alert, actor=second, expected_version=version)
    with pytest.raises(services.ClaimRefused):
        services.do_claim(alert, actor=second)  # fresh version, but the claim is held
    alert.refresh_from_db()
    assert alert.claimed_by == first
    later = timezone.now() + dt.timedelta(minutes=31)
    services.do_claim(alert, actor=second, now=later)  # a stale claim may be taken over
    alert.refresh_from_db()
    assert alert.claimed_by == second
    leader = make_user("leader", tree.city)
    services.do_claim(alert, actor=leader, override=True)
    alert.refresh_from_db()
    assert alert.claimed_by == leader


def test_double_escalation_with_stale_versions(alert: Alert, tree: Tree, make_user: Callable[..., User]) -> None:
    later = timezone.now() + dt.timedelta(hours=2)
    stale = Alert.objects.get(pk=alert.pk)  # what a second job run read before the first one wrote
    report = services.escalate_overdue(later)
    assert report.alerts == [alert.pk]
    assert _escalate_alert(stale, later) is False  # CAS: version and escalated_at no longer match
    assert services.escalate_overdue(later).alerts == []
    assert AuditEvent.objects.filter(object_id=str(alert.pk), reason="overdue").count() == 1
    alert.refresh_from_db()
    assert alert.escalated_at == later
    # Acknowledging starts a new step with a new clock; when that is late too, it escalates again.
    services.do_acknowledge(alert, actor=make_user("reviewer", tree.north), now=later)
    assert services.escalate_overdue(later + dt.timedelta(hours=5)).alerts == [alert.pk]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_escalation_runs_never_double_escalate(tree: Tree) -> None:
    if connection.vendor == "sqlite":
        # The test database is SQLite's shared-cache memory database, which locks whole tables instead of
        # queueing writers; the CAS itself is covered by the stale-version test above on every database.
        pytest.skip("real concurrent writers need PostgreSQL (or a file database)")
    made = feed(source(tree.north), RECRUIT, author="r9", thread="t9")
    assert made is not None
    later = timezone.now() + dt.timedelta(hours=2)
    results: list[list[int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.escalate_overdue(later).alerts)
        except BaseException as exc:  # reported below, with the test's own message
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 1]
    assert AuditEvent.objects.filter(object_id=str(made.pk), reason="overdue").count() == 1


def test_false_alarm_and_labels_feed_training(tmp_path: Path, tree: Tree, make_user: Callable[..., User]) -> None:
    src = source(tree.north)
    reviewer = make_user("reviewer", tree.north)
    for i in range(6):
        made = feed(src, f"{LEVEL8}{'。' * i}", author=f"a{i}", thread=f"t{i}")
        assert made is not None
        post = made.posts.get(is_trigger=True).post
        services.do_label_post(made, post, actor=reviewer, kind="level", value=str(6 + i % 4))
        services.do_label_post(made, post, actor=reviewer, kind="category", value="W01")
    quiet = feed(src, "这首歌唱的是我想死在你怀里", author="q", thread="q")
    if quiet is None:  # the engine may not open one; force a false alarm on a real alert instead
        quiet = Alert.objects.order_by("id").first()
    assert quiet is not None
    services.do_record_outcome(quiet, actor=reviewer, kind="false_alarm", note="歌词", resolve=True)
    assert ReviewLabel.objects.filter(note="false_alarm", value="0").exists()
    with pytest.raises(ValidationError):
        services.do_label_post(quiet, quiet.posts.first().post, actor=reviewer, kind="level", value="11")  # type: ignore[union-attr]
    out = tmp_path / "labels.jsonl"
    assert exports.write_labels(out, kind="level") == 6
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert all({"text", "label", "level"} <= set(x) for x in lines)
    assert any(x["level"] == 0 for x in lines)
    model = tmp_path / "model"
    done = subprocess.run([sys.executable, "-m", "youthsafe.cli", "model", "train", str(out), "--task", "risk-level",
                           "--text-field", "text", "--label-field", "level", "--out", str(model)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert any(model.iterdir())


def test_notifications_are_written_to_the_outbox(tree: Tree, make_user: Callable[..., User], settings: object) -> None:
    leader = make_user("leader", tree.city)
    leader.email = "leader@example.cn"
    leader.save()
    made = feed(source(tree.north), RECRUIT, author="n1", thread="n1")
    assert made is not None
    assert Notification.objects.filter(event="new_alert", target="leader@example.cn").exists()
    services.escalate_overdue(timezone.now() + dt.timedelta(hours=1))
    assert Notification.objects.filter(event="overdue", target="leader@example.cn", alert=made).exists()


def test_a_post_the_engine_did_not_raise_is_opened_by_hand(tree: Tree, make_user: Callable[..., User]) -> None:
    """The song lyric of the demo: the engine stays below the alert level; a reviewer opens the alert with a
    reason. The stored scan keeps what the engine said; the opening has its history row and its audit row."""
    src = source(tree.north)
    post, scan, result = scan_post(src, "这首歌唱的是“我想死在你怀里”", author="lyric", thread="lyric")
    assert on_post_scanned(post, scan, result) is None
    reviewer = make_user("reviewer", tree.north)
    with pytest.raises(PermissionDenied):
        services.do_open_manual(post, actor=make_user("responder", tree.north), level=6, reason="举报")
    with pytest.raises(PermissionDenied):
        services.do_open_manual(post, actor=make_user("reviewer", tree.south, username="south"), level=6, reason="x")
    with pytest.raises(ValidationError):
        services.do_open_manual(post, actor=reviewer, level=6, reason=" ")
    alert = services.do_open_manual(post, actor=reviewer, level=6, reason="网民举报，需核实")
    assert (alert.level, alert.status, alert.opened_by) == (6, AlertStatus.NEW, reviewer)
    scan.refresh_from_db()
    assert scan.risk_level == result.risk_level  # the engine's own answer, untouched
    assert alert.posts.get().scan == scan
    assert StatusChange.objects.filter(machine="alert", object_id=alert.pk, from_status="", to_status="new",
                                       actor=reviewer, reason="网民举报，需核实").exists()
    assert AuditEvent.objects.filter(object_type="alerts.alert", object_id=str(alert.pk), action="create",
                                     actor=reviewer).exists()
    with pytest.raises(ValidationError):
        services.do_open_manual(post, actor=reviewer, level=6, reason="again")  # one alert per post
