"""Leads (线索), their dispatch to the responsible jurisdiction (推送属地) and linked investigations (一案双查).

A lead belongs to the jurisdiction that received it. A unit it was dispatched to (a ``core.handoff`` hand-off)
sees it too, as with alerts, acknowledges it by the deadline and feeds back what it did. A case against an
offender carries a check of the platform or access provider that enabled it, which can be referred to
supervision.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from youthsafe.alerts.models import Alert
from youthsafe.content.models import ContentItem, PublicReport
from youthsafe.core.handoff import Handoff, HandoffQuerySet, HandoffStatus, handoff_machine
from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User
from youthsafe.core.workflow import Machine
from youthsafe.leads import workflow
from youthsafe.leads.workflow import CHECK_MACHINE, MACHINE
from youthsafe.registry.models import Platform


class LeadSource(models.TextChoices):
    SUPERIOR = "superior", _("Superior's notice")
    OWN_WORK = "own_work", _("Own work")
    PUBLIC_REPORT = "public_report", _("Public report")
    OTHER_UNIT = "other_unit", _("Other unit")


class LeadStatus(models.TextChoices):
    NEW = workflow.NEW, _("New lead")
    VERIFIED = workflow.VERIFIED, _("Verified")
    DISPATCHED = workflow.DISPATCHED, _("Dispatched to a unit")
    ACKNOWLEDGED = workflow.ACKNOWLEDGED, _("Acknowledged by the unit")
    FED_BACK = workflow.FED_BACK, _("Feedback received")
    CLOSED = workflow.CLOSED, _("Closed")
    REJECTED = workflow.REJECTED, _("Unfounded")
    MERGED = workflow.MERGED, _("Merged into another lead")


class LeadQuerySet(JurisdictionScopedQuerySet["Lead"]):
    """Leads of the user's subtree, plus leads dispatched to a unit in it."""

    def owned_by(self, user: User | AnonymousUser) -> LeadQuerySet:
        return super().visible_to(user)  # type: ignore[return-value]

    def visible_to(self, user: User | AnonymousUser) -> LeadQuerySet:
        if not isinstance(user, User) or not user.is_authenticated:
            return self.none()
        if user.reads_all_jurisdictions:
            return self
        if user.jurisdiction is None:
            return self.none()
        path = user.jurisdiction.path
        received = LeadDispatch.objects.filter(to_jurisdiction__path__startswith=path).values("lead_id")
        return self.filter(Q(jurisdiction__path__startswith=path) | Q(pk__in=received))


class Lead(models.Model):
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="leads")
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices, db_index=True)
    source_detail = models.CharField(_("from (notice number, unit)"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=5000)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW,
                              db_index=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification = models.TextField(_("verification"), blank=True, max_length=2000)
    reported_upward_at = models.DateTimeField(_("reported upward at"), null=True, blank=True, db_index=True)
    reported_upward_note = models.TextField(_("report upward"), blank=True, max_length=2000)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, max_length=2000)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_leads")
    report = models.ForeignKey(PublicReport, on_delete=models.PROTECT, null=True, blank=True, related_name="leads")
    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="leads")
    content_items = models.ManyToManyField(ContentItem, blank=True, related_name="leads")
    alerts = models.ManyToManyField(Alert, blank=True, related_name="leads")

    objects: ClassVar[LeadQuerySet] = LeadQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = MACHINE

    class Meta:
        ordering: ClassVar[list[str]] = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"XS-{self.received_at.year if self.received_at else 0}-{self.pk or 0:05d}"


# What the lead pages call a dispatch's state (签收/反馈: the catalogue's "Acknowledged" is an alert's 已确认).
DISPATCH_LABELS: dict[str, StrOrPromise] = {
    HandoffStatus.SENT: _("Awaiting acknowledgement"), HandoffStatus.ACKNOWLEDGED: _("Acknowledged receipt"),
    HandoffStatus.REPORTED: _("Feedback given")}


class LeadDispatch(Handoff):
    """A lead pushed to the jurisdiction responsible (推送属地): ``note`` says what the unit should do, ``report``
    is its feedback (反馈)."""

    subject_field: ClassVar[str] = "lead"
    workflow: ClassVar[Machine] = handoff_machine("lead_dispatch")

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="dispatches")

    objects: ClassVar[HandoffQuerySet[LeadDispatch]] = HandoffQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering: ClassVar[list[str]] = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lead.reference} → {self.to_jurisdiction.name}"

    @property
    def status_label(self) -> str:
        return str(DISPATCH_LABELS.get(self.status, self.status))


class CheckStatus(models.TextChoices):
    PENDING = workflow.PENDING, _("To check")
    REFERRED = workflow.REFERRED, _("Referred to supervision")
    NO_ISSUE = workflow.NO_ISSUE, _("Checked: no failure found")


class Case(models.Model):
    """A case against an offender with its linked check of the platform or access provider (一案双查)."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="cases")
    title = models.CharField(_("title"), max_length=200)
    offender = models.CharField(_("offender (account or pseudonym)"), max_length=200)
    summary = models.TextField(_("what the offender did"), max_length=5000)
    opened_at = models.DateTimeField(_("case opened at"), db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    platform = models.ForeignKey(Platform, verbose_name=_("platform or access provider"), on_delete=models.PROTECT,
                                 related_name="cases")
    platform_failure = models.TextField(_("what the platform failed to do"), max_length=2000)
    check_status = models.CharField(_("platform check"), max_length=10, choices=CheckStatus.choices,
                                    default=CheckStatus.PENDING, db_index=True)
    check_kind = models.CharField(_("referral kind"), max_length=14, blank=True)
    check_reference = models.CharField(_("supervision reference"), max_length=200, blank=True)
    check_note = models.TextField(_("check note"), blank=True, max_length=2000)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects: ClassVar[JurisdictionScopedQuerySet[Case]] = JurisdictionScopedQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = CHECK_MACHINE

    class Meta:
        ordering: ClassVar[list[str]] = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"AJ-{self.opened_at.year if self.opened_at else 0}-{self.pk or 0:05d}"
