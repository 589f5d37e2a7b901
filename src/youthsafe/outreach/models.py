"""Outreach events (宣传教育活动): what was done, where, with whom, for how many people, with which materials.

An ``OutreachEvent`` is one campaign or event of a kind (online campaign, school lecture, parents' meeting,
brochure distribution, media post). It counts in the statistics once it is *held*; planned and cancelled
events do not. ``Material`` rows say what was handed out (brochures are the seed's figure); ``Attachment``
rows are photos and slides stored by their SHA-256 under MEDIA_ROOT.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User
from youthsafe.core.workflow import Machine
from youthsafe.outreach import workflow
from youthsafe.outreach.workflow import MACHINE

# The longest free text (TextFields) the pages and the API accept.
TEXT_MAX_LENGTH = {"summary": 5000, "follow_up": 2000}


class EventKind(models.TextChoices):
    ONLINE_CAMPAIGN = "online_campaign", _("Online campaign")
    SCHOOL_LECTURE = "school_lecture", _("School lecture")
    PARENTS_MEETING = "parents_meeting", _("Parents' meeting")
    BROCHURE_DISTRIBUTION = "brochure_distribution", _("Brochure distribution")
    MEDIA_POST = "media_post", _("Media post")


class EventStatus(models.TextChoices):
    PLANNED = workflow.PLANNED, _("Planned")
    HELD = workflow.HELD, _("Held")
    CANCELLED = workflow.CANCELLED, _("Cancelled")


class MaterialKind(models.TextChoices):
    BROCHURE = "brochure", _("Brochure")
    POSTER = "poster", _("Poster")
    HANDBOOK = "handbook", _("Handbook")
    VIDEO = "video", _("Video")
    OTHER = "other", _("Other")


class OutreachEvent(models.Model):
    """One campaign or event. ``audience`` is people present, or for online campaigns and media posts the
    reach the platform reported (views); ``held_on`` is the day it took place (or is planned for)."""

    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.PLANNED,
                              db_index=True)
    held_on = models.DateField(_("date"), db_index=True)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    venue = models.CharField(_("school or venue"), max_length=200, blank=True)
    at_school = models.BooleanField(_("at a school"), default=False)
    partner = models.CharField(_("partner department"), max_length=200, blank=True)
    audience = models.PositiveIntegerField(_("audience"), default=0)
    summary = models.TextField(_("summary"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: ClassVar[JurisdictionScopedQuerySet[OutreachEvent]] = JurisdictionScopedQuerySet.as_manager()  # type: ignore[assignment]
    workflow: ClassVar[Machine] = MACHINE

    class Meta:
        ordering: ClassVar[list[str]] = ["-held_on", "-id"]
        verbose_name = _("outreach event")
        verbose_name_plural = _("outreach events")
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["status", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    @property
    def brochures(self) -> int:
        return sum(m.quantity for m in self.materials.all() if m.kind == MaterialKind.BROCHURE)


class Material(models.Model):
    """Materials handed out at an event: kind and quantity."""

    event = models.ForeignKey(OutreachEvent, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("material"), max_length=12, choices=MaterialKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering: ClassVar[list[str]] = ["kind", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["event", "kind"], name="outreach_material_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} x{self.quantity}"


class Attachment(models.Model):
    """A photo, slide deck or document of an event, stored once by SHA-256 (same bytes, one file)."""

    event = models.ForeignKey(OutreachEvent, on_delete=models.CASCADE, related_name="attachments")
    sha256 = models.CharField(max_length=64, db_index=True)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering: ClassVar[list[str]] = ["uploaded_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["event", "sha256"], name="outreach_attachment_once"),
        ]

    def __str__(self) -> str:
        return self.name
