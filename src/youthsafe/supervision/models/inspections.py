"""An inspection of one platform: its checklist drawn from the registry's control catalogue, the evidence
and the findings it made."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User
from youthsafe.core.workflow import Machine
from youthsafe.registry.models import Platform
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models.choices import InspectionStatus, ItemResult, Severity
from youthsafe.supervision.models.plans import InspectionPlan, Referral


class InspectionQuerySet(JurisdictionScopedQuerySet["Inspection"]):
    pass


class Inspection(models.Model):
    """One inspection of one platform, its checklist, findings and signed-off result."""

    number = models.CharField(_("record number"), max_length=64, blank=True)
    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT,
                                 related_name="inspections")
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    plan = models.ForeignKey(InspectionPlan, verbose_name=_("plan"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="inspections")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=InspectionStatus.choices,
                              default=InspectionStatus.PLANNED, db_index=True)
    inspected_on = models.DateField(_("inspection date"), db_index=True)
    joint_department = models.CharField(_("joint inspection with"), max_length=100, blank=True)
    inspectors = models.CharField(_("inspectors"), max_length=200, blank=True)
    summary = models.TextField(_("result"), blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[InspectionQuerySet] = InspectionQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = wf.INSPECTION

    class Meta:
        ordering: ClassVar[list[str]] = ["-inspected_on", "-id"]
        verbose_name = _("inspection")

    def __str__(self) -> str:
        return f"{self.platform} {self.inspected_on:%Y-%m-%d}"


class ChecklistItem(models.Model):
    """One control of registry/controls.py at one inspection: passed, failed or not applicable."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    control_id = models.CharField(_("checklist item"), max_length=32)
    result = models.CharField(_("result"), max_length=16, choices=ItemResult.choices, default=ItemResult.UNCHECKED)
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["inspection", "control_id"], name="supervision_item_unique")]

    def __str__(self) -> str:
        return f"{self.control_id}={self.result}"


class Evidence(models.Model):
    """A file or note supporting a checklist item (screenshots, exported logs, the platform's documents)."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="supervision/evidence/%Y/%m/", blank=True)
    name = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]

    def __str__(self) -> str:
        return self.name or self.note[:40]


class FindingQuerySet(JurisdictionScopedQuerySet["Finding"]):
    jurisdiction_field = "inspection__jurisdiction"


class Finding(models.Model):
    """A problem found at an inspection, with its severity and legal basis; orders are built from these."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings")
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    description = models.TextField(_("finding"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    objects: ClassVar[FindingQuerySet] = FindingQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]

    def __str__(self) -> str:
        return self.description[:60]
