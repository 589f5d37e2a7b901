"""Rectification orders (责令限期改正) and the sanctions decided on them."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User
from youthsafe.core.workflow import Machine
from youthsafe.registry.models import Platform
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models.choices import OrderStatus, SanctionKind, SanctionStatus
from youthsafe.supervision.models.inspections import Finding, Inspection
from youthsafe.supervision.models.plans import Referral


class RectificationOrderQuerySet(JurisdictionScopedQuerySet["RectificationOrder"]):
    pass


class RectificationOrder(models.Model):
    """责令限期改正: legal basis, deadline from delivery, the platform's evidence, re-check and result."""

    number = models.CharField(_("notice number"), max_length=64, blank=True, db_index=True)
    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT, related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="orders")
    assessment = models.ForeignKey("Assessment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="orders")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    findings = models.ManyToManyField(Finding, blank=True, related_name="orders")
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.DRAFT,
                              db_index=True)
    stage = models.CharField(_("ladder stage"), max_length=4, default=wf.R3)
    problems = models.TextField(_("problems to rectify"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    requirements = models.TextField(_("requirements"), blank=True)
    period_days = models.PositiveSmallIntegerField(_("rectification period (days)"))
    issued_on = models.DateField(_("issued"), null=True, blank=True, db_index=True)
    delivered_on = models.DateField(_("delivered"), null=True, blank=True)
    delivery_method = models.CharField(_("delivered by"), max_length=100, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    overdue_at = models.DateTimeField(_("flagged overdue"), null=True, blank=True)
    evidence_on = models.DateField(_("evidence received"), null=True, blank=True)
    evidence_text = models.TextField(_("platform's evidence of rectification"), blank=True)
    evidence_file = models.FileField(upload_to="supervision/rectification/%Y/%m/", blank=True)
    evidence_file_name = models.CharField(_("file name"), max_length=200, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    recheck_on = models.DateField(_("re-checked"), null=True, blank=True)
    recheck_result = models.TextField(_("re-check result"), blank=True)
    refused_on = models.DateField(_("refusal recorded"), null=True, blank=True)
    refusal_evidence = models.TextField(_("evidence of the refusal"), blank=True)
    refusal_file = models.FileField(_("file"), upload_to="supervision/refusal/%Y/%m/", blank=True)
    refusal_file_name = models.CharField(_("file name"), max_length=200, blank=True)
    refusal_sha256 = models.CharField(max_length=64, blank=True)
    undelivered_flagged_at = models.DateTimeField(_("flagged as not delivered"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[RectificationOrderQuerySet] = RectificationOrderQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = wf.ORDER

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        verbose_name = _("rectification order")

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def refused(self) -> bool:
        return self.refused_on is not None


class SanctionQuerySet(JurisdictionScopedQuerySet["Sanction"]):
    pass


class Sanction(models.Model):
    """A sanction on an order: proposed by one person, approved by another with the authority to do so."""

    number = models.CharField(_("decision number"), max_length=64, blank=True)
    order = models.ForeignKey(RectificationOrder, verbose_name=_("order"), on_delete=models.PROTECT,
                              related_name="sanctions")
    findings = models.ManyToManyField(Finding, blank=True, related_name="sanctions")
    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT, related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    kind = models.CharField(_("sanction"), max_length=20, choices=SanctionKind.choices, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=SanctionStatus.choices,
                              default=SanctionStatus.PROPOSED, db_index=True)
    statute = models.CharField(_("statute"), max_length=200)
    reason = models.TextField(_("reasons"))
    serious = models.BooleanField(_("serious circumstances"), default=False)
    amount = models.DecimalField(_("fine (RMB)"), max_digits=12, decimal_places=2, null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    app_store = models.CharField(_("app store"), max_length=100, blank=True)
    app_id = models.CharField(_("app id"), max_length=200, blank=True)
    website = models.CharField(_("website"), max_length=300, blank=True)
    receiving_organ = models.CharField(_("referred to"), max_length=200, blank=True)
    proposed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    carried_out_on = models.DateField(_("carried out"), null=True, blank=True, db_index=True)
    lifted_on = models.DateField(_("lifted"), null=True, blank=True)
    end_flagged_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[SanctionQuerySet] = SanctionQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = wf.SANCTION

    class Meta:
        ordering: ClassVar[list[str]] = ["-proposed_at", "-id"]
        verbose_name = _("sanction")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.platform}"
