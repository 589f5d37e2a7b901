"""Every change to the registry is one ``do_*`` call: permission, jurisdiction, validation, audit, commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.access import require_write_in
from youthsafe.core.models import AuditAction, AuditEvent, Jurisdiction, User
from youthsafe.core.roles import Permission
from youthsafe.registry.controls import CONTROLS_BY_ID
from youthsafe.registry.models import ControlStatus, Platform, PlatformControl

EDITABLE_FIELDS: tuple[str, ...] = (
    "name", "kind", "operator", "operator_credit_code", "icp_number", "website", "app_store_ids", "jurisdiction",
    "registered_users", "minor_users", "locally_developed", "locally_operated", "public_opinion",
    "security_officer", "security_officer_phone", "security_officer_email", "status", "notes",
)


PERSONAL_FIELDS: frozenset[str] = frozenset({"security_officer", "security_officer_phone", "security_officer_email"})


def history(platform: Platform, *, actor: User, limit: int = 100) -> list[dict[str, Any]]:
    """The platform's audit rows, newest first, with personal data redacted for readers without the right."""
    events = AuditEvent.objects.filter(object_type="registry.platform", object_id=str(platform.pk))
    rows: list[dict[str, Any]] = []
    for e in events.order_by("-id")[: max(1, min(limit, 500))]:
        before, after = audit.redacted(e, actor)  # contacts hidden as on the audit page (registry/apps.py)
        rows.append({"id": e.id, "time": e.time, "actor": e.actor_label, "action": e.action,
                     "action_label": e.get_action_display(), "before": before, "after": after, "reason": e.reason,
                     "changes": audit.change_rows(before, after, "registry.platform")})
    return rows


class StaleEdit(ValidationError):
    """Somebody saved the record after this form was opened."""


def _apply(platform: Platform, data: Mapping[str, Any]) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    for key, value in data.items():
        setattr(platform, key, value)
    platform.full_clean()


def _check_jurisdiction(actor: User, jurisdiction: Jurisdiction | None) -> None:
    if not isinstance(jurisdiction, Jurisdiction):
        raise ValidationError({"jurisdiction": [_("Choose a jurisdiction.")]})
    require_write_in(actor, jurisdiction)


def _placed(*, actor: User, data: Mapping[str, Any], **_: Any) -> None:
    """A new platform's jurisdiction: chosen, and one the actor may write in."""
    _check_jurisdiction(actor, data.get("jurisdiction"))


def _moved(platform: Platform, *, actor: User, data: Mapping[str, Any], **_: Any) -> None:
    """A platform moved to another jurisdiction: the actor must be able to write there too."""
    if "jurisdiction" in data:
        _check_jurisdiction(actor, data["jurisdiction"])


def _where(platform: Platform, **_: Any) -> Jurisdiction:
    return platform.jurisdiction


@kernel.service(Permission.PLATFORM_ADD, check=_placed)
def do_create_platform(*, actor: User, data: Mapping[str, Any]) -> Platform:
    platform = Platform(created_by=actor)
    _apply(platform, data)
    platform.save()
    audit.record(AuditAction.CREATE, actor=actor, obj=platform, after=audit.snapshot(platform, EDITABLE_FIELDS))
    return platform


@kernel.service(Permission.PLATFORM_CHANGE, scope=_where, check=_moved)
def do_update_platform(
    platform: Platform, *, actor: User, data: Mapping[str, Any], expected_version: int | None = None,
    reason: str = "",
) -> Platform:
    """Change a platform. ``expected_version`` (from the form) refuses to overwrite a newer save."""
    locked = kernel.lock(platform)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(_("Someone else changed this platform after you opened it. Reload and try again."))
    before = audit.snapshot(locked, EDITABLE_FIELDS)
    _apply(locked, data)
    old, new = audit.diff(before, audit.snapshot(locked, EDITABLE_FIELDS))
    if not new:
        return locked
    locked.version += 1
    locked.save()
    audit.record(AuditAction.CHANGE, actor=actor, obj=locked, before=old, after=new, reason=reason)
    return locked


@kernel.service(Permission.PLATFORM_CHANGE, scope=_where)
def do_set_controls(
    platform: Platform, *, actor: User, states: Mapping[str, tuple[str, str]], checked_at: dt.date | None = None
) -> int:
    """Record the state and evidence of baseline controls. ``states`` maps control id -> (status, evidence)."""
    existing = {c.control_id: c for c in platform.controls.all()}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for control_id, (status, evidence) in states.items():
        if control_id not in CONTROLS_BY_ID:
            raise ValidationError(_("Unknown control %(id)s") % {"id": control_id})
        if status not in ControlStatus.values:
            raise ValidationError(_("Unknown control status %(s)s") % {"s": status})
        row = existing.get(control_id) or PlatformControl(platform=platform, control_id=control_id)
        if row.pk is not None and row.status == status and row.evidence == evidence:
            continue
        before[control_id] = {"status": row.status, "evidence": row.evidence} if row.pk else None
        row.status, row.evidence = status, evidence
        row.checked_at, row.checked_by = checked_at, actor
        row.save()
        after[control_id] = {"status": status, "evidence": evidence}
    if after:
        audit.record(AuditAction.CHANGE, actor=actor, obj=platform, before={"controls": before},
                     after={"controls": after})
    return len(after)


def record_view(platform: Platform, *, actor: User) -> None:
    """Viewing a record that holds personal data (the security officer's contacts) is audited."""
    if actor.has_perm_name(Permission.PLATFORM_VIEW_CONTACTS):
        audit.record(AuditAction.VIEW, actor=actor, obj=platform)


def record_list_view(platforms: list[Platform], *, actor: User) -> None:
    """A page of platforms returned with their contacts (the API list) is one VIEW row naming every id."""
    if platforms and actor.has_perm_name(Permission.PLATFORM_VIEW_CONTACTS):
        audit.record(AuditAction.VIEW, actor=actor, object_type="registry.platform",
                     object_repr=_("%(n)d platforms with contacts") % {"n": len(platforms)},
                     jurisdiction=actor.jurisdiction, after={"ids": [p.pk for p in platforms]})
