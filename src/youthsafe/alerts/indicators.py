"""Early-warning figures: warnings issued (by level), people at risk, people and minors reached and safe.

A warning counts in the period its alert was opened. "Reached and safe" counts the people at risk of alerts
opened in the period whose alert has the outcome "reached and safe", so "8 warnings, of which 4 minors
reached and safe" reads off the same alerts. A minor is a person a reviewer marked with the age band
"minor" (AlertPerson.age_band); nothing else about the person is counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youthsafe.alerts.models import OPEN_STATUSES, AgeBand, Alert, AlertPerson, Outcome, OutcomeKind
from youthsafe.core.indicators import Indicator, OpenWork
from youthsafe.core.roles import Permission


def _levels() -> dict[str, str]:
    return {str(level): f"L{level}" for level in range(10, -1, -1)}


def _reached_safe_people() -> models.QuerySet[Any]:
    safe = Outcome.objects.filter(kind=OutcomeKind.REACHED_SAFE).values("alert_id")
    return AlertPerson.objects.filter(alert_id__in=safe)


INDICATORS: list[Indicator] = [
    Indicator(
        key="warnings_issued", label=_("Warnings issued"), order=10, unit=_("alert incidents"),
        definition=_("Early-warning alerts opened in the period (a thread with several people at risk is one "
                     "alert), by highest risk level."),
        records=Alert.objects.all, date_field="opened_at", permission=Permission.ALERT_VIEW,
        breakdown="level", breakdown_labels=_levels, detail_url="alerts:detail"),
    Indicator(
        key="people_at_risk", label=_("People at risk in warnings"), order=20, unit=_("people"),
        definition=_("People at risk (by pseudonym) in the alerts opened in the period."),
        records=AlertPerson.objects.all, date_field="alert__opened_at", jurisdiction_field="alert__jurisdiction",
        permission=Permission.ALERT_VIEW, detail_url="alerts:detail", detail_arg="alert_id"),
    Indicator(
        key="people_reached_safe", label=_("People reached and safe"), order=30, unit=_("people"),
        definition=_("People at risk in alerts opened in the period whose alert has the outcome "
                     "“reached and safe”."),
        records=_reached_safe_people, date_field="alert__opened_at", jurisdiction_field="alert__jurisdiction",
        permission=Permission.ALERT_VIEW, detail_url="alerts:detail", detail_arg="alert_id"),
    Indicator(
        key="minors_reached_safe", label=_("Minors reached and safe"), order=40, unit=_("people"),
        definition=_("Of the people reached and safe, those a reviewer marked as minors (under 18)."),
        records=lambda: _reached_safe_people().filter(age_band=AgeBand.MINOR), date_field="alert__opened_at",
        jurisdiction_field="alert__jurisdiction", permission=Permission.ALERT_VIEW, detail_url="alerts:detail",
        detail_arg="alert_id"),
]


# Breakdown by taxonomy category (reports.categories): an alert counts under each of its categories.
CATEGORY_BREAKDOWNS: dict[str, str] = {"warnings_issued": "categories"}


def _overdue(now: dt.datetime) -> Q:
    return Q(due_at__lt=now)


OPEN_WORK: list[OpenWork] = [
    OpenWork(key="alerts_open", label=_("Open early-warning alerts"),
             records=lambda: Alert.objects.filter(status__in=OPEN_STATUSES), overdue=_overdue,
             permission=Permission.ALERT_VIEW, list_url="alerts:index", overdue_url="alerts:escalated"),
]
