"""Harmful-content items (有害信息), their evidence, takedown instructions and public reports (举报).

An item is one location (a URL or a place inside a platform) where harmful content was found. Near-duplicate
items (one campaign of reposts) share ``group``: the first item of the campaign, so the campaign is one case
with many locations. Categories are taxonomy ids of tiers A, B and C only: W01 (a person in distress) is a
welfare signal, never an item, and tier D (service design) is judged by inspection, not per item.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.content import workflow
from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet
from youthsafe.core.workflow import Machine
from youthsafe.registry.models import Platform


class FoundVia(models.TextChoices):
    PATROL = "patrol", _("Online patrol")
    INSPECTION = "inspection", _("Inspection")
    PUBLIC_REPORT = "public_report", _("Public report")
    SUPERIOR = "superior", _("Superior's notice")
    DETECTION = "detection", _("Automatic detection")


class ItemStatus(models.TextChoices):
    RECORDED = workflow.RECORDED, _("Recorded")
    INSTRUCTED = workflow.INSTRUCTED, _("Instruction sent")
    CONFIRMED = workflow.CONFIRMED, _("Platform confirmed")
    ESCALATED = workflow.ESCALATED, _("Escalated to supervision")
    HANDLED = workflow.HANDLED, _("Handled and verified")
    DISMISSED = workflow.DISMISSED, _("Dismissed")


class Action(models.TextChoices):
    REMOVE = workflow.REMOVE, _("Remove")
    LABEL = workflow.LABEL, _("Label required")


class InstructionStatus(models.TextChoices):
    PENDING = workflow.I_PENDING, _("Awaiting the platform")
    CONFIRMED = workflow.I_CONFIRMED, _("Confirmed by the platform")
    VERIFIED = workflow.I_VERIFIED, _("Verified")
    FAILED = workflow.I_FAILED, _("Verification failed")
    ESCALATED = workflow.I_ESCALATED, _("Escalated to supervision")


class ContentItem(models.Model):
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="content_items")
    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="content_items")
    location = models.CharField(_("URL or location on the platform"), max_length=500)
    text = models.TextField(_("text of the content"), blank=True, max_length=5000)
    categories = models.JSONField(_("categories"), default=list)
    tier = models.CharField(_("tier"), max_length=1, default="A", db_index=True)
    found_via = models.CharField(_("found through"), max_length=16, choices=FoundVia.choices, db_index=True)
    found_at = models.DateTimeField(_("found at"), db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    note = models.TextField(_("note"), blank=True, max_length=2000)
    scan = models.JSONField(_("detection result"), null=True, blank=True)
    signature = models.CharField(max_length=512, blank=True, editable=False)  # MinHash, hex
    group = models.ForeignKey("self", verbose_name=_("campaign"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="group_members")
    status = models.CharField(_("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.RECORDED,
                              db_index=True)
    handling = models.CharField(_("handling"), max_length=8, choices=Action.choices, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True, db_index=True)
    report = models.ForeignKey("content.PublicReport", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="items")
    version = models.PositiveIntegerField(default=0)

    objects: ClassVar[JurisdictionScopedQuerySet[ContentItem]] = JurisdictionScopedQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = workflow.ITEM

    class Meta:
        ordering: ClassVar[list[str]] = ["-recorded_at", "-id"]
        verbose_name = _("harmful-content item")

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        year = self.recorded_at.year if self.recorded_at else 0
        return f"HI-{year}-{self.pk or 0:05d}"

    @property
    def group_head(self) -> ContentItem:
        return self.group if self.group is not None else self


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    """Evidence rows are never changed or removed: bulk ``update()`` and ``delete()`` are refused here, and
    the database refuses UPDATE and DELETE on the table too (core.dbtriggers, content migration 0002)."""

    def update(self, **kwargs: Any) -> int:
        raise ValueError("evidence is immutable")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("evidence is immutable")


class Evidence(models.Model):
    """A file, screenshot or text kept as evidence. The bytes live under MEDIA_ROOT/evidence/ named by their
    SHA-256 and are never overwritten; a row is never changed or deleted once written (model, queryset and
    database triggers all refuse). No retention rule purges evidence: it is the record of what was found."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        SCREENSHOT = "screenshot", _("Screenshot")
        FILE = "file", _("File")

    item = models.ForeignKey(ContentItem, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence")
    report = models.ForeignKey("content.PublicReport", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="attachments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("type"), max_length=100)
    original_name = models.CharField(_("file name"), max_length=200)
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects: ClassVar[EvidenceQuerySet] = EvidenceQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering: ClassVar[list[str]] = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("evidence is immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("evidence is immutable")

    @property
    def jurisdiction(self) -> Jurisdiction:
        if self.item_id:
            return self.item.jurisdiction  # type: ignore[union-attr]
        return self.report.jurisdiction  # type: ignore[union-attr]


class InstructionQuerySet(JurisdictionScopedQuerySet["TakedownInstruction"]):
    jurisdiction_field = "item__jurisdiction"


class TakedownInstruction(models.Model):
    item = models.ForeignKey(ContentItem, on_delete=models.PROTECT, related_name="instructions")
    platform = models.ForeignKey(Platform, verbose_name=_("platform"), on_delete=models.PROTECT,
                                 related_name="takedown_instructions")
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    status = models.CharField(_("status"), max_length=12, choices=InstructionStatus.choices,
                              default=InstructionStatus.PENDING, db_index=True)
    issued_at = models.DateTimeField(_("issued at"), db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    note = models.TextField(_("instruction"), blank=True, max_length=2000)
    confirmed_at = models.DateTimeField(_("platform confirmed at"), null=True, blank=True)
    confirmation = models.TextField(_("platform's confirmation"), blank=True, max_length=2000)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    verification = models.TextField(_("verification"), blank=True, max_length=2000)
    escalated_at = models.DateTimeField(_("escalated to supervision at"), null=True, blank=True)
    escalation_reference = models.CharField(_("supervision reference"), max_length=200, blank=True)

    objects: ClassVar[InstructionQuerySet] = InstructionQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = workflow.INSTRUCTION

    class Meta:
        ordering: ClassVar[list[str]] = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item.reference} → {self.platform.name}"

    @property
    def jurisdiction(self) -> Jurisdiction:
        """The item's: an instruction's history and audit rows belong where the item does."""
        return self.item.jurisdiction


class ReportReason(models.TextChoices):
    """What a report is about: taxonomy ids offered to the public in plain words, plus a person in distress
    (W01, routed to early warning, never to takedown) and "other"."""

    A01 = "A01", _("Pornography or obscene content")
    A02 = "A02", _("Sexual content involving minors")
    A03 = "A03", _("Sexual approaches to a minor (grooming)")
    A04 = "A04", _("Promoting violence")
    A06 = "A06", _("Gambling")
    A07 = "A07", _("Encouraging suicide or self-harm")
    A09 = "A09", _("Online bullying")
    A11 = "A11", _("Selling drugs, weapons or other banned goods")
    A15 = "A15", _("Fraud")
    A16 = "A16", _("Trading personal information")
    B08 = "B08", _("Vulgar or sexually suggestive content (needs a label)")
    DISTRESS = "W01", _("Someone seems to be in danger or distress")
    OTHER = "other", _("Something else")


class ReporterKind(models.TextChoices):
    PUBLIC = "public", _("Member of the public")
    PLATFORM = "platform", _("Platform (trusted notice)")


class ReportStatus(models.TextChoices):
    RECEIVED = workflow.R_RECEIVED, _("Received, awaiting review")
    LEAD = workflow.R_LEAD, _("Taken up as a lead")
    WELFARE = workflow.R_WELFARE, _("Passed to early warning")
    REJECTED = workflow.R_REJECTED, _("No action needed")


class PublicReport(models.Model):
    """A notice from the public or a platform (DSA Art. 16 notice-and-action fields). No account needed."""

    ack_number = models.CharField(_("acknowledgement number"), max_length=20, unique=True)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="public_reports")
    reporter_kind = models.CharField(_("reporter"), max_length=10, choices=ReporterKind.choices,
                                     default=ReporterKind.PUBLIC)
    reason = models.CharField(_("reason"), max_length=8, choices=ReportReason.choices)
    location = models.CharField(_("where it is (URL or place on the platform)"), max_length=500)
    platform_name = models.CharField(_("platform"), max_length=200, blank=True)
    explanation = models.TextField(_("why it is harmful"), max_length=5000)
    contact = models.CharField(_("contact (optional)"), max_length=200, blank=True)
    good_faith = models.BooleanField(_("good-faith statement"), default=False)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.RECEIVED, db_index=True)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    triage_note = models.TextField(_("triage note"), blank=True, max_length=2000)
    public_reply = models.CharField(_("reply shown to the reporter"), max_length=500, blank=True)

    objects: ClassVar[JurisdictionScopedQuerySet[PublicReport]] = JurisdictionScopedQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = workflow.REPORT

    class Meta:
        ordering: ClassVar[list[str]] = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.ack_number

    @property
    def is_distress(self) -> bool:
        return self.reason == ReportReason.DISTRESS


class RateBucket(models.Model):
    """Public submissions per client (a keyed hash of the IP, never the IP) per time window: shared by every
    process through the database."""

    key = models.CharField(max_length=64)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["key", "window"], name="content_rate_once")]

    def __str__(self) -> str:
        return f"{self.key[:8]}@{self.window}: {self.count}"
