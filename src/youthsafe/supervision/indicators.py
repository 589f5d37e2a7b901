"""The supervision figures of the year's report, each defined once (core/indicators.py).

Inspections count when signed off, dated by the inspection date; sanctions count when carried out, dated by
the day they were carried out (a website shut, an app removed, a disconnection started); orders count when
issued, and as overdue on the day the nightly job flagged them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from youthsafe.core.indicators import Indicator, OpenWork
from youthsafe.core.roles import Permission
from youthsafe.supervision.models import (
    Assessment,
    AssessmentStatus,
    Finding,
    Inspection,
    InspectionStatus,
    OrderStatus,
    RectificationOrder,
    Sanction,
    SanctionKind,
)

P = Permission.SUPERVISION_VIEW


def _unit(word: str) -> Any:
    """The counting word of a figure (次, 个, 份...): the same English word takes different ones in Chinese."""
    return pgettext_lazy("unit", word)


def _signed() -> models.QuerySet[Any]:
    return Inspection.objects.filter(status=InspectionStatus.SIGNED)


def _findings() -> models.QuerySet[Any]:
    return Finding.objects.filter(inspection__status=InspectionStatus.SIGNED)


def _issued() -> models.QuerySet[Any]:
    return RectificationOrder.objects.filter(issued_on__isnull=False)


def _overdue() -> models.QuerySet[Any]:
    return RectificationOrder.objects.filter(overdue_at__isnull=False)


def _carried_out(kind: str) -> Any:
    def records() -> models.QuerySet[Any]:
        return Sanction.objects.filter(kind=kind, carried_out_on__isnull=False)

    return records


def _reviewed() -> models.QuerySet[Any]:
    return Assessment.objects.filter(status__in=[AssessmentStatus.PASSED, AssessmentStatus.FAILED])


INSPECTIONS = "supervision:inspection_list"
SANCTIONS = "supervision:sanction_list"
INDICATORS: list[Indicator] = [
    Indicator("inspections_done", _("Inspections done"), _("Inspections signed off, by inspection date."),
              _signed, "inspected_on", P, list_url=INSPECTIONS, unit=_unit("inspections"), order=10),
    Indicator("platforms_inspected", _("Platforms inspected"),
              _("Distinct platforms with a signed-off inspection in the period."), _signed, "inspected_on", P,
              measure="distinct", field="platform", list_url=INSPECTIONS, unit=_unit("platforms"), order=20),
    Indicator("findings", _("Problems found"), _("Findings of signed-off inspections, by inspection date."),
              _findings, "inspection__inspected_on", P, jurisdiction_field="inspection__jurisdiction",
              list_url="supervision:finding_list", unit=_unit("problems"), order=30),
    Indicator("orders_issued", _("Rectification orders issued"), _("Orders issued, by issue date."), _issued,
              "issued_on", P, list_url="supervision:order_list", unit=_unit("orders"), order=40),
    Indicator("orders_overdue", _("Orders gone overdue"),
              _("Orders flagged overdue (deadline passed without rectification), by the day they were flagged."),
              _overdue, "overdue_at", P, list_url="supervision:order_list", unit=_unit("orders"), order=50),
    Indicator("websites_shut", _("Websites shut down"), _("Website shutdowns carried out, by the day carried out."),
              _carried_out(SanctionKind.WEBSITE_SHUTDOWN), "carried_out_on", P,
              list_url=SANCTIONS, unit=_unit("websites"), order=60),
    Indicator("apps_removed", _("Apps removed"), _("App removals carried out, by the day carried out."),
              _carried_out(SanctionKind.APP_REMOVAL), "carried_out_on", P,
              list_url=SANCTIONS, unit=_unit("apps"), order=70),
    Indicator("disconnections", _("Disconnections"), _("Disconnections from the network started in the period."),
              _carried_out(SanctionKind.DISCONNECTION), "carried_out_on", P,
              list_url=SANCTIONS, unit=_unit("disconnections"), order=80),
    Indicator("fines", _("Fines imposed"), _("Fines carried out, by the day carried out."),
              _carried_out(SanctionKind.FINE), "carried_out_on", P,
              list_url=SANCTIONS, unit=_unit("fines"), order=90),
    Indicator("fine_amount", _("Fines (RMB)"), _("Sum of the fines carried out."), _carried_out(SanctionKind.FINE),
              "carried_out_on", P, measure="sum", field="amount", list_url=SANCTIONS, unit=_("yuan"), order=95),
    Indicator("assessments_reviewed", _("Security assessments reviewed"),
              _("Assessments with a pass or fail verdict, by verdict date."), _reviewed, "verdict_on", P,
              list_url="supervision:assessment_list", unit=_unit("assessments"), order=100),
]


def _order_late(now: dt.datetime) -> Q:
    return Q(status=OrderStatus.OVERDUE) | Q(status=OrderStatus.DELIVERED, deadline__lt=timezone.localdate(now))


OPEN_WORK: list[OpenWork] = [
    OpenWork(key="orders_open", label=_("Rectification orders not yet closed"),
             records=lambda: RectificationOrder.objects.filter(status__in=[
                 OrderStatus.ISSUED, OrderStatus.DELIVERED, OrderStatus.OVERDUE, OrderStatus.EVIDENCE]),
             overdue=_order_late, permission=Permission.SUPERVISION_VIEW, list_url="supervision:order_list"),
]
