"""Figures of the lead work, each defined once (youthsafe.core.indicators).

``leads_received`` is broken down by source (superior, own work, public report, other unit), the same counts
the lead list shows. ``leads_reported_upward`` counts leads reported to the superior unit, by the date they
were reported.
``leads_dispatched`` counts dispatches (a lead pushed to two units counts twice), placed by the sending
lead's jurisdiction.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youthsafe.core.handoff import HandoffStatus
from youthsafe.core.indicators import Indicator, OpenWork
from youthsafe.core.roles import Permission
from youthsafe.leads.models import Case, Lead, LeadDispatch, LeadSource


def _sources() -> dict[str, Any]:
    return dict(LeadSource.choices)

INDICATORS: list[Indicator] = [
    Indicator(
        key="leads_received", label=_("Leads received"),
        definition=_("Leads taken in from superiors, own work, public reports and other units, by intake date."),
        records=Lead.objects.all, date_field="received_at", permission=Permission.LEAD_VIEW,
        list_url="leads:index", unit=_("leads"), order=10, breakdown="source", breakdown_labels=_sources),
    Indicator(
        key="leads_reported_upward", label=_("Leads reported upward"),
        definition=_("Verified leads reported to the superior unit, by the date reported."),
        records=lambda: Lead.objects.filter(reported_upward_at__isnull=False), date_field="reported_upward_at",
        permission=Permission.LEAD_VIEW, list_url="leads:index", unit=_("leads"), order=20),
    Indicator(
        key="leads_dispatched", label=_("Leads dispatched to jurisdictions"),
        definition=_("Dispatches of leads to the responsible jurisdiction, by the date sent."),
        records=LeadDispatch.objects.all, date_field="sent_at", jurisdiction_field="lead__jurisdiction",
        permission=Permission.LEAD_VIEW, list_url="leads:dispatch_list", unit=_("lead dispatches"), order=30),
    Indicator(
        key="cases_opened", label=_("Cases opened (with linked platform check)"),
        definition=_("Cases against offenders, each with a check of the enabling platform, by the date opened."),
        records=Case.objects.all, date_field="opened_at", permission=Permission.CASE_VIEW,
        list_url="leads:case_list", unit=_("cases"), order=40),
]

# Leads pushed to a place and not yet acknowledged there: open work of the receiving jurisdiction.
OPEN_WORK: list[OpenWork] = [
    OpenWork(key="lead_dispatches_unacknowledged", label=_("Leads pushed to a jurisdiction, not yet acknowledged"),
             records=lambda: LeadDispatch.objects.filter(status=HandoffStatus.SENT),
             overdue=lambda now: Q(ack_due_at__lt=now), permission=Permission.LEAD_VIEW,
             jurisdiction_field="to_jurisdiction", list_url="leads:dispatch_list"),
]
