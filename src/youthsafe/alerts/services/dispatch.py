"""Hand-overs across jurisdictions (网安预警、多警协作、跨地联动: core hand-offs) and identity requests to
platforms (调证)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from youthsafe.alerts import config, notifications, workflow
from youthsafe.alerts.models import Alert, AlertStatus, Dispatch, IdentityRequest, IdentityStatus
from youthsafe.alerts.services.common import alert_scope, lock_alert, move, refresh_due
from youthsafe.core import audit, handoff, kernel
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission, Role
from youthsafe.registry.models import Platform


@kernel.service(Permission.ALERT_DISPATCH, scope=alert_scope)
def do_dispatch(alert: Alert, *, actor: User, to: Jurisdiction, shared_note: str,
                now: dt.datetime | None = None) -> Dispatch:
    """Hand the alert to a responding unit in any jurisdiction, including another city.

    ``shared_note`` is all the receiver reads besides the level, categories, evidence and post texts: write
    what they need to act. A new alert is acknowledged on the way (an emergency is not held up by a click).
    """
    note = kernel.require_text(shared_note, "shared_note")
    if not isinstance(to, Jurisdiction):
        raise ValidationError({"to_jurisdiction": [_("Choose a unit.")]})
    now = kernel.now_or(now)
    locked = lock_alert(alert)
    if locked.status == AlertStatus.NEW:
        move(locked, AlertStatus.ACKNOWLEDGED, actor=actor, now=now, reason=note)
    dispatch = handoff.send(Dispatch, locked, to=to, note=note, actor=actor, now=now,
                            ack_due_at=workflow.dispatch_ack_due(locked.level, now, config.bands()))
    if locked.status != AlertStatus.DISPATCHED:
        move(locked, AlertStatus.DISPATCHED, actor=actor, now=now, reason=note)
    else:
        _save_due(locked)
    notifications.enqueue("dispatch", locked, roles=[Role.RESPONDER, Role.LEADER], place=to, now=now,
                          include_subtree=True, unit=to.code, dispatch_id=dispatch.pk)
    return dispatch


def _save_due(alert: Alert) -> None:
    """The alert's current deadline after one of its dispatches moved (new, acknowledged, reported)."""
    if refresh_due(alert):
        alert.version += 1
        alert.save(update_fields=["due_at", "version"])


def _receiver(dispatch: Dispatch, *args: Any, actor: User, **kwargs: Any) -> None:
    handoff.require_receiver(actor, dispatch)


@kernel.service(Permission.ALERT_RESPOND, check=_receiver)
def do_acknowledge_dispatch(dispatch: Dispatch, *, actor: User, now: dt.datetime | None = None) -> Dispatch:
    """The receiving unit confirms it has the case (before its deadline, or it escalates); a second
    acknowledgement changes nothing."""
    alert = lock_alert(dispatch.alert)  # the alert first, as every alert step takes it: no lock-order deadlock
    done = handoff.acknowledge(dispatch, actor=actor, now=kernel.now_or(now))
    _save_due(alert)
    return done


@kernel.service(Permission.ALERT_RESPOND, check=_receiver)
def do_report_back(dispatch: Dispatch, *, actor: User, report: str, now: dt.datetime | None = None) -> Dispatch:
    """The receiving unit tells the sender what it did (acknowledging on the way if it had not)."""
    text = kernel.require_text(report, "report")
    alert = lock_alert(dispatch.alert)
    done = handoff.report_back(dispatch, actor=actor, text=text, now=kernel.now_or(now))
    _save_due(alert)
    return done


@kernel.service(Permission.ALERT_DISPATCH, scope=alert_scope)
def do_request_identity(alert: Alert, *, actor: User, legal_basis: str, platform: Platform | None = None,
                        platform_name: str = "", author_key: str = "", now: dt.datetime | None = None
                        ) -> IdentityRequest:
    """Record a request to a platform for the account holder's identity (调证), with its legal basis
    (e.g. 《网络安全法》第28条: operators assist public security organs)."""
    basis = kernel.require_text(legal_basis, "legal_basis")
    if platform is None and not platform_name.strip():
        raise ValidationError({"platform_name": [_("Name the platform asked.")]})
    now = kernel.now_or(now)
    request = IdentityRequest.objects.create(
        alert=alert, platform=platform, platform_name=platform_name.strip() or (platform.name if platform else ""),
        author_key=author_key, legal_basis=basis, requested_by=actor, requested_at=now)
    audit.record(AuditAction.CREATE, actor=actor, obj=request, jurisdiction=alert.jurisdiction,
                 after={"alert": alert.pk, "platform": request.platform_name, "legal_basis": basis}, reason=basis,
                 at=now)
    return request


@kernel.service(Permission.ALERT_DISPATCH, scope=alert_scope)
def do_record_identity_response(request: IdentityRequest, *, actor: User, response: str, refused: bool = False,
                                now: dt.datetime | None = None) -> IdentityRequest:
    """The platform's answer. It may hold personal data: only owners of the alert ever see it."""
    text = kernel.require_text(response, "response")
    now = kernel.now_or(now)
    locked = kernel.lock(request)
    locked.response, locked.responded_by, locked.responded_at = text, actor, now
    locked.status = IdentityStatus.REFUSED if refused else IdentityStatus.ANSWERED
    locked.save()
    # The response itself is not copied into the audit log: the log is read by auditors who need not see it.
    audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=request.alert.jurisdiction,
                 after={"status": locked.status}, at=now)
    return locked
