"""Every route of the supervision app for the shared access matrix (tests/core/test_access_matrix.py).

``make_objects`` creates, for the platform of district ``tree.north`` and for its sibling's platform: a plan,
a signed inspection with a failed item, a delivered order, a proposed sanction (by the administrator, so an
approver in the matrix is never the proposer), a security assessment with its report and a referral; and a
file of each kind the download routes serve (checklist evidence, an order's rectification evidence and refusal,
the assessment report, the interview record).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile

from tests.access import Route
from tests.conftest import Tree
from tests.supervision.factories import delivered_order, inspected, second_signer
from youthsafe.core.models import User
from youthsafe.core.referrals import ReferralRequest
from youthsafe.core.roles import Permission
from youthsafe.registry.models import Platform
from youthsafe.supervision import actions
from youthsafe.supervision.models import InspectionPlan
from youthsafe.supervision.services import assessments, inspections, interviews, orders, referrals, sanctions

P = Permission
S = "/supervision"
A = "/api/supervision"
_RECORD = {"inspection": "sv_inspection", "item": "sv_item", "order": "sv_order", "sanction": "sv_sanction",
           "assessment": "sv_assessment", "aitem": "sv_aitem", "referral": "sv_referral"}


def _html(name: str, path: str, permission: Permission, **kw: Any) -> Route:
    return Route(f"supervision:{name}", path, permission, **kw)


def _api(method: str, path: str, schema_path: str, permission: Permission, **kw: Any) -> Route:
    return Route(f"{method.upper()} {A}{schema_path}", f"{A}{path}", permission, method, **kw)


ROUTES: list[Route] = [
    _html("index", f"{S}/", P.SUPERVISION_VIEW),
    _html("plan_list", f"{S}/plans/", P.SUPERVISION_VIEW, lists=True),
    _html("plan_create", f"{S}/plans/new/", P.INSPECTION_PLAN),
    _html("calendar", f"{S}/calendar/", P.SUPERVISION_VIEW, lists=True),
    _html("inspection_list", f"{S}/inspections/", P.SUPERVISION_VIEW, lists=True),
    _html("inspection_create", f"{S}/inspections/new/", P.INSPECTION_CONDUCT),
    _html("inspection_detail", f"{S}/inspections/{{sv_inspection}}/", P.SUPERVISION_VIEW, scoped=True),
    _html("inspection_docx", f"{S}/inspections/{{sv_inspection}}/record.docx", P.SUPERVISION_VIEW, scoped=True),
    _html("inspection_pdf", f"{S}/inspections/{{sv_inspection}}/record.pdf", P.SUPERVISION_VIEW, scoped=True),
    _html("finding_list", f"{S}/findings/", P.SUPERVISION_VIEW, lists=True),
    _html("order_list", f"{S}/orders/", P.SUPERVISION_VIEW, lists=True),
    _html("order_create", f"{S}/orders/new/?inspection={{sv_inspection}}", P.ORDER_ISSUE, scoped=True),
    _html("order_detail", f"{S}/orders/{{sv_order}}/", P.SUPERVISION_VIEW, scoped=True),
    _html("notice_docx", f"{S}/orders/{{sv_order}}/notice.docx", P.SUPERVISION_VIEW, scoped=True),
    _html("notice_pdf", f"{S}/orders/{{sv_order}}/notice.pdf", P.SUPERVISION_VIEW, scoped=True),
    _html("sanction_create", f"{S}/orders/{{sv_order}}/sanction/", P.SANCTION_PROPOSE, scoped=True),
    _html("sanction_list", f"{S}/sanctions/", P.SUPERVISION_VIEW, lists=True),
    _html("sanction_detail", f"{S}/sanctions/{{sv_sanction}}/", P.SUPERVISION_VIEW, scoped=True),
    _html("assessment_list", f"{S}/assessments/", P.SUPERVISION_VIEW, lists=True),
    _html("assessment_create", f"{S}/assessments/new/", P.ASSESSMENT_REVIEW),
    _html("assessment_detail", f"{S}/assessments/{{sv_assessment}}/", P.SUPERVISION_VIEW, scoped=True),
    _html("interview_list", f"{S}/interviews/", P.SUPERVISION_VIEW, lists=True),
    _html("interview_create", f"{S}/interviews/new/", P.ORDER_ISSUE),
    _html("interview_detail", f"{S}/interviews/{{sv_interview}}/", P.SUPERVISION_VIEW, scoped=True),
    _html("evidence_file", f"{S}/evidence/{{sv_evidence}}/file", P.EVIDENCE_DOWNLOAD, scoped=True),
    _html("rectification_file", f"{S}/orders/{{sv_file_order}}/rectification-file", P.EVIDENCE_DOWNLOAD,
          scoped=True),
    _html("refusal_file", f"{S}/orders/{{sv_file_order}}/refusal-file", P.EVIDENCE_DOWNLOAD, scoped=True),
    _html("assessment_report_file", f"{S}/assessments/{{sv_assessment}}/report-file", P.EVIDENCE_DOWNLOAD,
          scoped=True),
    _html("interview_file", f"{S}/interviews/{{sv_interview}}/file", P.EVIDENCE_DOWNLOAD, scoped=True),
    _html("referral_list", f"{S}/referrals/", P.SUPERVISION_VIEW, lists=True),
    _html("referral_detail", f"{S}/referrals/{{sv_referral}}/", P.SUPERVISION_VIEW, scoped=True),
    *(_html(name, f"{S}/step/{name}/{{{_RECORD[a.model]}}}/", a.permission, scoped=True)
      for name, a in actions.ACTIONS.items()),
    _api("get", "/inspections", "/inspections", P.SUPERVISION_VIEW, lists=True),
    _api("get", "/inspections/{sv_inspection}", "/inspections/{inspection_id}", P.SUPERVISION_VIEW, scoped=True),
    _api("get", "/orders", "/orders", P.SUPERVISION_VIEW, lists=True),
    _api("get", "/orders/{sv_order}", "/orders/{order_id}", P.SUPERVISION_VIEW, scoped=True),
    _api("get", "/sanctions", "/sanctions", P.SUPERVISION_VIEW, lists=True),
    _api("get", "/sanctions/{sv_sanction}", "/sanctions/{sanction_id}", P.SUPERVISION_VIEW, scoped=True),
    _api("get", "/interviews", "/interviews", P.SUPERVISION_VIEW, lists=True),
    _api("get", "/interviews/{sv_interview}", "/interviews/{interview_id}", P.SUPERVISION_VIEW, scoped=True),
    _api("post", "/platforms/{platform}/interviews", "/platforms/{platform_id}/interviews", P.ORDER_ISSUE,
         scoped=True, body='{"kind": "R1", "held_on": "2026-03-02", "attendees": "安全负责人", "matters": "风险提示"}'),
    _api("post", "/sanctions/{sv_sanction}/decision", "/sanctions/{sanction_id}/decision", P.SANCTION_APPROVE,
         scoped=True, body='{"approve": true, "note": "同意"}'),
]


def _records(platform: Platform, admin: User) -> dict[str, int]:
    place = platform.jurisdiction
    InspectionPlan.objects.create(name=f"{platform.name}季度检查", jurisdiction=place, interval_months=3,
                                  start_date=dt.date(2026, 1, 1))
    signed = inspected(platform, admin, second_signer(place))
    order = delivered_order(signed, admin)
    order.refresh_from_db()
    sanction = sanctions.do_propose(order, actor=admin, kind="warning", statute="条例第五十六条", reason="警告")
    going = inspections.do_create_inspection(platform, actor=admin, inspected_on=dt.date(2026, 3, 5))
    evidence = inspections.do_add_evidence(going.items.first(), actor=admin,  # type: ignore[arg-type]
                                           upload=ContentFile(b"\x89PNG\r\n\x1a\n matrix", name="截图.png"))
    with_files = delivered_order(signed, admin)  # the platform's evidence, then the refusal, each with a file
    orders.do_receive_evidence(with_files, actor=admin, evidence_on=dt.date(2026, 3, 4), text="已整改",
                               upload=ContentFile(b"%PDF-1.4 rectified", name="整改报告.pdf"))
    orders.do_record_refusal(with_files, actor=admin, refused_on=dt.date(2026, 3, 6), evidence="拒不改正",
                             upload=ContentFile(b"%PDF-1.4 refusal", name="答复.pdf"))
    assessment = assessments.do_request(platform, actor=admin, trigger="T5", requested_on=dt.date(2026, 3, 1))
    assessments.do_receive_report(assessment, actor=admin, received_on=dt.date(2026, 3, 3), summary="自评估",
                                  upload=ContentFile(b"%PDF-1.4 report", name="自评估报告.pdf"))
    interview = interviews.do_record_interview(platform, actor=admin, kind="R2", held_on=dt.date(2026, 3, 2),
                                               attendees="法定代表人", matters="未成年人模式缺失",
                                               upload=ContentFile(b"%PDF-1.4 talk", name="约谈笔录.pdf"))
    referral = referrals.file_referral(ReferralRequest(
        platform_id=platform.pk, kind="inspection", reason="多次未执行删除指令", source_label="有害信息 HI-1",
        source_url="", jurisdiction_id=place.pk), actor=admin)
    return {"sv_inspection": signed.pk, "sv_item": going.items.first().pk,  # type: ignore[union-attr]
            "sv_order": order.pk, "sv_sanction": sanction.pk, "sv_assessment": assessment.pk,
            "sv_aitem": assessment.items.first().pk, "sv_referral": referral.pk, "sv_interview": interview.pk,
            "sv_evidence": evidence.pk, "sv_file_order": with_files.pk}  # type: ignore[union-attr]


def make_objects(*, tree: Tree, admin: User, own: Platform, other: Platform) -> dict[str, int]:
    _records(other, admin)
    return _records(own, admin)
