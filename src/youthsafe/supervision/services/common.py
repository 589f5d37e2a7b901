"""Shared steps of the supervision services: who may act, applying a transition with its history and audit
row, refusing impossible steps with a message in the user's language."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.core import audit, uploads
from youthsafe.core.access import require, require_write_in
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import (
    AssessmentStatus,
    InspectionStatus,
    OrderStatus,
    SanctionStatus,
    StateChange,
)

SYSTEM = "system"
_LABELS: dict[str, Any] = {"inspection": InspectionStatus, "order": OrderStatus, "sanction": SanctionStatus,
                           "assessment": AssessmentStatus}


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def today_or(today: dt.date | None) -> dt.date:
    return today if today is not None else timezone.localdate()


def label(actor: User | None) -> str:
    return actor.username if actor is not None else SYSTEM


def authorise(actor: User, permission: Permission, jurisdiction: Jurisdiction | None) -> User:
    """The actor holds ``permission`` and may change records of ``jurisdiction``; PermissionDenied otherwise."""
    require(actor, permission)
    require_write_in(actor, jurisdiction)
    return actor


def require_text(value: str | None, field: str, message: str | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [message or _("Fill in this field.")]})
    return text


def lock(model: type[models.Model], pk: int) -> Any:
    """The row, locked for the rest of the transaction (two people never interleave a change)."""
    return model._default_manager.select_for_update(no_key=True).get(pk=pk)


def to_validation(exc: wf.InvalidTransition) -> ValidationError:
    names = dict(_LABELS[exc.machine].choices) if exc.machine in _LABELS else {}
    message = _("A record that is “%(current)s” cannot become “%(target)s”.") % {
        "current": names.get(exc.current, exc.current), "target": names.get(exc.target, exc.target)}
    return ValidationError(message)


def apply(machine: wf.Machine, obj: Any, to: str, *, actor: User | None, now: dt.datetime, reason: str = "",
          changes: dict[str, Any] | None = None) -> StateChange:
    """Transition (pure table check), set ``changes``, save with a new version, store the flip and audit it."""
    before = audit.snapshot(obj, ["status", *(changes or {})])
    try:
        flip = wf.transition(machine, obj, to, actor=label(actor), now=now, reason=reason)
    except wf.InvalidTransition as exc:
        raise to_validation(exc) from exc
    for key, value in (changes or {}).items():
        setattr(obj, key, value)
    if hasattr(obj, "version"):
        obj.version += 1
    obj.save()
    change = StateChange.objects.create(machine=machine.name, object_id=obj.pk, from_status=flip.from_status,
                                        to_status=flip.to_status, actor=actor, actor_label=label(actor),
                                        reason=reason, at=now)
    after = audit.snapshot(obj, ["status", *(changes or {})])
    audit.record(AuditAction.TRANSITION, actor=actor, obj=obj, before=before, after=after, reason=reason,
                 actor_label=label(actor))
    return change


LADDER_ORDER = "ladder"  # an order's stage (object_id = the order)
LADDER_PLATFORM = "platform_ladder"  # a platform's stage (object_id = the platform)


def step_ladder(obj: Any, target: str, *, machine: str, actor: User | None, now: dt.datetime, refused: bool,
                serious: bool = False, reason: str = "", audit_obj: Any = None) -> StateChange | None:
    """Move ``obj.stage`` to ``target`` through ``workflow.ladder_step`` (the table and the legal hinge of the
    refusal), save it, and store the step in the history and the audit log like any other transition (on
    ``audit_obj`` when given: a platform's stage is audited on the platform). Nothing happens when the stage is
    already ``target``."""
    current = obj.stage
    if current == target:
        return None
    try:
        wf.ladder_step(current, target, refused=refused, serious=serious)
    except wf.InvalidTransition as exc:
        raise ValidationError(_("The ladder stage %(current)s cannot become %(target)s.")
                              % {"current": current, "target": target}) from exc
    obj.stage = target
    fields = ["stage"]
    if hasattr(obj, "version"):
        obj.version += 1
        fields.append("version")
    obj.save(update_fields=fields)
    # The history belongs to the record the step is about: a platform's stage row is kept apart from the
    # platform, but its history is the platform's (views read it by the platform's id).
    subject = audit_obj if audit_obj is not None else obj
    change = StateChange.objects.create(machine=machine, object_id=subject.pk, from_status=current, to_status=target,
                                        actor=actor, actor_label=label(actor), reason=reason, at=now)
    audit.record(AuditAction.TRANSITION, actor=actor, obj=audit_obj if audit_obj is not None else obj,
                 before={"stage": current}, after={"stage": target}, reason=reason, actor_label=label(actor))
    return change


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


def history(machine: str, pk: int, *, ladder: str = "") -> list[dict[str, Any]]:
    """The transitions of one record with their state names in the user's language; with ``ladder``, its
    ladder-stage steps too, in time order."""
    names = dict(_LABELS[machine].choices) if machine in _LABELS else {}
    system = {"deadline passed": _("Deadline passed"), "not delivered": _("Not delivered in time")}
    machines = [machine, ladder] if ladder else [machine]
    return [{"change": c, "from": names.get(c.from_status, c.from_status), "to": names.get(c.to_status, c.to_status),
             "reason": system.get(c.reason, c.reason)}
            for c in StateChange.objects.filter(machine__in=machines, object_id=pk).select_related("actor")]


def forbid(message: str) -> PermissionDenied:
    return PermissionDenied(message)
