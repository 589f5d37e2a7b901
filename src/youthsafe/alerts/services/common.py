"""What the alert services share: who may act on an alert (its owners, and the units it was dispatched to),
moving it through its machine with the step's times and clock, and its current deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from youthsafe.alerts import config, workflow
from youthsafe.alerts.models import Alert, AlertPerson, AlertStatus, Dispatch, FollowUp, IdentityRequest
from youthsafe.core import kernel
from youthsafe.core.models import Jurisdiction, User
from youthsafe.core.workflow import InvalidTransition

NAMES: dict[str, Any] = dict(AlertStatus.choices)
AlertRecord = Alert | AlertPerson | FollowUp | IdentityRequest


def alert_of(record: AlertRecord) -> Alert:
    return record if isinstance(record, Alert) else record.alert


def alert_scope(record: AlertRecord, *args: Any, **kwargs: Any) -> Jurisdiction:
    """For ``kernel.service(scope=...)``: owners of the alert act, in its jurisdiction (or above)."""
    return alert_of(record).jurisdiction


def owns(actor: User, alert: Alert) -> bool:
    """The alert belongs to the actor's jurisdiction (or below): they work it in full."""
    return actor.can_write_in(alert.jurisdiction)


def received_dispatch(actor: User, alert: Alert) -> Dispatch | None:
    """The newest dispatch of ``alert`` to a unit within the actor's jurisdiction, if any."""
    return Dispatch.objects.received_by(actor).filter(alert=alert).order_by("-sent_at", "-id").first()


def owner_or_receiver(record: AlertRecord, *args: Any, actor: User, **kwargs: Any) -> None:
    """For ``kernel.service(check=...)``: owners, and units the alert was dispatched to (they act on the
    person: intervene, outcome, resolve, follow-up, age band)."""
    alert = alert_of(record)
    if not owns(actor, alert) and received_dispatch(actor, alert) is None:
        raise PermissionDenied(_("This alert belongs to a jurisdiction outside yours."))


def lock_alert(alert: Alert) -> Alert:
    """The alert row locked for the rest of the transaction (FOR NO KEY UPDATE of this row only: see
    ``kernel.lock``), with its jurisdiction for the audit row and the notifications."""
    return kernel.lock(alert, related=("jurisdiction",))


def _dispatch_dues(alert: Alert) -> list[dt.datetime]:
    return list(Dispatch.objects.filter(alert_id=alert.pk, acknowledged_at=None).values_list("ack_due_at", flat=True))


def refresh_due(alert: Alert) -> bool:
    """Store the current step's deadline (workflow.current_due) so the queue sorts in the database; True when
    it moved (the caller saves)."""
    due = alert.due_at
    alert.due_at = workflow.current_due(alert, _dispatch_dues(alert))
    return alert.due_at != due


def move(alert: Alert, to: str, *, actor: User | None, now: dt.datetime, reason: str = "",
         changes: dict[str, Any] | None = None) -> None:
    """Move a locked alert through ``workflow.ALERT`` (kernel.transition: history row, audit row), with the
    times of the step and the clock of the next one (workflow.entering)."""
    try:
        workflow.ALERT.check(alert.status, to)
    except InvalidTransition as exc:  # the alert's own message: its Chinese reads as the old pages did
        raise ValidationError(_("An alert that is “%(current)s” cannot become “%(target)s”.") % {
            "current": NAMES.get(exc.current, exc.current), "target": NAMES.get(exc.target, exc.target)}) from exc
    dues = _dispatch_dues(alert) if to == AlertStatus.DISPATCHED else ()
    stamped = workflow.entering(alert, to, now, config.bands(), dues)
    kernel.transition(alert, to, actor=actor, now=now, reason=reason, names=NAMES, locked=True,
                      changes={**stamped, **(changes or {})})
