"""Every change to outreach records is one ``do_*`` service (``core.kernel.service`` declares the permission and
the jurisdiction; one transaction), every status change goes through ``kernel.transition`` (status history and
audit row). Edits use the record's ``version`` as compare-and-swap, so two people editing the same event
cannot silently overwrite each other. ``now`` is the time of the step (the clock by default)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.access import require_write_in
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission
from youthsafe.core.workflow import InvalidTransition
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

STATES = dict(EventStatus.choices)


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


def _not_in_future(day: dt.date, now: dt.datetime) -> None:
    try:
        workflow.check_held_on(day, timezone.localdate(now))
    except InvalidTransition as exc:
        raise ValidationError({"held_on": [_("A held event cannot be dated in the future.")]}) from exc


def _event_place(event: OutreachEvent, *_args: Any, **_kw: Any) -> Jurisdiction:
    return event.jurisdiction


def _chosen_place(**kw: Any) -> Jurisdiction | None:
    """Where a new event is recorded; with none chosen yet, the actor's own (the data check names the field)."""
    place = kw["data"].get("jurisdiction")
    return place if isinstance(place, Jurisdiction) else kw["actor"].jurisdiction


def _may_move(event: OutreachEvent, **kw: Any) -> None:
    """An edit that moves the event to another jurisdiction needs the right to write there too."""
    place = kw["data"].get("jurisdiction")
    if isinstance(place, Jurisdiction):
        require_write_in(kw["actor"], place)


@kernel.service(Permission.OUTREACH_RECORD, scope=_chosen_place)
def do_create_event(*, actor: User, data: Mapping[str, Any], materials: Mapping[str, int] | None = None,
                    held: bool = False, now: dt.datetime | None = None) -> OutreachEvent:
    """Record an event: planned, or (``held``) already held, which is how most events are recorded."""
    now = kernel.now_or(now)
    values = _clean(data)
    if held:
        _not_in_future(values["held_on"], now)
    event = OutreachEvent.objects.create(**values, status=EventStatus.HELD if held else EventStatus.PLANNED,
                                         created_by=actor, created_at=now)
    _save_materials(event, _materials(materials or {}))
    audit.record(AuditAction.CREATE, actor=actor, obj=event, jurisdiction=event.jurisdiction, after=_state(event),
                 at=now)
    return event


@kernel.service(Permission.OUTREACH_RECORD, scope=_event_place, check=_may_move)
def do_update_event(event: OutreachEvent, *, actor: User, data: Mapping[str, Any],
                    materials: Mapping[str, int] | None = None, version: int | None = None,
                    now: dt.datetime | None = None) -> OutreachEvent:
    """Edit an event. ``version`` is the version the editor saw: if someone saved in between, nothing changes
    and the editor is told to reload."""
    now = kernel.now_or(now)
    values = _clean({**{k: getattr(event, k) for k in EDITABLE}, **data})
    if event.status == EventStatus.HELD:
        _not_in_future(values["held_on"], now)
    before = _state(event)
    seen = event.version if version is None else version
    changed = OutreachEvent.objects.filter(pk=event.pk, version=seen).update(**values, version=F("version") + 1,
                                                                                updated_at=now)
    if changed != 1:
        raise ValidationError(_("Someone else changed this event meanwhile. Reload it and make your change again."))
    fresh = OutreachEvent.objects.get(pk=event.pk)
    if materials is not None:
        _save_materials(fresh, _materials(materials))
    old, new = audit.diff(before, _state(fresh))
    if new:
        audit.record(AuditAction.CHANGE, actor=actor, obj=fresh, jurisdiction=fresh.jurisdiction, before=old,
                     after=new, at=now)
    return fresh


@kernel.service(Permission.OUTREACH_RECORD, scope=_event_place)
def do_mark_held(event: OutreachEvent, *, actor: User, audience: int, materials: Mapping[str, int] | None = None,
                 held_on: dt.date | None = None, now: dt.datetime | None = None) -> OutreachEvent:
    """A planned event took place: record the audience and what was handed out."""
    now = kernel.now_or(now)
    day = held_on or event.held_on
    _not_in_future(day, now)
    if not isinstance(audience, int) or audience < 0:
        raise ValidationError({"audience": [_("The audience is a whole number, 0 or more.")]})
    handed_out = _materials(materials) if materials is not None else None
    kernel.transition(event, EventStatus.HELD, actor=actor, now=now, changes={"audience": audience, "held_on": day},
                      names=STATES)
    if handed_out is not None:
        _save_materials(event, handed_out)
    return event


@kernel.service(Permission.OUTREACH_RECORD, scope=_event_place)
def do_cancel(event: OutreachEvent, *, actor: User, reason: str, now: dt.datetime | None = None) -> OutreachEvent:
    text = kernel.require_text(reason)
    kernel.transition(event, EventStatus.CANCELLED, actor=actor, now=now, reason=text,
                      changes={"cancel_reason": text}, names=STATES)
    return event


@kernel.service(Permission.OUTREACH_RECORD, scope=_event_place)
def do_reschedule(event: OutreachEvent, *, actor: User, held_on: dt.date,
                  now: dt.datetime | None = None) -> OutreachEvent:
    kernel.transition(event, EventStatus.PLANNED, actor=actor, now=now, changes={"held_on": held_on}, names=STATES)
    return event


@kernel.service(Permission.OUTREACH_RECORD, scope=_event_place)
def do_complete_follow_up(event: OutreachEvent, *, actor: User, note: str,
                          now: dt.datetime | None = None) -> OutreachEvent:
    """The follow-up of a held event is done (a school's feedback, a second visit); ``note`` says what."""
    text = kernel.require_text(note, "note", _("Say what the follow-up found."))
    now = kernel.now_or(now)
    locked = kernel.lock(event)
    if locked.status != EventStatus.HELD:
        raise ValidationError(_("Only a held event has a follow-up."))
    if locked.follow_up_done_at is not None:
        raise ValidationError(_("The follow-up is already done."))
    locked.follow_up = f"{locked.follow_up}\n{text}".strip()
    locked.follow_up_done_at = now
    locked.version += 1
    locked.save()
    audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=locked.jurisdiction,
                 after={"follow_up_done": True}, reason=text, at=now)
    return locked


@kernel.service(Permission.OUTREACH_RECORD, scope=_event_place)
def do_add_attachment(event: OutreachEvent, *, actor: User, name: str, data: bytes | File[Any],
                      now: dt.datetime | None = None) -> Attachment:
    """Attach a photo, slides or a document (the bytes or the uploaded file; checked by the upload policy,
    stored by SHA-256)."""
    now = kernel.now_or(now)
    upload = attachments.as_file(name, data)
    checked = attachments.check(upload)
    digest = attachments.store(upload)
    existing = Attachment.objects.filter(event=event, sha256=digest).first()
    if existing is not None:
        return existing
    item = Attachment.objects.create(event=event, sha256=digest, name=checked.name, content_type=checked.content_type,
                                     size=checked.size, uploaded_by=actor, uploaded_at=now)
    audit.record(AuditAction.CREATE, actor=actor, obj=item, jurisdiction=event.jurisdiction, at=now,
                 after={"event": event.pk, "name": checked.name, "sha256": digest, "size": checked.size})
    return item
