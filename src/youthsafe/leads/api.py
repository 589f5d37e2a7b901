"""The leads JSON API at ``/api/leads/`` (session auth, CSRF on unsafe methods)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from youthsafe.core.access import get_visible_or_404, jurisdictions_of, require
from youthsafe.core.inputrule import InputSchema
from youthsafe.core.roles import Permission as Perm
from youthsafe.core.schemas import ErrorOut, window
from youthsafe.leads import services
from youthsafe.leads.models import Case, Lead, LeadSource
from youthsafe.registry.models import Platform

router = Router(tags=["leads"])




_ERR: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class LeadOut(Schema):
    id: int
    reference: str
    jurisdiction: str
    source: str
    title: str
    status: str
    received_at: dt.datetime
    reported_upward_at: dt.datetime | None
    platform: str | None
    content_items: list[int]


class LeadIn(InputSchema):
    jurisdiction: int
    source: LeadSource
    title: str = Field(min_length=1, max_length=200, pattern=r"\S")
    summary: str = Field(min_length=1, max_length=5000, pattern=r"\S")
    source_detail: str = Field("", max_length=200)
    platform: int | None = None


def _out(lead: Lead) -> LeadOut:
    return LeadOut(id=lead.pk, reference=lead.reference, jurisdiction=lead.jurisdiction.name, source=lead.source,
                   title=lead.title, status=lead.status, received_at=lead.received_at,
                   reported_upward_at=lead.reported_upward_at,
                   platform=lead.platform.name if lead.platform else None,
                   content_items=[i.pk for i in lead.content_items.all()])


@router.get("/leads", response={200: list[LeadOut], **_ERR})
def list_leads(request: HttpRequest, status: str = "", limit: int = 100,
               offset: int = 0) -> list[LeadOut]:
    user = require(request.user, Perm.LEAD_VIEW)
    limit, offset = window(limit, offset)
    qs = Lead.objects.visible_to(user).select_related("jurisdiction", "platform").prefetch_related("content_items")
    if status:
        qs = qs.filter(status=status)
    return [_out(lead) for lead in qs[offset:offset + limit]]


@router.get("/leads/{lead_id}", response={200: LeadOut, **_ERR})
def get_lead(request: HttpRequest, lead_id: int) -> LeadOut:
    user = require(request.user, Perm.LEAD_VIEW)
    return _out(get_visible_or_404(Lead.objects.select_related("jurisdiction", "platform"), user, pk=lead_id))


@router.post("/leads", response={201: LeadOut, **_ERR})
def create_lead(request: HttpRequest, payload: LeadIn) -> Status[Any]:
    user = require(request.user, Perm.LEAD_HANDLE)
    place = jurisdictions_of(user, write=True).filter(pk=payload.jurisdiction).first()
    if place is None:
        raise ValidationError({"jurisdiction": ["Unknown jurisdiction or outside yours."]})
    platform = None
    if payload.platform is not None:
        platform = Platform.objects.filter(pk=payload.platform).first()
        if platform is None:
            raise ValidationError({"platform": ["Unknown platform."]})
    lead = services.do_create_lead({"jurisdiction": place, "source": payload.source, "title": payload.title,
                                    "summary": payload.summary, "source_detail": payload.source_detail,
                                    "platform": platform}, actor=user)
    return Status(201, _out(lead))


class CaseOut(Schema):
    id: int
    reference: str
    title: str
    platform: str
    check_status: str
    check_reference: str
    opened_at: dt.datetime
    lead: int | None


@router.get("/cases", response={200: list[CaseOut], **_ERR})
def list_cases(request: HttpRequest, limit: int = 100) -> list[CaseOut]:
    user = require(request.user, Perm.CASE_VIEW)
    limit, _offset = window(limit, 0)
    qs = Case.objects.visible_to(user).select_related("platform")
    return [CaseOut(id=c.pk, reference=c.reference, title=c.title, platform=c.platform.name,
                    check_status=c.check_status, check_reference=c.check_reference, opened_at=c.opened_at,
                    lead=c.lead_id) for c in qs[:limit]]
