"""Inspection plans and their overdue flags, referrals from other modules, document number counters."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User
from youthsafe.core.workflow import Machine
from youthsafe.registry.models import Platform, PlatformKind
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models.choices import ReferralKind, ReferralStatus, Risk


class InspectionPlanQuerySet(JurisdictionScopedQuerySet["InspectionPlan"]):
    pass


class InspectionPlan(models.Model):
    """A periodic schedule: platforms of a kind and risk band in a jurisdiction, every N months."""

    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    kind = models.CharField(_("platform kind"), max_length=16, choices=PlatformKind.choices, blank=True,
                            help_text=_("Empty: every kind."))
    risk = models.CharField(_("risk band"), max_length=8, choices=Risk.choices, blank=True,
                            help_text=_("Empty: every risk band."))
    interval_months = models.PositiveSmallIntegerField(_("every (months)"), default=3)
    start_date = models.DateField(_("first due"))
    joint_department = models.CharField(
        _("joint inspection with"), max_length=100, blank=True,
        help_text=_("Another department inspecting together, e.g. the education bureau."))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects: ClassVar[InspectionPlanQuerySet] = InspectionPlanQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "id"]
        verbose_name = _("inspection plan")

    def __str__(self) -> str:
        return self.name


class PlanOverdue(models.Model):
    """The nightly job's flag: a platform under a plan passed its due date without a signed inspection.

    Unique per (plan, platform, due date), so two runs insert one row; only the inserting run audits it."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="overdue_flags")
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField()
    flagged_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["plan", "platform", "due_date"], name="supervision_plan_overdue_once")]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.platform_id}@{self.due_date}"


class ReferralQuerySet(JurisdictionScopedQuerySet["Referral"]):
    pass


class Referral(models.Model):
    """A hand-over from content handling or an investigation: a person decides what to open from it."""

    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("asks for"), max_length=16, choices=ReferralKind.choices)
    reason = models.TextField(_("reason"))
    source_label = models.CharField(_("comes from"), max_length=200)
    source_url = models.CharField(_("link"), max_length=500, blank=True)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("received"))
    status = models.CharField(_("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.OPEN)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    objects: ClassVar[ReferralQuerySet] = ReferralQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = wf.REFERRAL

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_label} → {self.platform_id}"

    @property
    def reference(self) -> str:
        return f"supervision.referral:{self.pk}"


class DocumentCounter(models.Model):
    """The last number given out per scheme, organ and year; incremented under a row lock (no duplicates)."""

    scheme = models.CharField(max_length=16)
    org = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["scheme", "org", "year"], name="supervision_counter_unique")]

    def __str__(self) -> str:
        return f"{self.scheme}/{self.org}/{self.year}={self.last}"
