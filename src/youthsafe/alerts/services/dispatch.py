"""Hand-overs across jurisdictions (网安预警、多警协作、跨地联动) and identity requests to platforms (调证)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from youthsafe.alerts import config, notifications, workflow
from youthsafe.alerts.models import Alert, AlertStatus, Dispatch, DispatchStatus, IdentityRequest, IdentityStatus
from youthsafe.alerts.services.common import (
    apply_transition,
    lock,
    now_or,
    refresh_due,
    require_owner,
    require_reason,
    to_validation,
)
from youthsafe.core import audit
from youthsafe.core.access import require
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission, Role
from youthsafe.registry.models import Platform


@transaction.atomic
def do_dispatch(alert: Alert, *, actor: User, to: Jurisdiction, shared_note: str,
                now: dt.datetime | None = None) -> Dispatch:
    """Hand the alert to a responding unit in any jurisdiction, including another city.

    ``shared_note`` is all the receiver reads besides the level, categories, evidence and post texts: write
    what they need to act. A new alert is acknowledged on the way (an emergency is not held up by a click).
    """
    require(actor, Permission.ALERT_DISPATCH)
    require_owner(actor, alert)
    note = require_reason(shared_note, "shared_note")
    if not isinstance(to, Jurisdiction):
        raise ValidationError({"to_jurisdiction": [_("Choose a unit.")]})
    now = now_or(now)
    locked = lock(alert)
    try:
        if locked.status == AlertStatus.NEW:
            apply_transition(locked, AlertStatus.ACKNOWLEDGED, actor=actor, now=now, reason=note)
        dispatch = Dispatch.objects.create(
            alert=locked, to_jurisdiction=to, shared_note=note, sent_by=actor, sent_at=now,
            ack_due_at=workflow.dispatch_ack_due(locked.level, now, config.bands()))
        if locked.status != AlertStatus.DISPATCHED:
            apply_transition(locked, AlertStatus.DISPATCHED, actor=actor, now=now, reason=note)
        else:
            refresh_due(locked)
            locked.version += 1
            locked.save()
    except workflow.InvalidTransition as exc:
        raise to_validation(exc) from exc
    audit.record(AuditAction.CREATE, actor=actor, obj=dispatch, jurisdiction=locked.jurisdiction,
                 after={"alert": locked.pk, "to": to.pk, "shared_note": note})
    notifications.enqueue("dispatch", locked, roles=[Role.RESPONDER, Role.LEADER], place=to, now=now,
                          include_subtree=True, unit=to.code, dispatch_id=dispatch.pk)
    return dispatch


def _require_receiver(actor: User, dispatch: Dispatch) -> None:
    place = actor.jurisdiction
    if not actor.writes_all_jurisdictions and (place is None or not dispatch.to_jurisdiction.is_within(place)):
        raise PermissionDenied(_("This dispatch was sent to another unit."))


@transaction.atomic
def do_acknowledge_dispatch(dispatch: Dispatch, *, actor: User, now: dt.datetime | None = None) -> Dispatch:
    """The receiving unit confirms it has the case (before its deadline, or it escalates)."""
    require(actor, Permission.ALERT_RESPOND)
    _require_receiver(actor, dispatch)
    now = now_or(now)
    locked = (Dispatch.objects.select_for_update(of=("self", "alert"), no_key=True)
              .select_related("alert", "to_jurisdiction").get(pk=dispatch.pk))
    if locked.acknowledged_at is not None:
        return locked
    locked.acknowledged_at, locked.acknowledged_by, locked.status = now, actor, DispatchStatus.ACKNOWLEDGED
    locked.save()
    alert = lock(locked.alert)
    refresh_due(alert)
    alert.version += 1
    alert.save()
    audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=alert.jurisdiction,
                 after={"status": locked.status})
    return locked


@transaction.atomic
def do_report_back(dispatch: Dispatch, *, actor: User, report: str, now: dt.datetime | None = None) -> Dispatch:
    """The receiving unit tells the sender what it did (acknowledging on the way if it had not)."""
    require(actor, Permission.ALERT_RESPOND)
    _require_receiver(actor, dispatch)
    text = require_reason(report, "report")
    now = now_or(now)
    locked = Dispatch.objects.select_for_update(no_key=True).select_related("alert").get(pk=dispatch.pk)
    if locked.acknowledged_at is None:
        locked.acknowledged_at, locked.acknowledged_by = now, actor
    locked.report = f"{locked.report}\n\n{text}".strip() if locked.report else text
    locked.reported_back_at, locked.reported_by, locked.status = now, actor, DispatchStatus.REPORTED
    locked.save()
    alert = lock(locked.alert)
    refresh_due(alert)
    alert.version += 1
    alert.save()
    audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=alert.jurisdiction,
                 after={"status": locked.status, "report": text})
    return locked


@transaction.atomic
def do_request_identity(alert: Alert, *, actor: User, legal_basis: str, platform: Platform | None = None,
                        platform_name: str = "", author_key: str = "", now: dt.datetime | None = None
                        ) -> IdentityRequest:
    """Record a request to a platform for the account holder's identity (调证), with its legal basis
    (e.g. 《网络安全法》第28条: operators assist public security organs)."""
    require(actor, Permission.ALERT_DISPATCH)
    require_owner(actor, alert)
    basis = require_reason(legal_basis, "legal_basis")
    if platform is None and not platform_name.strip():
        raise ValidationError({"platform_name": [_("Name the platform asked.")]})
    request = IdentityRequest.objects.create(
        alert=alert, platform=platform, platform_name=platform_name.strip() or (platform.name if platform else ""),
        author_key=author_key, legal_basis=basis, requested_by=actor, requested_at=now_or(now))
    audit.record(AuditAction.CREATE, actor=actor, obj=request, jurisdiction=alert.jurisdiction,
                 after={"alert": alert.pk, "platform": request.platform_name, "legal_basis": basis}, reason=basis)
    return request


@transaction.atomic
def do_record_identity_response(request: IdentityRequest, *, actor: User, response: str, refused: bool = False,
                                now: dt.datetime | None = None) -> IdentityRequest:
    """The platform's answer. It may hold personal data: only owners of the alert ever see it."""
    require(actor, Permission.ALERT_DISPATCH)
    require_owner(actor, request.alert)
    text = require_reason(response, "response")
    locked = IdentityRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
    locked.response, locked.responded_by, locked.responded_at = text, actor, now_or(now)
    locked.status = IdentityStatus.REFUSED if refused else IdentityStatus.ANSWERED
    locked.save()
    # The response itself is not copied into the audit log: the log is read by auditors who need not see it.
    audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=request.alert.jurisdiction,
                 after={"status": locked.status})
    return locked
