"""Security assessments of services with public-opinion attributes (2018 Provisions) and their items."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User
from youthsafe.core.workflow import Machine
from youthsafe.registry.models import Platform
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models.choices import AssessmentStatus, AssessmentTrigger, ItemResult


class AssessmentQuerySet(JurisdictionScopedQuerySet["Assessment"]):
    pass


class Assessment(models.Model):
    """A security assessment of a service with public-opinion attributes (2018 Provisions)."""

    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT, related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    trigger = models.CharField(_("trigger"), max_length=4, choices=AssessmentTrigger.choices)
    trigger_note = models.TextField(_("circumstances"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.REQUESTED, db_index=True)
    requested_on = models.DateField(_("requested"))
    report_due = models.DateField(_("report due"), null=True, blank=True, db_index=True)
    report_late_at = models.DateTimeField(_("flagged late"), null=True, blank=True)
    report_received_on = models.DateField(_("report received"), null=True, blank=True)
    report_summary = models.TextField(_("provider's self-assessment report"), blank=True)
    report_file = models.FileField(upload_to="supervision/assessments/%Y/%m/", blank=True)
    report_file_name = models.CharField(_("file name"), max_length=200, blank=True)
    report_sha256 = models.CharField(max_length=64, blank=True)
    verdict_on = models.DateField(_("verdict given"), null=True, blank=True, db_index=True)
    verdict_note = models.TextField(_("verdict"), blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[AssessmentQuerySet] = AssessmentQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = wf.ASSESSMENT

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_on", "-id"]

    def __str__(self) -> str:
        return f"{self.platform} {self.get_trigger_display()}"


class AssessmentItem(models.Model):
    """One item of the 2018 Provisions (SA-1..SA-8) reviewed against the provider's report."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    control_id = models.CharField(max_length=32)
    result = models.CharField(max_length=16, choices=ItemResult.choices, default=ItemResult.UNCHECKED)
    note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assessment", "control_id"], name="supervision_assessment_item_unique")]

    def __str__(self) -> str:
        return f"{self.control_id}={self.result}"
