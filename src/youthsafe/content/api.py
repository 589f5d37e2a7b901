"""The content JSON API at ``/api/content/``.

``POST /public/reports`` and ``GET /public/reports/{ack_number}`` need no account (reports from the public and
notices from platforms, DSA Art. 16 fields); they are rate limited per client. The rest needs a session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from youthsafe.content import services
from youthsafe.content.models import ContentItem, PublicReport
from youthsafe.core.access import get_visible_or_404, require
from youthsafe.core.inputrule import InputSchema
from youthsafe.core.roles import Permission as Perm
from youthsafe.core.schemas import ErrorOut, window

router = Router(tags=["content"])




_ERR: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

Reason = Literal["A01", "A02", "A03", "A04", "A06", "A07", "A09", "A11", "A15", "A16", "B08", "W01", "other"]


class ReportIn(InputSchema):
    reason: Reason
    location: str = Field(min_length=1, max_length=500, pattern=r"\S")
    explanation: str = Field(min_length=1, max_length=5000, pattern=r"\S")
    platform_name: str = Field("", max_length=200)
    contact: str = Field("", max_length=200)
    good_faith: bool
    reporter_kind: Literal["public", "platform"] = "public"


class ReportAck(Schema):
    ack_number: str
    status: str
    received_at: dt.datetime
    reply: str = ""


def _ack(report: PublicReport) -> ReportAck:
    return ReportAck(ack_number=report.ack_number, status=report.status, received_at=report.received_at,
                     reply=report.public_reply)


@router.post("/public/reports", auth=None, response={201: ReportAck, 422: ErrorOut, 429: ErrorOut})
def submit_report(request: HttpRequest, payload: ReportIn) -> Status[Any]:
    """File a report without an account. Contact details are dropped for reports of sexual content involving
    minors (A02). 429 when the client sent too many reports in the window."""
    if not payload.good_faith:
        return Status(422, {"detail": {"good_faith": ["The good-faith statement is required."]}})
    try:
        report = services.submit_report(payload.dict(), ip=services.client_ip(request.META))
    except services.RateLimited:
        return Status(429, {"detail": "Too many reports from this client; try again later."})
    return Status(201, _ack(report))


@router.get("/public/reports/{ack_number}", auth=None, response={200: ReportAck, 404: ErrorOut})
def lookup_report(request: HttpRequest, ack_number: str) -> Status[Any]:
    """The state of a report and the reply to the reporter, by acknowledgement number."""
    report = PublicReport.objects.filter(ack_number=ack_number.strip().upper()[:20]).first()
    if report is None:
        return Status(404, {"detail": "No report with this number."})
    return Status(200, _ack(report))


class ItemOut(Schema):
    id: int
    reference: str
    jurisdiction: str
    platform: str | None
    location: str
    categories: list[str]
    tier: str
    found_via: str
    status: str
    recorded_at: dt.datetime
    handled_at: dt.datetime | None
    handling: str
    group: int | None
    scan: dict[str, Any] | None


def _item(item: ContentItem) -> ItemOut:
    return ItemOut(id=item.pk, reference=item.reference, jurisdiction=item.jurisdiction.name,
                   platform=item.platform.name if item.platform else None, location=item.location,
                   categories=list(item.categories), tier=item.tier, found_via=item.found_via, status=item.status,
                   recorded_at=item.recorded_at, handled_at=item.handled_at, handling=item.handling,
                   group=item.group_id, scan=item.scan)


@router.get("/items", response={200: list[ItemOut], **_ERR})
def list_items(request: HttpRequest, status: str = "", limit: int = 100,
               offset: int = 0) -> list[ItemOut]:
    user = require(request.user, Perm.CONTENT_VIEW)
    limit, offset = window(limit, offset)
    qs = ContentItem.objects.visible_to(user).select_related("jurisdiction", "platform")
    if status:
        qs = qs.filter(status=status)
    return [_item(i) for i in qs[offset:offset + limit]]


@router.get("/items/{item_id}", response={200: ItemOut, **_ERR})
def get_item(request: HttpRequest, item_id: int) -> ItemOut:
    user = require(request.user, Perm.CONTENT_VIEW)
    return _item(get_visible_or_404(ContentItem.objects.select_related("jurisdiction", "platform"), user,
                                    pk=item_id))


class ReportOut(Schema):
    id: int
    ack_number: str
    reason: str
    location: str
    platform_name: str
    status: str
    received_at: dt.datetime


@router.get("/reports", response={200: list[ReportOut], **_ERR})
def list_reports(request: HttpRequest, status: str = "", limit: int = 100) -> list[ReportOut]:
    user = require(request.user, Perm.REPORT_TRIAGE)
    limit, _offset = window(limit, 0)
    qs = PublicReport.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    return [ReportOut(id=r.pk, ack_number=r.ack_number, reason=r.reason, location=r.location,
                      platform_name=r.platform_name, status=r.status,
                      received_at=r.received_at) for r in qs[:limit]]


