"""Document templates the operator edits: a work report and a reply to a proposal (提案答复).

A template is Markdown text with ``{{ placeholder }}`` figures (see ``rendering``); nothing in it is executed.
The defaults ship in ``reports/defaults/`` and are copied into the table the first time they are used, so an
operator's edits survive upgrades and ``reset`` brings the shipped text back.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.core.models import User


class TemplateKind(models.TextChoices):
    WORK_REPORT = "work_report", _("Work report")
    PROPOSAL_REPLY = "proposal_reply", _("Reply to a proposal")
    OTHER = "other", _("Other document")


class ReportTemplate(models.Model):
    name = models.SlugField(_("name"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=TemplateKind.choices, default=TemplateKind.OTHER)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")

    def __str__(self) -> str:
        return self.title
