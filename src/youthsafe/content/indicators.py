"""Figures of the harmful-content work, each defined once (youthsafe.core.indicators).

``harmful_items_handled`` counts items whose handling is complete: the platform was instructed, confirmed
that it acted, and a person then verified that the content is gone (tier A/C: removed) or labelled (tier B);
the date is the verification (``handled_at``). Items dismissed, still pending, escalated or with a failed
verification do not count. ``items_taken_down`` is the removed part of it.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youthsafe.content.models import (
    Action,
    ContentItem,
    InstructionStatus,
    ItemStatus,
    PublicReport,
    TakedownInstruction,
)
from youthsafe.core.indicators import Indicator, OpenWork
from youthsafe.core.roles import Permission

INDICATORS: list[Indicator] = [
    Indicator(
        key="content_items_recorded", label=_("Harmful-content items recorded"),
        definition=_("Items of harmful content recorded, by the date they were recorded."),
        records=ContentItem.objects.all, date_field="recorded_at", permission=Permission.CONTENT_VIEW,
        list_url="content:index", unit=_("items"), order=10),
    Indicator(
        key="harmful_items_handled", label=_("Harmful-content items handled"),
        definition=_("Items whose handling is complete: the platform confirmed and a person verified the content "
                     "is gone (or labelled, for content that needs a label), by the date of that verification."),
        records=lambda: ContentItem.objects.filter(status=ItemStatus.HANDLED, handled_at__isnull=False),
        date_field="handled_at", permission=Permission.CONTENT_VIEW, list_url="content:index", unit=_("items"),
        order=20),
    Indicator(
        key="items_taken_down", label=_("Items taken down"),
        definition=_("Handled items that were removed (not only labelled), by the date of verification."),
        records=lambda: ContentItem.objects.filter(status=ItemStatus.HANDLED, handling=Action.REMOVE),
        date_field="handled_at", permission=Permission.CONTENT_VIEW, list_url="content:index", unit=_("items"),
        order=30),
    Indicator(
        key="takedown_instructions", label=_("Takedown and label instructions"),
        definition=_("Instructions sent to platforms to remove or label content, by the date sent."),
        records=TakedownInstruction.objects.all, date_field="issued_at",
        jurisdiction_field="item__jurisdiction", permission=Permission.CONTENT_VIEW,
        list_url="content:instruction_list", unit=_("instructions"), order=40),
    Indicator(
        key="public_reports_received", label=_("Public reports received"),
        definition=_("Reports from the public and from platforms, by the date received."),
        records=PublicReport.objects.all, date_field="received_at", permission=Permission.REPORT_TRIAGE,
        list_url="content:report_list", unit=_("reports"), order=50),
]

# Breakdown by taxonomy category (reports.categories): an item counts under each of its categories.
CATEGORY_BREAKDOWNS: dict[str, str] = {"content_items_recorded": "categories"}

OPEN_WORK: list[OpenWork] = [
    OpenWork(key="instructions_pending", label=_("Takedown instructions awaiting the platform"),
             records=lambda: TakedownInstruction.objects.filter(status=InstructionStatus.PENDING),
             overdue=lambda now: Q(deadline__lt=now), permission=Permission.CONTENT_VIEW,
             jurisdiction_field="item__jurisdiction", list_url="content:instruction_list"),
]
