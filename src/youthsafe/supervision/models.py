"""Supervision and enforcement records (issue 5).

Plans schedule inspections; an ``Inspection`` holds a checklist drawn from the registry's control catalogue
(registry/controls.py: CSL baseline, 2018 assessment items, minors' additions) with evidence and findings; a
``RectificationOrder`` (责令限期改正) follows from findings, with its legal basis, deadline, the platform's
evidence, re-check and, when it comes to that, the recorded refusal; a ``Sanction`` is a human decision on
an order with its approver; an ``Assessment`` reviews a public-opinion service's self-assessment report. A
``Referral`` is another module's hand-over waiting for a person to decide what to open. Each record that
belongs to a place carries ``jurisdiction`` (copied from the platform) and is scoped with ``visible_to``.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User
from youthsafe.registry.models import Platform, PlatformKind
from youthsafe.supervision import workflow as wf


class Risk(models.TextChoices):
    LOW = wf.PLATFORM_RISK_LOW, _("Low risk")
    MEDIUM = wf.PLATFORM_RISK_MEDIUM, _("Medium risk")
    HIGH = wf.PLATFORM_RISK_HIGH, _("High risk")


class InspectionStatus(models.TextChoices):
    PLANNED = wf.PLANNED, _("Planned")
    IN_PROGRESS = wf.IN_PROGRESS, _("In progress")
    COMPLETED = wf.COMPLETED, _("Awaiting signature")
    SIGNED = wf.SIGNED, _("Signed off")
    CANCELLED = wf.CANCELLED, _("Cancelled")


class ItemResult(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked yet")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    NOT_APPLICABLE = "na", _("Not applicable")


class Severity(models.TextChoices):
    LOW = "low", _("Minor")
    MEDIUM = "medium", _("Moderate")
    HIGH = "high", _("Serious")
    CRITICAL = "critical", _("Critical")


class OrderStatus(models.TextChoices):
    DRAFT = wf.DRAFT, _("Draft")
    ISSUED = wf.ISSUED, _("Issued")
    DELIVERED = wf.DELIVERED, _("Delivered, rectifying")
    OVERDUE = wf.OVERDUE, _("Past the deadline")
    EVIDENCE = wf.EVIDENCE, _("Evidence received, re-check pending")
    RECTIFIED = wf.RECTIFIED, _("Rectified")
    REFUSED = wf.REFUSED, _("Refused to rectify")
    WITHDRAWN = wf.WITHDRAWN, _("Withdrawn")


class SanctionKind(models.TextChoices):
    WARNING = wf.WARNING, _("Warning")
    FINE = wf.FINE, _("Fine")
    SUSPENSION = wf.SUSPENSION, _("Suspension of business")
    DISCONNECTION = wf.DISCONNECTION, _("Disconnection from the network")
    WEBSITE_SHUTDOWN = wf.WEBSITE_SHUTDOWN, _("Website shutdown")
    APP_REMOVAL = wf.APP_REMOVAL, _("App removal")
    CRIMINAL_REFERRAL = wf.CRIMINAL_REFERRAL, _("Criminal referral")


class SanctionStatus(models.TextChoices):
    PROPOSED = wf.PROPOSED, _("Proposed")
    APPROVED = wf.APPROVED, _("Approved")
    REJECTED = wf.REJECTED, _("Rejected")
    WITHDRAWN = wf.WITHDRAWN, _("Withdrawn")
    IN_EFFECT = wf.IN_EFFECT, _("Carried out")
    LIFTED = wf.LIFTED, _("Lifted")
    REVOKED = wf.REVOKED, _("Revoked before being carried out")


class AssessmentTrigger(models.TextChoices):
    T1 = "T1", _("T1 service or function goes live")
    T2 = "T2", _("T2 new technology changes the service substantially")
    T3 = "T3", _("T3 user numbers grow significantly")
    T4 = "T4", _("T4 illegal information spread: measures do not control the risk")
    T5 = "T5", _("T5 required in writing by the CAC or police")


class AssessmentStatus(models.TextChoices):
    REQUESTED = wf.REQUESTED, _("Awaiting the report")
    RECEIVED = wf.RECEIVED, _("Report received, under review")
    REASSESS = wf.REASSESS, _("Re-assessment ordered")
    PASSED = wf.PASSED, _("Passed")
    FAILED = wf.FAILED, _("Failed")
    CANCELLED = wf.CANCELLED, _("Cancelled")


class ReferralKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    RECTIFICATION = "rectification", _("Rectification order")


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a decision")
    TAKEN = "taken", _("Taken up")
    DISMISSED = "dismissed", _("Dismissed")


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

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_label} → {self.platform_id}"

    @property
    def reference(self) -> str:
        return f"supervision.referral:{self.pk}"


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

    class Meta:
        ordering: ClassVar[list[str]] = ["-proposed_at", "-id"]
        verbose_name = _("sanction")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.platform}"


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


class InterviewKind(models.TextChoices):
    RISK_NOTE = wf.R1, _("Risk noted (R1)")
    INTERVIEW = wf.R2, _("Interview (R2)")


class PlatformStageQuerySet(JurisdictionScopedQuerySet["PlatformStage"]):
    jurisdiction_field = "platform__jurisdiction"


class PlatformStage(models.Model):
    """A platform's place on the ladder before and around its orders: R0, R1 (risk noted), R2 (interview), R3
    (an order is open). Each order carries its own stage from R3 on. Moved only through ``ladder_step``."""

    platform = models.OneToOneField(Platform, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(_("ladder stage"), max_length=4, default=wf.R0)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[PlatformStageQuerySet] = PlatformStageQuerySet.as_manager()  # type: ignore[assignment]

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


class StateChange(models.Model):
    """Every transition of an inspection, order, sanction or assessment (Healthchecks' Flip)."""

    machine = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["machine", "object_id"])]

    def __str__(self) -> str:
        return f"{self.machine}:{self.object_id} {self.from_status}->{self.to_status}"


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
