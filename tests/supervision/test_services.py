"""Supervision services: inspections, orders, sanctions, assessments; permissions, four eyes, nightly job."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client

from tests.conftest import Tree
from tests.supervision.factories import DAY, delivered_order, inspected, platform
from youthsafe.core.models import AuditEvent, StatusChange, User
from youthsafe.registry.controls import CONTROLS, controls_for
from youthsafe.registry.models import Platform
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import (
    Finding,
    InspectionPlan,
    OrderStatus,
    PlanOverdue,
    RectificationOrder,
    Sanction,
)
from youthsafe.supervision.services import assessments, inspections, nightly, orders, sanctions
from youthsafe.supervision.services.nightly import _flag_order

pytestmark = pytest.mark.django_db


def test_inspection_checklist_failed_item_becomes_a_finding_and_sign_off_numbers_it(
        target: Platform, people: dict[str, User]) -> None:
    made = inspected(target, people["analyst"])
    assert made.items.count() == len(CONTROLS)
    finding = Finding.objects.get(inspection=made)
    assert finding.severity == "high"
    assert finding.legal_basis == "Regulations Arts. 20, 43; Minors Protection Law Art. 74"
    with pytest.raises(PermissionDenied):
        inspections.do_sign(made, actor=people["analyst"])  # analysts conduct, leaders sign
    signed = inspections.do_sign(made, actor=people["leader"])
    assert signed.status == "signed"
    assert signed.number == "江网安检〔2026〕001号"
    with pytest.raises(ValidationError):
        inspections.do_record_item(signed, "CSL-21-LOGS", actor=people["analyst"], result="failed", note="x",
                                   severity="low")


@pytest.mark.parametrize("part", ["created", "checked an item", "added a finding", "added evidence", "submitted"])
def test_who_took_part_in_an_inspection_cannot_sign_it(
        tree: Tree, target: Platform, people: dict[str, User], make_user: Callable[..., User], part: str) -> None:
    """Issue 16: an administrator holds both the right to conduct and to sign; the same person may not do both
    on one inspection (four eyes, as for sanctions). Another administrator or a leader signs."""
    admin, other_admin = people["admin"], make_user("administrator", username="admin-2")
    conductor = admin if part == "created" else other_admin
    made = inspections.do_create_inspection(target, actor=conductor, inspected_on=DAY)
    open_ids = list(made.items.filter(result="unchecked").values_list("control_id", flat=True))
    for control_id in open_ids:
        actor = admin if part == "checked an item" and control_id == open_ids[0] else other_admin
        inspections.do_record_item(made, control_id, actor=actor, result="passed")
    if part == "added a finding":
        inspections.do_add_finding(made, actor=admin, severity="low", description="日志留存不足")
    if part == "added evidence":
        inspections.do_add_evidence(made.items.first(), actor=admin, note="截图见附件")
    inspections.do_complete(made, actor=admin if part == "submitted" else other_admin, summary="完成")
    with pytest.raises(ValidationError, match="took part"):
        inspections.do_sign(made, actor=admin)
    made.refresh_from_db()
    assert (made.status, made.signed_by, made.number) == ("completed", None, "")
    signed = inspections.do_sign(made, actor=people["leader"])
    assert (signed.status, signed.signed_by) == ("signed", people["leader"])


def test_the_page_of_an_inspection_does_not_offer_its_conductor_the_signature(
        tree: Tree, target: Platform, people: dict[str, User], make_user: Callable[..., User]) -> None:
    admin = people["admin"]
    made = inspected(target, admin)
    client = Client()
    client.force_login(admin)
    page = client.get(f"/supervision/inspections/{made.pk}/").content.decode()
    assert 'id="sign-by-another"' in page
    assert "/step/inspection_sign/" not in page
    refused = client.post(f"/supervision/step/inspection_sign/{made.pk}/")
    assert refused.status_code == 200
    assert "您参与了本次检查，不能签发" in refused.content.decode()  # the page speaks the user's language
    made.refresh_from_db()
    assert made.status == "completed"
    other = Client()
    other.force_login(make_user("administrator", username="admin-2"))
    assert "/step/inspection_sign/" in other.get(f"/supervision/inspections/{made.pk}/").content.decode()


def test_the_signer_who_sent_an_inspection_back_may_still_sign_it(target: Platform, people: dict[str, User]) -> None:
    made = inspected(target, people["analyst"])
    inspections.do_return(made, actor=people["leader"], reason="补充说明")
    inspections.do_complete(made, actor=people["analyst"], summary="已补充")
    assert inspections.do_sign(made, actor=people["leader"]).status == "signed"


def test_inspection_cannot_complete_with_unchecked_items_and_failed_items_need_a_note(
        target: Platform, people: dict[str, User]) -> None:
    made = inspections.do_create_inspection(target, actor=people["analyst"], inspected_on=DAY)
    unchecked = len(controls_for(target.kind))  # the others are pre-marked not applicable
    assert unchecked < len(CONTROLS)
    with pytest.raises(ValidationError, match=str(unchecked)):
        inspections.do_complete(made, actor=people["analyst"], summary="完成")
    with pytest.raises(ValidationError):
        inspections.do_record_item(made, "CSL-21-LOGS", actor=people["analyst"], result="failed", note="",
                                   severity="low")
    with pytest.raises(ValidationError):
        inspections.do_record_item(made, "CSL-21-LOGS", actor=people["analyst"], result="failed", note="日志缺失",
                                   severity="")
    inspections.do_record_item(made, "CSL-21-LOGS", actor=people["analyst"], result="failed", note="日志缺失",
                               severity="medium")
    assert Finding.objects.filter(inspection=made).count() == 1
    inspections.do_record_item(made, "CSL-21-LOGS", actor=people["analyst"], result="passed")
    assert Finding.objects.filter(inspection=made).count() == 0  # re-checked as passed: the finding goes
    inspections.do_record_item(made, "MP-10-AGE", actor=people["analyst"], result="na", note="无直播功能")
    assert inspections.do_pass_unchecked(made, actor=people["analyst"]) == unchecked - 2
    assert inspections.do_pass_unchecked(made, actor=people["analyst"]) == 0
    assert made.items.get(control_id="MP-10-AGE").result == "na"  # answered items are kept
    inspections.do_complete(made, actor=people["analyst"], summary="完成")


def test_other_jurisdiction_and_read_only_cannot_inspect(target: Platform, people: dict[str, User]) -> None:
    for who in ("analyst_south", "viewer"):
        with pytest.raises(PermissionDenied):
            inspections.do_create_inspection(target, actor=people[who], inspected_on=DAY)


def test_order_ladder_deadline_refusal_and_numbering(target: Platform, people: dict[str, User],
                                                     settings: object) -> None:
    made = inspected(target, people["analyst"], people["leader"])
    with pytest.raises(ValidationError):  # no period: at least one day
        orders.do_draft_order(target, actor=people["analyst"], inspection=made, problems="x", legal_basis="y",
                              period_days=0)
    order = delivered_order(made, people["analyst"], days=10)
    assert order.number == "江网安责改〔2026〕001号"
    assert order.deadline == DAY + dt.timedelta(days=10)
    assert list(order.findings.values_list("severity", flat=True)) == ["high"]
    second = delivered_order(made, people["analyst"])
    assert second.number == "江网安责改〔2026〕002号"
    assert second.period_days == 15  # the configured default
    with pytest.raises(ValidationError):  # a delivered order cannot be issued again
        orders.do_issue(order, actor=people["analyst"])
    refused = orders.do_record_refusal(order, actor=people["analyst"], refused_on=DAY + dt.timedelta(days=11),
                                       evidence="平台负责人书面表示不予整改")
    assert (refused.status, refused.stage, refused.refused) == ("refused", "R4", True)
    assert StatusChange.objects.filter(machine="order", object_id=order.pk).count() == 3


def test_configured_period_and_number_pattern(target: Platform, people: dict[str, User], settings: object) -> None:
    settings.YOUTHSAFE_SUPERVISION_RECTIFY_DAYS = "30"  # type: ignore[attr-defined]
    settings.YOUTHSAFE_SUPERVISION_NOTICE_NUMBER = "{org}责改字[{year}]第{seq}号"  # type: ignore[attr-defined]
    settings.YOUTHSAFE_SUPERVISION_ORG = "江公网安"  # type: ignore[attr-defined]
    made = inspected(target, people["analyst"], people["leader"])
    order = orders.do_draft_order(target, actor=people["analyst"], inspection=made, problems="x", legal_basis="y")
    assert order.period_days == 30
    assert orders.do_issue(order, actor=people["analyst"], issued_on=DAY).number == "江公网安责改字[2026]第1号"


def test_recheck_passes_or_sends_back(target: Platform, people: dict[str, User]) -> None:
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    orders.do_receive_evidence(order, actor=people["analyst"], evidence_on=DAY + dt.timedelta(days=3),
                               text="已上线消费限额功能")
    order.refresh_from_db()
    assert orders.recheck_due(order) == dt.date(2026, 3, 10)  # early request: 3 working days after the evidence
    back = orders.do_recheck(order, actor=people["analyst"], passed=False, result="仍可绕过",
                             recheck_on=DAY + dt.timedelta(days=5))
    assert back.status == "delivered"
    orders.do_receive_evidence(order, actor=people["analyst"], evidence_on=DAY + dt.timedelta(days=6), text="补充")
    done = orders.do_recheck(order, actor=people["analyst"], passed=True, result="已整改",
                             recheck_on=DAY + dt.timedelta(days=7))
    assert (done.status, done.stage) == ("rectified", "R0")


def _disconnection(order: RectificationOrder, user: User, end: dt.date = dt.date(2026, 6, 1)) -> Sanction:
    return sanctions.do_propose(order, actor=user, kind="disconnection", reason="逾期拒不改正",
                                statute="《计算机信息网络国际联网安全保护管理办法》第二十一条",
                                start_date=dt.date(2026, 4, 1), end_date=end)


def test_sanctions_need_the_refusal_and_four_eyes(target: Platform, people: dict[str, User]) -> None:
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    with pytest.raises(ValidationError, match="refusal"):
        _disconnection(order, people["analyst"])
    warning = sanctions.do_propose(order, actor=people["analyst"], kind="warning", statute="条例第五十六条",
                                   reason="警告")
    assert list(warning.findings.all()) == list(order.findings.all())
    orders.do_record_refusal(order, actor=people["analyst"], refused_on=DAY, evidence="拒绝整改的书面答复")
    order.refresh_from_db()
    with pytest.raises(ValidationError, match="6"):
        _disconnection(order, people["analyst"], end=dt.date(2026, 10, 2))
    proposed = _disconnection(order, people["analyst"])
    # Permission: analysts propose, only leaders/admins approve, never in another jurisdiction, never the proposer.
    for who in ("analyst", "viewer", "analyst_south", "leader_south"):
        with pytest.raises(PermissionDenied):
            sanctions.do_approve(proposed, actor=people[who])
    own = sanctions.do_propose(order, actor=people["admin"], kind="fine", statute="网络安全法第六十一条",
                               reason="罚款", amount=Decimal("50000"))
    with pytest.raises(PermissionDenied, match="proposed"):
        sanctions.do_approve(own, actor=people["admin"])
    with pytest.raises(ValidationError):  # approval before carrying out
        sanctions.do_carry_out(proposed, actor=people["analyst"], on=dt.date(2026, 4, 1))
    approved = sanctions.do_approve(proposed, actor=people["leader"], note="同意")
    assert (approved.status, approved.decided_by) == ("approved", people["leader"])
    order.refresh_from_db()
    assert order.stage == "R6"
    sanctions.do_carry_out(approved, actor=people["analyst"], on=dt.date(2026, 4, 1))
    target.refresh_from_db()
    assert target.status == "disconnected"
    lifted = sanctions.do_lift(approved, actor=people["analyst"], on=dt.date(2026, 6, 1), note="恢复联网")
    assert lifted.status == "lifted"
    target.refresh_from_db()
    assert target.status == "rectifying"
    assert sanctions.do_approve(own, actor=people["leader"]).status == "approved"


def test_criminal_referral_needs_the_refusal_not_just_serious(target: Platform, people: dict[str, User]) -> None:
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    with pytest.raises(ValidationError, match="refusal"):
        sanctions.do_propose(order, actor=people["analyst"], kind="criminal_referral", statute="刑法第二百八十六条之一",
                             reason="r", serious=True, receiving_organ="刑侦支队")
    serious = sanctions.do_propose(order, actor=people["analyst"], kind="website_shutdown", statute="条例第五十六条",
                                   reason="情节严重", serious=True, website="https://x.example.cn")
    assert sanctions.do_approve(serious, actor=people["leader"]).status == "approved"
    with pytest.raises(ValidationError):
        sanctions.do_propose(order, actor=people["analyst"], kind="app_removal", statute="s", reason="r",
                             serious=True, app_store="", app_id="")


def test_assessment_review_and_verdict(target: Platform, people: dict[str, User]) -> None:
    offline = platform(target.jurisdiction, people["admin"], name="离线工具", public_opinion=False)
    with pytest.raises(ValidationError):
        assessments.do_request(offline, actor=people["analyst"], trigger="T1", requested_on=DAY)
    assert assessments.do_request(offline, actor=people["analyst"], trigger="T5", requested_on=DAY).items.count() == 8
    made = assessments.do_request(target, actor=people["analyst"], trigger="T3", requested_on=DAY)
    with pytest.raises(ValidationError):
        assessments.do_review_item(made, "SA-1-RESPONSIBLE", actor=people["analyst"], result="passed")
    assessments.do_receive_report(made, actor=people["analyst"], received_on=DAY, summary="自评估报告")
    made.refresh_from_db()
    for item in made.items.all():
        assessments.do_review_item(made, item.control_id, actor=people["analyst"],
                                   result="failed" if item.control_id == "SA-3-LOGS" else "passed", note="日志仅30天")
    with pytest.raises(ValidationError):
        assessments.do_verdict(made, actor=people["analyst"], verdict="passed", note="通过", on=DAY)
    failed = assessments.do_verdict(made, actor=people["analyst"], verdict="failed", note="日志留存不足", on=DAY)
    assert failed.verdict_on == DAY
    order = orders.do_draft_order(target, actor=people["analyst"], assessment=failed, problems="日志留存不足六个月",
                                  legal_basis="《网络安全法》第二十一条")
    assert order.stage == "R3a"


def test_nightly_flags_overdue_orders_and_plans_once(target: Platform, people: dict[str, User], tree: Tree) -> None:
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"], days=10)
    assert order.deadline is not None
    on_deadline = nightly.run(today=order.deadline)
    assert on_deadline.orders == []  # the deadline day is still in time
    InspectionPlan.objects.create(name="教育平台季度检查", jurisdiction=tree.city, kind="education",
                                  interval_months=3, start_date=dt.date(2026, 1, 1))
    later = order.deadline + dt.timedelta(days=1)
    stale = RectificationOrder.objects.get(pk=order.pk)  # what a second run read before the first wrote
    first = nightly.run(today=later)
    assert first.orders == [order.pk]
    assert first.plans == []  # inspected (signed) on DAY: next due in June
    assert _flag_order(stale, later_dt := dt.datetime(2026, 3, 13, tzinfo=dt.UTC)) is False
    assert later_dt.year == 2026
    assert nightly.run(today=later).orders == []
    assert RectificationOrder.objects.get(pk=order.pk).status == OrderStatus.OVERDUE
    assert AuditEvent.objects.filter(object_type="supervision.rectificationorder", object_id=str(order.pk),
                                     reason="deadline passed").count() == 1
    june = nightly.run(today=dt.date(2026, 6, 3))
    assert [p for _, p in june.plans] == [target.pk]
    assert nightly.run(today=dt.date(2026, 6, 3)).plans == []
    assert PlanOverdue.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_nightly_runs_escalate_once(tree: Tree, make_user: Callable[..., User]) -> None:
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(connection.settings_dict["NAME"]):
        # SQLite's shared-cache memory database (the default test database) locks whole tables instead of
        # queueing writers; the CAS itself is covered by the stale-read test above on every database. A file
        # database (YOUTHSAFE_TEST_DATABASE_NAME=/tmp/ys-test.sqlite3) queues writers (IMMEDIATE) and runs it.
        pytest.skip("real concurrent writers need PostgreSQL or a file SQLite database")
    admin = make_user("administrator")
    leader = make_user("leader", username="leader2")
    order = delivered_order(inspected(platform(tree.north, admin), admin, leader), admin, days=5)
    assert order.deadline is not None
    later = order.deadline + dt.timedelta(days=2)
    results: list[list[int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            results.append(nightly.run(today=later).orders)
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
    assert StatusChange.objects.filter(machine="order", object_id=order.pk, to_status=wf.OVERDUE).count() == 1
