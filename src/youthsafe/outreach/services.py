"""Every change to outreach records is one ``do_*`` call: permission, jurisdiction, validation, transition,
audit row, commit (style-anchors rule 3). Edits use the record's ``version`` as compare-and-swap, so two
people editing the same event cannot silently overwrite each other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.core import audit
from youthsafe.core.access import require, require_write_in
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission
from youthsafe.outreach import attachments, workflow
from youthsafe.outreach.models import (
    Attachment,
    EventKind,
    EventStatus,
    Material,
    MaterialKind,
    OutreachEvent,
)

EDITABLE = ("kind", "title", "held_on", "jurisdiction", "venue", "at_school", "partner", "audience", "summary",
            "follow_up", "follow_up_due")


def _today() -> dt.date:
    return timezone.localdate()


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {k: data[k] for k in EDITABLE if k in data}
    errors: dict[str, list[str]] = {}
    if values.get("kind") not in EventKind.values:
        errors["kind"] = [_("Choose a kind of event.")]
    if not str(values.get("title") or "").strip():
        errors["title"] = [_("Give the event a title.")]
    if not isinstance(values.get("held_on"), dt.date):
        errors["held_on"] = [_("Give the date.")]
    if not isinstance(values.get("jurisdiction"), Jurisdiction):
        errors["jurisdiction"] = [_("Choose the jurisdiction.")]
    audience = values.get("audience", 0)
    if not isinstance(audience, int) or audience < 0:
        errors["audience"] = [_("The audience is a whole number, 0 or more.")]
    if errors:
        raise ValidationError(errors)
    values["title"] = str(values["title"]).strip()
    return values


def _materials(items: Mapping[str, int] | Iterable[tuple[str, int]]) -> dict[str, int]:
    pairs = items.items() if isinstance(items, Mapping) else items
    result: dict[str, int] = {}
    for kind, quantity in pairs:
        if kind not in MaterialKind.values:
            raise ValidationError({"materials": [_("Unknown kind of material: %(k)s") % {"k": kind}]})
        if not isinstance(quantity, int) or quantity < 0:
            raise ValidationError({"materials": [_("A quantity is a whole number, 0 or more.")]})
        if quantity:
            result[kind] = result.get(kind, 0) + quantity
    return result


def _save_materials(event: OutreachEvent, materials: dict[str, int]) -> None:
    event.materials.all().delete()
    Material.objects.bulk_create([Material(event=event, kind=k, quantity=q) for k, q in materials.items()])


def _state(event: OutreachEvent) -> dict[str, Any]:
    state = audit.snapshot(event, [*EDITABLE, "status"])
    state["materials"] = {m.kind: m.quantity for m in event.materials.all()}
    return state


@transaction.atomic
def do_create_event(*, actor: User, data: Mapping[str, Any], materials: Mapping[str, int] | None = None,
                    held: bool = False) -> OutreachEvent:
    """Record an event: planned, or (``held``) already held, which is how most events are recorded."""
    require(actor, Permission.OUTREACH_RECORD)
    values = _clean(data)
    require_write_in(actor, values["jurisdiction"])
    if held:
        try:
            workflow.check_held_on(values["held_on"], _today())
        except workflow.InvalidTransition as exc:
            raise ValidationError({"held_on": [_("A held event cannot be dated in the future.")]}) from exc
    event = OutreachEvent.objects.create(**values, status=EventStatus.HELD if held else EventStatus.PLANNED,
                                         created_by=actor)
    _save_materials(event, _materials(materials or {}))
    audit.record(AuditAction.CREATE, actor=actor, obj=event, jurisdiction=event.jurisdiction, after=_state(event))
    return event


@transaction.atomic
def do_update_event(event: OutreachEvent, *, actor: User, data: Mapping[str, Any],
                    materials: Mapping[str, int] | None = None, version: int | None = None) -> OutreachEvent:
    """Edit an event. ``version`` is the version the editor saw: if someone saved in between, nothing changes
    and the editor is told to reload."""
    require(actor, Permission.OUTREACH_RECORD)
    require_write_in(actor, event.jurisdiction)
    values = _clean({**{k: getattr(event, k) for k in EDITABLE}, **data})
    require_write_in(actor, values["jurisdiction"])
    if event.status == EventStatus.HELD and values["held_on"] > _today():
        raise ValidationError({"held_on": [_("A held event cannot be dated in the future.")]})
    before = _state(event)
    seen = event.version if version is None else version
    changed = OutreachEvent.objects.filter(pk=event.pk, version=seen).update(**values, version=F("version") + 1,
                                                                                updated_at=timezone.now())
    if changed != 1:
        raise ValidationError(_("Someone else changed this event meanwhile. Reload it and make your change again."))
    fresh = OutreachEvent.objects.get(pk=event.pk)
    if materials is not None:
        _save_materials(fresh, _materials(materials))
    old, new = audit.diff(before, _state(fresh))
    if new:
        audit.record(AuditAction.CHANGE, actor=actor, obj=fresh, jurisdiction=fresh.jurisdiction, before=old,
                     after=new)
    return fresh


def _transition(event: OutreachEvent, target: str, *, actor: User, reason: str = "",
                extra: dict[str, Any] | None = None) -> OutreachEvent:
    locked = OutreachEvent.objects.select_for_update(no_key=True).get(pk=event.pk)
    try:
        workflow.check_transition(locked.status, target)
    except workflow.InvalidTransition as exc:
        raise ValidationError(_("This step is not possible while the event is %(s)s.")
                              % {"s": locked.get_status_display()}) from exc
    before = locked.status
    for key, value in (extra or {}).items():
        setattr(locked, key, value)
    locked.status = target
    locked.version += 1
    locked.save()
    audit.record(AuditAction.TRANSITION, actor=actor, obj=locked, jurisdiction=locked.jurisdiction,
                 before={"status": before}, after={"status": target, **audit.snapshot(locked, list(extra or {}))},
                 reason=reason)
    return locked


@transaction.atomic
def do_mark_held(event: OutreachEvent, *, actor: User, audience: int, materials: Mapping[str, int] | None = None,
                 held_on: dt.date | None = None) -> OutreachEvent:
    """A planned event took place: record the audience and what was handed out."""
    require(actor, Permission.OUTREACH_RECORD)
    require_write_in(actor, event.jurisdiction)
    day = held_on or event.held_on
    if day > _today():
        raise ValidationError({"held_on": [_("A held event cannot be dated in the future.")]})
    if not isinstance(audience, int) or audience < 0:
        raise ValidationError({"audience": [_("The audience is a whole number, 0 or more.")]})
    held = _transition(event, EventStatus.HELD, actor=actor, extra={"audience": audience, "held_on": day})
    if materials is not None:
        _save_materials(held, _materials(materials))
    return held


@transaction.atomic
def do_cancel(event: OutreachEvent, *, actor: User, reason: str) -> OutreachEvent:
    require(actor, Permission.OUTREACH_RECORD)
    require_write_in(actor, event.jurisdiction)
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": [_("Give a reason for this step.")]})
    return _transition(event, EventStatus.CANCELLED, actor=actor, reason=text, extra={"cancel_reason": text})


@transaction.atomic
def do_reschedule(event: OutreachEvent, *, actor: User, held_on: dt.date) -> OutreachEvent:
    require(actor, Permission.OUTREACH_RECORD)
    require_write_in(actor, event.jurisdiction)
    return _transition(event, EventStatus.PLANNED, actor=actor, extra={"held_on": held_on})


@transaction.atomic
def do_complete_follow_up(event: OutreachEvent, *, actor: User, note: str,
                          now: dt.datetime | None = None) -> OutreachEvent:
    """The follow-up of a held event is done (a school's feedback, a second visit); ``note`` says what."""
    require(actor, Permission.OUTREACH_RECORD)
    require_write_in(actor, event.jurisdiction)
    text = (note or "").strip()
    if not text:
        raise ValidationError({"note": [_("Say what the follow-up found.")]})
    locked = OutreachEvent.objects.select_for_update(no_key=True).get(pk=event.pk)
    if locked.status != EventStatus.HELD:
        raise ValidationError(_("Only a held event has a follow-up."))
    if locked.follow_up_done_at is not None:
        raise ValidationError(_("The follow-up is already done."))
    locked.follow_up = f"{locked.follow_up}\n{text}".strip()
    locked.follow_up_done_at = now or timezone.now()
    locked.version += 1
    locked.save()
    audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=locked.jurisdiction,
                 after={"follow_up_done": True}, reason=text)
    return locked


@transaction.atomic
def do_add_attachment(event: OutreachEvent, *, actor: User, name: str, data: bytes | File[Any]) -> Attachment:
    """Attach a photo, slides or a document (the bytes or the uploaded file; checked by the upload policy,
    stored by SHA-256)."""
    require(actor, Permission.OUTREACH_RECORD)
    require_write_in(actor, event.jurisdiction)
    upload = attachments.as_file(name, data)
    checked = attachments.check(upload)
    digest = attachments.store(upload)
    existing = Attachment.objects.filter(event=event, sha256=digest).first()
    if existing is not None:
        return existing
    item = Attachment.objects.create(event=event, sha256=digest, name=checked.name, content_type=checked.content_type,
                                     size=checked.size, uploaded_by=actor, uploaded_at=timezone.now())
    audit.record(AuditAction.CREATE, actor=actor, obj=item, jurisdiction=event.jurisdiction,
                 after={"event": event.pk, "name": checked.name, "sha256": digest, "size": checked.size})
    return item
