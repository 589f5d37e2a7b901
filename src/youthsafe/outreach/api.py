"""The outreach JSON API, mounted at ``/api/outreach/`` (session auth, CSRF on unsafe methods)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from youthsafe.core.access import get_visible_or_404, jurisdictions_of, require
from youthsafe.core.inputrule import InputSchema
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.core.schemas import ErrorOut, window
from youthsafe.outreach import services
from youthsafe.outreach.models import TEXT_MAX_LENGTH, OutreachEvent

router = Router(tags=["outreach"])



_ERR: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

class MaterialIO(Schema):
    kind: str = Field(max_length=12)
    quantity: int


class EventOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    held_on: dt.date
    jurisdiction: int
    jurisdiction_name: str
    venue: str
    at_school: bool
    partner: str
    audience: int
    summary: str
    follow_up: str
    follow_up_due: dt.date | None
    materials: list[MaterialIO]


class EventIn(InputSchema):
    kind: str = Field(max_length=24)
    title: str = Field(max_length=200)
    held_on: dt.date
    jurisdiction: int
    held: bool = True
    venue: str = Field("", max_length=200)
    at_school: bool = False
    partner: str = Field("", max_length=200)
    audience: int = 0
    summary: str = Field("", max_length=TEXT_MAX_LENGTH["summary"])
    follow_up: str = Field("", max_length=TEXT_MAX_LENGTH["follow_up"])
    follow_up_due: dt.date | None = None
    materials: list[MaterialIO] = []


class EventFilter(InputSchema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str = Field("", max_length=24)
    status: str = Field("", max_length=12)
    jurisdiction: int | None = None
    limit: int = 200
    offset: int = 0


def _out(event: OutreachEvent) -> EventOut:
    return EventOut(
        id=event.pk, kind=event.kind, title=event.title, status=event.status, held_on=event.held_on,
        jurisdiction=event.jurisdiction_id, jurisdiction_name=event.jurisdiction.name, venue=event.venue,
        at_school=event.at_school, partner=event.partner, audience=event.audience, summary=event.summary,
        follow_up=event.follow_up, follow_up_due=event.follow_up_due,
        materials=[MaterialIO(kind=m.kind, quantity=m.quantity) for m in event.materials.all()])


def _user(request: HttpRequest, permission: Permission) -> User:
    return require(request.user, permission)


@router.get("/events", response={200: list[EventOut], **_ERR})
def list_events(request: HttpRequest, filters: Query[EventFilter]) -> list[EventOut]:
    """Events the caller may see, newest first; filter by date range, kind, status and jurisdiction subtree."""
    user = _user(request, Permission.OUTREACH_VIEW)
    date_from, date_to, kind, status = filters.date_from, filters.date_to, filters.kind, filters.status
    jurisdiction, limit, offset = filters.jurisdiction, filters.limit, filters.offset
    events = OutreachEvent.objects.visible_to(user).select_related("jurisdiction").prefetch_related("materials")
    if date_from:
        events = events.filter(held_on__gte=date_from)
    if date_to:
        events = events.filter(held_on__lte=date_to)
    if kind:
        events = events.filter(kind=kind)
    if status:
        events = events.filter(status=status)
    if jurisdiction is not None:
        place = jurisdictions_of(user).filter(pk=jurisdiction).first()
        events = events.filter(jurisdiction__path__startswith=place.path) if place else events.none()
    limit, offset = window(limit, offset, max_limit=1000)
    return [_out(e) for e in events[offset:offset + limit]]


@router.get("/events/{event_id}", response={200: EventOut, **_ERR})
def get_event(request: HttpRequest, event_id: int) -> EventOut:
    user = _user(request, Permission.OUTREACH_VIEW)
    return _out(get_visible_or_404(OutreachEvent.objects.select_related("jurisdiction"), user, pk=event_id))


@router.post("/events", response={201: EventOut, **_ERR})
def create_event(request: HttpRequest, payload: EventIn) -> Status[EventOut]:
    """Record an event (``held`` true: already held, with audience and materials)."""
    user = _user(request, Permission.OUTREACH_RECORD)
    place = jurisdictions_of(user, write=True).filter(pk=payload.jurisdiction).first()
    if place is None:
        raise ValidationError({"jurisdiction": [_("Choose a jurisdiction of yours.")]})
    data = payload.dict(exclude={"materials", "held"})
    data["jurisdiction"] = place
    materials: dict[str, int] = {}
    for m in payload.materials:
        materials[m.kind] = materials.get(m.kind, 0) + m.quantity
    event = services.do_create_event(actor=user, data=data, materials=materials, held=payload.held)
    return Status(201, _out(event))
