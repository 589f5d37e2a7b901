"""The gaps of the issue-5 audit: every ladder stage change goes through ``ladder_step`` and is in the history;
interviews and risk notes (R1/R2); the refusal's file; applicability of checklist items by platform kind;
joint-inspection filters; assessment report deadlines, cancelling, and orders only from failed assessments;
nightly flags for undelivered orders, late reports and sanction end dates; carrying out within the period."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import Tree
from tests.supervision.factories import DAY, delivered_order, inspected, platform
from youthsafe.core.models import AuditEvent, StatusChange, User
from youthsafe.registry.controls import CONTROLS, CONTROLS_BY_ID, controls_for
from youthsafe.registry.models import Platform
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.documents import CONTROL_ZH
from youthsafe.supervision.models import Assessment, InspectionPlan, PlatformStage, RectificationOrder
from youthsafe.supervision.services import (
    assessments,
    inspections,
    interviews,
    nightly,
    orders,
    sanctions,
)
from youthsafe.supervision.services.nightly import _flag_sanction
from youthsafe.supervision.views.common import history

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)


def _ladder(order: RectificationOrder) -> list[tuple[str, str]]:
    return list(StatusChange.objects.filter(machine="ladder", object_id=order.pk)
                .values_list("from_status", "to_status"))


# --- 1. the ladder ---------------------------------------------------------------------------------------------
def test_a_passing_recheck_at_r3_steps_to_r0_through_the_table_and_is_recorded(
        target: Platform, people: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> None:
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    assert order.stage == wf.R3
    orders.do_receive_evidence(order, actor=people["analyst"], evidence_on=DAY, text="已整改")
    seen: list[tuple[str, str]] = []
    real = wf.ladder_step

    def spy(current: str, target_stage: str, *, refused: bool, serious: bool) -> str:
        seen.append((current, target_stage))
        return real(current, target_stage, refused=refused, serious=serious)

    monkeypatch.setattr(wf, "ladder_step", spy)
    done = orders.do_recheck(order, actor=people["analyst"], passed=True, result="已整改", recheck_on=DAY)
    assert done.stage == wf.R0
    assert (wf.R3, wf.R0) in seen  # through the table, not set directly
    assert _ladder(order) == [(wf.R3, wf.R0)]
    assert AuditEvent.objects.filter(object_type="supervision.rectificationorder", object_id=str(order.pk),
                                     action="transition", after__stage=wf.R0).count() == 1


def test_a_stage_the_table_forbids_is_refused_and_changes_nothing(target: Platform, people: dict[str, User]) -> None:
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    RectificationOrder.objects.filter(pk=order.pk).update(stage=wf.R7)  # a closure: rectifying does not undo it
    orders.do_receive_evidence(order, actor=people["analyst"], evidence_on=DAY, text="已整改")
    done = orders.do_recheck(order, actor=people["analyst"], passed=True, result="已整改", recheck_on=DAY)
    assert (done.status, done.stage) == ("rectified", wf.R7)
    assert _ladder(order) == []
    with pytest.raises(wf.InvalidTransition):
        wf.ladder_step(wf.R7, wf.R0, refused=True, serious=True)


def test_failed_recheck_and_refusal_step_to_r4_once_and_sanctions_step_on(
        target: Platform, people: dict[str, User]) -> None:
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    orders.do_receive_evidence(order, actor=people["analyst"], evidence_on=DAY, text="部分整改")
    orders.do_recheck(order, actor=people["analyst"], passed=False, result="未整改", recheck_on=DAY)
    orders.do_record_refusal(order, actor=people["analyst"], refused_on=DAY, evidence="书面答复不予整改")
    order.refresh_from_db()
    assert order.stage == wf.R4
    fine = sanctions.do_propose(order, actor=people["analyst"], kind="fine", statute="网络安全法", reason="拒不改正",
                                amount=Decimal("10000"))
    sanctions.do_approve(fine, actor=people["leader"])
    assert _ladder(order) == [(wf.R3, wf.R4), (wf.R4, wf.R5)]
    shown = [h["to"] for h in history(("order", "ladder"), order.pk)]
    assert [s for s in shown if s in wf.LADDER.states] == [wf.R4, wf.R5]  # the order page shows the stage steps


# --- 2. interviews and risk notes -----------------------------------------------------------------------------
def test_risk_note_then_interview_move_the_platform_up_and_an_order_then_rectification_back(
        target: Platform, people: dict[str, User], tree: Tree) -> None:
    # Another platform's stage row first, so the target's stage row and the target itself have different ids:
    # the history must be kept under the platform's id, where its pages read it.
    other = platform(tree.north, people["admin"], name="另一平台")
    interviews.do_record_interview(other, actor=people["analyst"], kind="R1", held_on=DAY, attendees="a", matters="m")
    assert interviews.stage_of(target) == wf.R0
    note = interviews.do_record_interview(target, actor=people["analyst"], kind="R1", held_on=DAY,
                                          attendees="平台安全负责人", matters="日志留存不足")
    assert (note.stage_before, note.stage_after) == (wf.R0, wf.R1)
    upload = SimpleUploadedFile("约谈笔录.pdf", b"%PDF-1.4 interview")
    talk = interviews.do_record_interview(target, actor=people["analyst"], kind="R2", held_on=DAY,
                                          attendees="法定代表人张某；民警李某", matters="未成年人模式可被绕过",
                                          commitments="30日内整改", upload=upload)
    assert (talk.stage_before, talk.stage_after, talk.legal_basis) == (wf.R1, wf.R2, "《网络安全法》第五十六条")
    assert talk.sha256 == hashlib.sha256(b"%PDF-1.4 interview").hexdigest()
    again = interviews.do_record_interview(target, actor=people["analyst"], kind="R1", held_on=DAY,
                                           attendees="x", matters="复查提醒")
    assert again.stage_after == wf.R2  # a lower record never moves the platform down
    steps = list(StatusChange.objects.filter(machine="platform_ladder", object_id=target.pk)
                 .values_list("from_status", "to_status"))
    assert steps == [(wf.R0, wf.R1), (wf.R1, wf.R2)]
    assert AuditEvent.objects.filter(object_type="registry.platform", object_id=str(target.pk),
                                     action="transition").count() == 2
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    assert interviews.stage_of(target) == wf.R3
    orders.do_receive_evidence(order, actor=people["analyst"], evidence_on=DAY, text="已整改")
    orders.do_recheck(order, actor=people["analyst"], passed=True, result="已整改", recheck_on=DAY)
    assert interviews.stage_of(target) == wf.R0


def test_interview_needs_its_facts_and_the_permission(target: Platform, people: dict[str, User]) -> None:
    with pytest.raises(ValidationError):
        interviews.do_record_interview(target, actor=people["analyst"], kind="R2", held_on=DAY, attendees="",
                                       matters="m")
    with pytest.raises(ValidationError):
        interviews.do_record_interview(target, actor=people["analyst"], kind="R5", held_on=DAY, attendees="a",
                                       matters="m")
    for who in ("viewer", "analyst_south"):
        with pytest.raises(PermissionDenied):
            interviews.do_record_interview(target, actor=people[who], kind="R2", held_on=DAY, attendees="a",
                                           matters="m")
    assert not PlatformStage.objects.filter(platform=target, stage__in=[wf.R1, wf.R2]).exists()


def test_interview_page_and_api(target: Platform, people: dict[str, User], login: Callable[[User], Client]) -> None:
    client = login(people["analyst"])
    response = client.post("/supervision/interviews/new/", {
        "platform": target.pk, "kind": "R2", "held_on": DAY.isoformat(), "attendees": "法定代表人",
        "matters": "举报渠道不畅", "commitments": "", "legal_basis": "",
        "file": SimpleUploadedFile("笔录.txt", b"notes")})
    assert response.status_code == 302, response.content[:500]
    assert interviews.stage_of(target) == wf.R2
    assert "举报渠道不畅" in client.get("/supervision/interviews/").content.decode()
    api = client.post(f"/api/supervision/platforms/{target.pk}/interviews", content_type="application/json",
                      data={"kind": "R1", "held_on": DAY.isoformat(), "attendees": "安全负责人", "matters": "风险提示"})
    assert api.status_code == 201, api.content
    assert api.json()["stage_after"] == wf.R2
    assert client.get("/api/supervision/interviews").json()["count"] == 2
    south = login(people["analyst_south"])
    assert south.post(f"/api/supervision/platforms/{target.pk}/interviews", content_type="application/json",
                      data={"kind": "R1", "held_on": DAY.isoformat(), "attendees": "a",
                            "matters": "m"}).status_code == 404


# --- 3. the refusal's file ------------------------------------------------------------------------------------
def test_refusal_keeps_an_optional_file_with_its_sha256(target: Platform, people: dict[str, User],
                                                        login: Callable[[User], Client]) -> None:
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    body = b"%PDF-1.4 written refusal"
    response = login(people["analyst"]).post(f"/supervision/step/order_refuse/{order.pk}/", {
        "refused_on": DAY.isoformat(), "evidence": "书面答复不予整改",
        "file": SimpleUploadedFile("答复.pdf", body)})
    assert response.status_code == 302, response.content[:500]
    order.refresh_from_db()
    assert order.refusal_sha256 == hashlib.sha256(body).hexdigest()
    assert order.refusal_file_name == "答复.pdf"
    with order.refusal_file.open("rb") as handle:
        assert handle.read() == body
    event = AuditEvent.objects.filter(object_type="supervision.rectificationorder", object_id=str(order.pk),
                                      after__status="refused").get()
    assert event.after["refusal_sha256"] == order.refusal_sha256
    other = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    spoken = orders.do_record_refusal(other, actor=people["analyst"], refused_on=DAY, evidence="口头拒绝")
    assert spoken.refusal_sha256 == ""


# --- 4. checklist applicability -------------------------------------------------------------------------------
@pytest.mark.parametrize("control_id", ["CSL-46-ILLEGAL", "CSL-48-APPSTORE", "CSL-50-ORDERS", "REG-24-MARKETING",
                                        "REG-25-PUSH", "REG-29-HANDLING", "REG-38-HARM", "REG-42-ADDICTION",
                                        "REG-45-FANDOM", "REG-47-RATING"])
def test_the_audited_controls_are_in_the_catalogue_with_a_basis_and_chinese_name(control_id: str) -> None:
    control = CONTROLS_BY_ID[control_id]
    assert control.basis.split()[0] in {"CSL", "Regulations"}
    assert CONTROL_ZH[control_id]
    assert all(c.id in CONTROL_ZH for c in CONTROLS)


@pytest.mark.parametrize(("kind", "na"), [("education", {"CSL-48-APPSTORE", "REG-47-RATING"}),
                                           ("game", {"CSL-48-APPSTORE"}), ("app_store", {"REG-47-RATING"})])
def test_inspection_pre_marks_items_outside_the_platform_kind(tree: Tree, people: dict[str, User], kind: str,
                                                              na: set[str]) -> None:
    made = inspections.do_create_inspection(platform(tree.north, people["admin"], name=f"平台{kind}", kind=kind),
                                            actor=people["analyst"], inspected_on=DAY)
    assert made.items.count() == len(CONTROLS)
    assert set(made.items.filter(result="na").values_list("control_id", flat=True)) == na
    assert {c.id for c in CONTROLS} - {c.id for c in controls_for(kind)} == na
    assert all(i.note.startswith("Applies only to") for i in made.items.filter(result="na"))
    # The inspector decides: a pre-marked item can still be recorded.
    inspections.do_record_item(made, sorted(na)[0], actor=people["analyst"], result="passed")
    assert made.items.get(control_id=sorted(na)[0]).result == "passed"


# --- 5. joint inspections ---------------------------------------------------------------------------------------
def test_joint_filter_on_the_inspection_list_and_the_calendar(tree: Tree, target: Platform, people: dict[str, User],
                                                              login: Callable[[User], Client]) -> None:
    other = platform(tree.north, people["admin"], name="独立检查平台")
    inspections.do_create_inspection(target, actor=people["analyst"], inspected_on=DAY, joint_department="区教育局")
    inspections.do_create_inspection(other, actor=people["analyst"], inspected_on=DAY)
    client = login(people["analyst"])
    everything = client.get("/supervision/inspections/").content.decode()
    joint = client.get("/supervision/inspections/?joint=on").content.decode()
    assert "独立检查平台" in everything
    assert "独立检查平台" not in joint
    assert target.name in joint
    InspectionPlan.objects.create(name="联合计划", jurisdiction=tree.north, kind="education", interval_months=3,
                                  start_date=DAY, joint_department="区教育局")
    InspectionPlan.objects.create(name="自查计划", jurisdiction=tree.north, kind="education", interval_months=3,
                                  start_date=DAY)
    calendar_all = client.get("/supervision/calendar/").content.decode()
    calendar_joint = client.get("/supervision/calendar/?joint=1").content.decode()
    assert "自查计划" in calendar_all
    assert "自查计划" not in calendar_joint
    assert "联合计划" in calendar_joint


# --- 6. security assessments ------------------------------------------------------------------------------------
def test_report_due_from_configured_working_days_and_the_nightly_flag(target: Platform, people: dict[str, User],
                                                                      settings: object) -> None:
    made = assessments.do_request(target, actor=people["analyst"], trigger="T3", requested_on=DAY)  # a Monday
    assert made.report_due == wf.add_working_days(DAY, 30) == dt.date(2026, 4, 13)
    settings.YOUTHSAFE_SUPERVISION_ASSESSMENT_REPORT_WORKING_DAYS = "5"  # type: ignore[attr-defined]
    short = assessments.do_request(target, actor=people["analyst"], trigger="T3", requested_on=DAY)
    assert short.report_due == dt.date(2026, 3, 9)
    chosen = assessments.do_request(target, actor=people["analyst"], trigger="T1", requested_on=DAY,
                                    due_on=dt.date(2026, 3, 4))  # the go-live date
    assert chosen.report_due == dt.date(2026, 3, 4)
    with pytest.raises(ValidationError):
        assessments.do_request(target, actor=people["analyst"], trigger="T1", requested_on=DAY,
                               due_on=DAY - dt.timedelta(days=1))
    assert nightly.run(today=dt.date(2026, 3, 9), now=NOW).assessments == [chosen.pk]  # the due day is in time
    assert nightly.run(today=dt.date(2026, 3, 10), now=NOW).assessments == [short.pk]
    assert nightly.run(today=dt.date(2026, 3, 10), now=NOW).assessments == []
    assessments.do_receive_report(made, actor=people["analyst"], received_on=DAY, summary="报告")
    assert nightly.run(today=dt.date(2026, 5, 1), now=NOW).assessments == []  # received: nothing late
    assert AuditEvent.objects.filter(object_type="supervision.assessment", reason="report late").count() == 2


def test_cancel_only_while_waiting_and_orders_only_from_a_failed_assessment(
        target: Platform, people: dict[str, User]) -> None:
    waiting = assessments.do_request(target, actor=people["analyst"], trigger="T5", requested_on=DAY)
    with pytest.raises(ValidationError):
        assessments.do_cancel(waiting, actor=people["analyst"], reason="")
    assert assessments.do_cancel(waiting, actor=people["analyst"], reason="书面要求撤回").status == "cancelled"
    made = assessments.do_request(target, actor=people["analyst"], trigger="T3", requested_on=DAY)
    with pytest.raises(ValidationError, match="failed"):
        orders.do_draft_order(target, actor=people["analyst"], assessment=made, problems="p", legal_basis="b")
    assessments.do_receive_report(made, actor=people["analyst"], received_on=DAY, summary="报告")
    with pytest.raises(ValidationError):
        assessments.do_cancel(made, actor=people["analyst"], reason="r")  # received: the table has no cancel
    assessments.do_verdict(made, actor=people["analyst"], verdict="reassess", note="缺少日志项", on=DAY)
    made.refresh_from_db()
    assert made.report_due == wf.add_working_days(DAY, 30)
    assert assessments.do_cancel(made, actor=people["analyst"], reason="服务下线").status == "cancelled"
    assert Assessment.objects.filter(status="cancelled").count() == 2


# --- 7. nightly -------------------------------------------------------------------------------------------------
def test_nightly_flags_an_order_issued_and_not_delivered_once(target: Platform, people: dict[str, User],
                                                              settings: object) -> None:
    signed = inspected(target, people["analyst"], people["leader"])
    order = orders.do_draft_order(target, actor=people["analyst"], inspection=signed, problems="p", legal_basis="b")
    orders.do_issue(order, actor=people["analyst"], issued_on=DAY)
    settings.YOUTHSAFE_SUPERVISION_UNDELIVERED_DAYS = "3"  # type: ignore[attr-defined]
    assert nightly.run(today=DAY + dt.timedelta(days=3), now=NOW).undelivered == []  # the third day is in time
    stale = RectificationOrder.objects.get(pk=order.pk)
    assert nightly.run(today=DAY + dt.timedelta(days=4), now=NOW).undelivered == [order.pk]
    assert nightly._flag_undelivered(stale, NOW) is False  # a second run that read before the first wrote
    assert nightly.run(today=DAY + dt.timedelta(days=9), now=NOW).undelivered == []
    assert AuditEvent.objects.filter(object_type="supervision.rectificationorder", object_id=str(order.pk),
                                     reason="not delivered").count() == 1
    delivered = delivered_order(signed, people["analyst"])
    assert nightly.run(today=DAY + dt.timedelta(days=30), now=NOW).undelivered == []
    assert delivered.undelivered_flagged_at is None


def test_nightly_flags_a_disconnection_past_its_end_once(target: Platform, people: dict[str, User]) -> None:
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    orders.do_record_refusal(order, actor=people["analyst"], refused_on=DAY, evidence="拒绝")
    order.refresh_from_db()
    proposed = sanctions.do_propose(order, actor=people["analyst"], kind="disconnection", reason="拒不改正",
                                    statute="国际联网办法第二十一条", start_date=dt.date(2026, 4, 1),
                                    end_date=dt.date(2026, 6, 1))
    sanctions.do_approve(proposed, actor=people["leader"])
    sanctions.do_carry_out(proposed, actor=people["analyst"], on=dt.date(2026, 4, 1))
    assert nightly.run(today=dt.date(2026, 6, 1), now=NOW).sanctions == []  # the end day itself: not yet
    stale = type(proposed).objects.get(pk=proposed.pk)
    assert nightly.run(today=dt.date(2026, 6, 2), now=NOW).sanctions == [proposed.pk]
    assert _flag_sanction(stale, NOW) is False
    assert nightly.run(today=dt.date(2026, 6, 3), now=NOW).sanctions == []
    assert AuditEvent.objects.filter(object_type="supervision.sanction", object_id=str(proposed.pk),
                                     reason="end date reached").count() == 1


# --- 9. carrying out within the decided period -----------------------------------------------------------------
def test_a_disconnection_cannot_be_carried_out_after_its_end_date(target: Platform, people: dict[str, User]) -> None:
    order = delivered_order(inspected(target, people["analyst"], people["leader"]), people["analyst"])
    orders.do_record_refusal(order, actor=people["analyst"], refused_on=DAY, evidence="拒绝")
    order.refresh_from_db()
    proposed = sanctions.do_propose(order, actor=people["analyst"], kind="suspension", reason="拒不改正",
                                    statute="条例第五十六条", start_date=dt.date(2026, 4, 1),
                                    end_date=dt.date(2026, 5, 1))
    sanctions.do_approve(proposed, actor=people["leader"])
    with pytest.raises(ValidationError, match="2026-05-01"):
        sanctions.do_carry_out(proposed, actor=people["analyst"], on=dt.date(2026, 5, 2))
    proposed.refresh_from_db()
    assert proposed.status == "approved"
    assert sanctions.do_carry_out(proposed, actor=people["analyst"], on=dt.date(2026, 5, 1)).status == "in_effect"
