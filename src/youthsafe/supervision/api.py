"""The supervision JSON API, mounted at ``/api/supervision/``: inspections, rectification orders, sanctions and
interviews, read within the caller's jurisdictions (others answer 404 and never appear in lists), the sanction
decision (approve or reject) through the same service as the page, with its four-eyes check, and interviews or
risk notes recorded through the same service as the page (which moves the platform's ladder stage)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from youthsafe.core.access import get_visible_or_404, require
from youthsafe.core.inputrule import InputSchema
from youthsafe.core.roles import Permission
from youthsafe.core.schemas import MAX_ID, MAX_OFFSET, ErrorOut
from youthsafe.registry.models import Platform
from youthsafe.supervision.models import Inspection, Interview, RectificationOrder, Sanction
from youthsafe.supervision.services import interviews, sanctions

router = Router(tags=["supervision"])
P = Permission
_ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class Ref(Schema):
    id: int
    name: str


class ListQuery(InputSchema):
    status: str | None = Field(None, max_length=16)
    platform: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class InspectionItemOut(Schema):
    control_id: str
    result: str
    note: str


class FindingOut(Schema):
    id: int
    severity: str
    description: str
    legal_basis: str


class InspectionOut(Schema):
    id: int
    number: str
    platform: Ref
    jurisdiction: Ref
    status: str
    inspected_on: dt.date
    joint_department: str
    summary: str
    signed_by: str | None
    signed_at: dt.datetime | None
    items: list[InspectionItemOut] | None = None
    findings: list[FindingOut] | None = None


class OrderOut(Schema):
    id: int
    number: str
    platform: Ref
    jurisdiction: Ref
    inspection_id: int | None
    status: str
    stage: str
    problems: str
    legal_basis: str
    period_days: int
    issued_on: dt.date | None
    delivered_on: dt.date | None
    deadline: dt.date | None
    overdue_at: dt.datetime | None
    evidence_on: dt.date | None
    recheck_on: dt.date | None
    recheck_result: str
    refused_on: dt.date | None
    refusal_evidence: str
    refusal_sha256: str
    finding_ids: list[int]


class SanctionOut(Schema):
    id: int
    number: str
    order_id: int
    platform: Ref
    jurisdiction: Ref
    kind: str
    status: str
    statute: str
    reason: str
    serious: bool
    amount: Decimal | None
    start_date: dt.date | None
    end_date: dt.date | None
    app_store: str
    app_id: str
    website: str
    proposed_by: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    carried_out_on: dt.date | None
    finding_ids: list[int]


class Page(Schema):
    count: int
    limit: int
    offset: int


class InspectionPage(Page):
    items: list[InspectionOut]


class OrderPage(Page):
    items: list[OrderOut]


class SanctionPage(Page):
    items: list[SanctionOut]


class InterviewOut(Schema):
    id: int
    platform: Ref
    jurisdiction: Ref
    kind: str
    held_on: dt.date
    attendees: str
    matters: str
    commitments: str
    legal_basis: str
    stage_before: str
    stage_after: str
    recorded_by: str | None
    recorded_at: dt.datetime


class InterviewPage(Page):
    items: list[InterviewOut]


class InterviewIn(InputSchema):
    kind: str = Field(..., description="R1 (risk noted) or R2 (interview, 约谈)", max_length=4)
    held_on: dt.date
    attendees: str = Field(..., max_length=2000)
    matters: str = Field(..., max_length=10000)
    commitments: str = Field("", max_length=10000)
    legal_basis: str = Field("", max_length=200)


class DecisionIn(InputSchema):
    approve: bool
    note: str = Field("", max_length=2000)


def _ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "name": obj.name}


def _common(obj: Any) -> dict[str, Any]:
    return {"platform": _ref(obj.platform), "jurisdiction": _ref(obj.jurisdiction)}


def _inspection(i: Inspection, *, detail: bool = False) -> dict[str, Any]:
    data = {**_common(i), "id": i.pk, "number": i.number, "status": i.status, "inspected_on": i.inspected_on,
            "joint_department": i.joint_department, "summary": i.summary,
            "signed_by": str(i.signed_by) if i.signed_by else None, "signed_at": i.signed_at}
    if detail:
        data["items"] = [{"control_id": x.control_id, "result": x.result, "note": x.note} for x in i.items.all()]
        data["findings"] = [{"id": x.pk, "severity": x.severity, "description": x.description,
                             "legal_basis": x.legal_basis} for x in i.findings.all()]
    return data


_ORDER_FIELDS = ("number", "inspection_id", "status", "stage", "problems", "legal_basis", "period_days", "issued_on",
                 "delivered_on", "deadline", "overdue_at", "evidence_on", "recheck_on", "recheck_result", "refused_on",
                 "refusal_evidence", "refusal_sha256")
_SANCTION_FIELDS = ("number", "order_id", "kind", "status", "statute", "reason", "serious", "amount", "start_date",
                    "end_date", "app_store", "app_id", "website", "decided_at", "carried_out_on")


def _order(o: RectificationOrder) -> dict[str, Any]:
    return {**_common(o), "id": o.pk, **{f: getattr(o, f) for f in _ORDER_FIELDS},
            "finding_ids": [f.pk for f in o.findings.all()]}


def _sanction(s: Sanction) -> dict[str, Any]:
    return {**_common(s), "id": s.pk, **{f: getattr(s, f) for f in _SANCTION_FIELDS},
            "proposed_by": str(s.proposed_by) if s.proposed_by else None,
            "decided_by": str(s.decided_by) if s.decided_by else None,
            "finding_ids": [f.pk for f in s.findings.all()]}


_INTERVIEW_FIELDS = ("kind", "held_on", "attendees", "matters", "commitments", "legal_basis", "stage_before",
                     "stage_after", "recorded_at")


def _interview(i: Interview) -> dict[str, Any]:
    return {**_common(i), "id": i.pk, **{f: getattr(i, f) for f in _INTERVIEW_FIELDS},
            "recorded_by": str(i.recorded_by) if i.recorded_by else None}


def _page(qs: QuerySet[Any], q: ListQuery, render: Any) -> dict[str, Any]:
    if q.status:
        qs = qs.filter(status=q.status)
    if q.platform is not None:
        qs = qs.filter(platform_id=q.platform)
    return {"count": qs.count(), "limit": q.limit, "offset": q.offset,
            "items": [render(x) for x in qs[q.offset:q.offset + q.limit]]}


@router.get("/inspections", response={200: InspectionPage, **_ERRORS})
def list_inspections(request: HttpRequest, q: Query[ListQuery]) -> dict[str, Any]:
    """Inspections in the caller's jurisdictions, newest first."""
    user = require(request.user, P.SUPERVISION_VIEW)
    qs = Inspection.objects.visible_to(user).select_related("platform", "jurisdiction", "signed_by")
    return _page(qs, q, _inspection)


