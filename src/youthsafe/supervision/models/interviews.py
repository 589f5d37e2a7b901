"""A platform's place on the enforcement ladder, and the interviews and risk notes that move it (R1, R2)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User
from youthsafe.core.workflow import Machine
from youthsafe.registry.models import Platform
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models.choices import InterviewKind


class PlatformStageQuerySet(JurisdictionScopedQuerySet["PlatformStage"]):
    jurisdiction_field = "platform__jurisdiction"


class PlatformStage(models.Model):
    """A platform's place on the ladder before and around its orders: R0, R1 (risk noted), R2 (interview), R3
    (an order is open). Each order carries its own stage from R3 on. Moved only through ``ladder_step``."""

    platform = models.OneToOneField(Platform, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(_("ladder stage"), max_length=4, default=wf.R0)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[PlatformStageQuerySet] = PlatformStageQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = wf.PLATFORM_LADDER

    def __str__(self) -> str:
        return f"{self.platform_id}@{self.stage}"


class InterviewQuerySet(JurisdictionScopedQuerySet["Interview"]):
    pass


class Interview(models.Model):
    """A supervisory interview (约谈, CSL Art. 56) or a risk noted and the provider guided to remove it
    (风险隐患/督促指导, MPS Order 151): who attended, what was raised, what the platform committed to."""

    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT, related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    kind = models.CharField(_("record"), max_length=4, choices=InterviewKind.choices)
    held_on = models.DateField(_("date"), db_index=True)
    attendees = models.TextField(_("attendees"))
    matters = models.TextField(_("matters raised"))
    commitments = models.TextField(_("commitments"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="supervision/interviews/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    stage_before = models.CharField(max_length=4, blank=True)
    stage_after = models.CharField(max_length=4, blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    objects: ClassVar[InterviewQuerySet] = InterviewQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering: ClassVar[list[str]] = ["-held_on", "-id"]
        verbose_name = _("interview")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.platform} {self.held_on:%Y-%m-%d}"
