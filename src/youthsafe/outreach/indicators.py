"""Outreach figures: held events by kind, online campaigns, school lectures, parents' meetings, audience and
brochures handed out. Only held events count, on the day they were held."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youthsafe.core.indicators import Indicator, OpenWork
from youthsafe.core.roles import Permission
from youthsafe.outreach.models import EventKind, EventStatus, Material, MaterialKind, OutreachEvent

P = Permission.OUTREACH_VIEW


def held() -> models.QuerySet[Any]:
    return OutreachEvent.objects.filter(status=EventStatus.HELD)


def _kind(kind: str) -> Any:
    return lambda: held().filter(kind=kind)


def _brochures() -> models.QuerySet[Any]:
    return Material.objects.filter(kind=MaterialKind.BROCHURE, event__status=EventStatus.HELD)


def _kinds() -> dict[str, Any]:
    return dict(EventKind.choices)


_EVENT: dict[str, Any] = {"date_field": "held_on", "permission": P, "list_url": "outreach:index",
                          "detail_url": "outreach:detail"}

INDICATORS: list[Indicator] = [
    Indicator(key="outreach_events", label=_("Outreach events"), order=10, unit=_("events"),
              definition=_("Outreach events held in the period, by kind (planned and cancelled ones do not count)."),
              records=held, breakdown="kind", breakdown_labels=_kinds, **_EVENT),
    Indicator(key="online_campaigns", label=_("Online campaigns"), order=20, unit=_("campaigns"),
              definition=_("Online campaigns held in the period."),
              records=_kind(EventKind.ONLINE_CAMPAIGN), **_EVENT),
    Indicator(key="school_lectures", label=_("School lectures"), order=30, unit=_("lectures"),
              definition=_("Lectures held at schools in the period."),
              records=_kind(EventKind.SCHOOL_LECTURE), **_EVENT),
    Indicator(key="parents_meetings", label=_("Parents' meetings"), order=40, unit=_("meetings"),
              definition=_("Parents' meetings held in the period."),
              records=_kind(EventKind.PARENTS_MEETING), **_EVENT),
    Indicator(key="outreach_audience", label=_("People reached by outreach"), order=50, unit=_("people"),
              measure="sum", field="audience",
              definition=_("Sum of the audience of the events held in the period (for online campaigns and media "
                           "posts, the reach reported)."), records=held, breakdown="kind", breakdown_labels=_kinds,
              **_EVENT),
    Indicator(key="brochures", label=_("Brochures handed out"), order=60, unit=_("copies"),
              measure="sum", field="quantity",
              definition=_("Sum of the brochures handed out at the events held in the period."),
              records=_brochures, date_field="event__held_on", jurisdiction_field="event__jurisdiction",
              permission=P, detail_url="outreach:detail", detail_arg="event_id"),
]


def _late(now: dt.datetime) -> Q:
    today = timezone.localdate(now)
    return Q(status=EventStatus.PLANNED, held_on__lt=today) | Q(status=EventStatus.HELD, follow_up_due__lt=today)


OPEN_WORK: list[OpenWork] = [
    OpenWork(key="outreach_open", label=_("Outreach: planned events and follow-ups"),
             records=lambda: OutreachEvent.objects.filter(
                 Q(status=EventStatus.PLANNED)
                 | Q(status=EventStatus.HELD, follow_up_due__isnull=False, follow_up_done_at__isnull=True)),
             overdue=_late, permission=P, list_url="outreach:index"),
]