@router.get("/inspections/{inspection_id}", response={200: InspectionOut, **_ERRORS})
def get_inspection(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    """One inspection with its checklist and findings."""
    user = require(request.user, P.SUPERVISION_VIEW)
    inspection = get_visible_or_404(Inspection.objects.select_related("platform", "jurisdiction", "signed_by"),
                                    user, pk=inspection_id)
    return _inspection(inspection, detail=True)


@router.get("/orders", response={200: OrderPage, **_ERRORS})
def list_orders(request: HttpRequest, q: Query[ListQuery]) -> dict[str, Any]:
    """Rectification orders in the caller's jurisdictions."""
    user = require(request.user, P.SUPERVISION_VIEW)
    qs = RectificationOrder.objects.visible_to(user).select_related("platform", "jurisdiction").prefetch_related(
        "findings")
    return _page(qs, q, _order)


@router.get("/orders/{order_id}", response={200: OrderOut, **_ERRORS})
def get_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    user = require(request.user, P.SUPERVISION_VIEW)
    return _order(get_visible_or_404(RectificationOrder.objects.select_related("platform", "jurisdiction"), user,
                                     pk=order_id))


@router.get("/sanctions", response={200: SanctionPage, **_ERRORS})
def list_sanctions(request: HttpRequest, q: Query[ListQuery]) -> dict[str, Any]:
    """Sanctions in the caller's jurisdictions."""
    user = require(request.user, P.SUPERVISION_VIEW)
    qs = Sanction.objects.visible_to(user).select_related("platform", "jurisdiction", "proposed_by", "decided_by")
    return _page(qs.prefetch_related("findings"), q, _sanction)


@router.get("/sanctions/{sanction_id}", response={200: SanctionOut, **_ERRORS})
def get_sanction(request: HttpRequest, sanction_id: int) -> dict[str, Any]:
    user = require(request.user, P.SUPERVISION_VIEW)
    return _sanction(get_visible_or_404(Sanction.objects.select_related("platform", "jurisdiction"), user,
                                        pk=sanction_id))


@router.post("/sanctions/{sanction_id}/decision", response={200: SanctionOut, **_ERRORS})
def decide_sanction(request: HttpRequest, sanction_id: int, body: DecisionIn) -> dict[str, Any]:
    """Approve or reject a proposed sanction (leader or administrator, in the sanction's jurisdiction, never
    the proposer)."""
    user = require(request.user, P.SANCTION_APPROVE)
    sanction = get_visible_or_404(Sanction.objects.select_related("platform", "jurisdiction"), user, pk=sanction_id)
    if body.approve:
        done = sanctions.do_approve(sanction, actor=user, note=body.note)
    else:
        done = sanctions.do_reject(sanction, actor=user, note=body.note)
    return _sanction(done)


@router.get("/interviews", response={200: InterviewPage, **_ERRORS})
def list_interviews(request: HttpRequest, q: Query[ListQuery]) -> dict[str, Any]:
    """Risk notes (R1) and interviews (R2) in the caller's jurisdictions, newest first (``status`` is unused)."""
    user = require(request.user, P.SUPERVISION_VIEW)
    qs = Interview.objects.visible_to(user).select_related("platform", "jurisdiction", "recorded_by")
    return _page(qs, q.model_copy(update={"status": None}), _interview)


@router.get("/interviews/{interview_id}", response={200: InterviewOut, **_ERRORS})
def get_interview(request: HttpRequest, interview_id: int) -> dict[str, Any]:
    user = require(request.user, P.SUPERVISION_VIEW)
    return _interview(get_visible_or_404(Interview.objects.select_related("platform", "jurisdiction", "recorded_by"),
                                         user, pk=interview_id))


@router.post("/platforms/{platform_id}/interviews", response={201: InterviewOut, **_ERRORS})
def record_interview(request: HttpRequest, platform_id: int, body: InterviewIn) -> Status[dict[str, Any]]:
    """Record a risk note (R1) or an interview (R2) of a platform in the caller's jurisdictions; the platform's
    ladder stage moves up to it. A file is attached on the page."""
    user = require(request.user, P.ORDER_ISSUE)
    platform = get_visible_or_404(Platform.objects.select_related("jurisdiction"), user, pk=platform_id)
    made = interviews.do_record_interview(platform, actor=user, kind=body.kind, held_on=body.held_on,
                                          attendees=body.attendees, matters=body.matters,
                                          commitments=body.commitments, legal_basis=body.legal_basis)
    return Status(201, _interview(made))
