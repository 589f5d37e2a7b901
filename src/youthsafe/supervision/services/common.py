"""What the supervision services share beyond the kernel (``core.kernel``): the jurisdiction a step is
checked in, the state names its refusals speak, a move up or down the enforcement ladder with its legal
hinge, and the files a record keeps (checked by the upload policy, stored with their SHA-256)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.core import kernel, uploads
from youthsafe.core.models import Jurisdiction, StatusChange, User
from youthsafe.core.workflow import InvalidTransition, Machine
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import (
    AssessmentStatus,
    InspectionStatus,
    OrderStatus,
    PlatformStage,
    RectificationOrder,
    ReferralStatus,
    SanctionStatus,
)
from youthsafe.supervision.services.files import FileKind

# The state names of each machine in the user's language (for refusals and the history on the pages).
NAMES: dict[str, Mapping[str, Any]] = {
    wf.INSPECTION.name: dict(InspectionStatus.choices), wf.ORDER.name: dict(OrderStatus.choices),
    wf.SANCTION.name: dict(SanctionStatus.choices), wf.ASSESSMENT.name: dict(AssessmentStatus.choices),
    wf.REFERRAL.name: dict(ReferralStatus.choices),
}

# What a record's name and its audit row read: a lock loads them with the row.
PLACED = ("platform", "jurisdiction")


def place(record: Any, *args: Any, **kwargs: Any) -> Jurisdiction:
    """The jurisdiction a step on ``record`` is checked in (``@kernel.service(scope=place)``): the record's
    own, copied from its platform (a platform's is its own)."""
    jurisdiction: Jurisdiction = record.jurisdiction
    return jurisdiction


def refuse_unless(obj: models.Model, to: str) -> None:
    """Refuse a step the record's table does not allow before any other check, in the user's language."""
    machine: Machine = obj.workflow  # type: ignore[attr-defined]
    current = getattr(obj, machine.field)
    if not machine.can(current, to):
        raise kernel.to_validation(InvalidTransition(machine.name, current, to), NAMES[machine.name])


def day_or(day: dt.date | None, now: dt.datetime) -> dt.date:
    """``day`` when the person gave one, else the local date of the step's ``now`` (the clock is read once)."""
    return day if day is not None else timezone.localdate(now)


def step_ladder(obj: RectificationOrder | PlatformStage, target: str, *, machine: Machine = wf.LADDER,
                actor: User | None, now: dt.datetime, refused: bool, serious: bool = False, reason: str = "",
                subject: models.Model | None = None) -> StatusChange | None:
    """Move ``obj.stage`` (held locked) to ``target``: ``workflow.ladder_step`` checks the table and the legal
    hinge of the refusal, ``kernel.transition`` stores it with its history and audit row (under ``subject``
    when given: a platform's stage row is kept apart from the platform, its history is the platform's).
    Nothing happens when the stage is already ``target``."""
    current = obj.stage
    if current == target:
        return None
    try:
        wf.ladder_step(current, target, refused=refused, serious=serious)
    except InvalidTransition as exc:
        raise ValidationError(_("The ladder stage %(current)s cannot become %(target)s.")
                              % {"current": current, "target": target}) from exc
    return kernel.transition(obj, target, actor=actor, machine=machine, now=now, reason=reason, subject=subject,
                             locked=True)


def check_upload(upload: File[bytes] | None, field: str = "file") -> None:
    """Every file a supervision record keeps goes through the product's upload policy (core/uploads.py
    ``SUPERVISION``: images, PDF, DOCX, XLSX and plain text by their bytes, up to the configured size); the
    refusal is the error of form field ``field``, and nothing is stored."""
    if upload is not None:
        uploads.check_field(upload, uploads.SUPERVISION, field)


def digest(upload: File[bytes]) -> str:
    """SHA-256 of an uploaded file, read in chunks (stored beside the file and in the audit row)."""
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    return sha.hexdigest()


def file_fields(kind: FileKind, upload: File[bytes] | None) -> dict[str, Any]:
    """The fields that keep ``upload`` on a record of ``kind`` (the file, the name it came with, its SHA-256);
    nothing when no file was given."""
    if upload is None:
        return {}
    return {kind.sha256: digest(upload), kind.name: (upload.name or "file")[:200], kind.file: upload}
