"""Shared steps of the alert services: who may act, applying a transition, the current deadline."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.alerts import config, workflow
from youthsafe.alerts.models import Alert, AlertStatus, Dispatch, StatusChange
from youthsafe.core import audit
from youthsafe.core.models import AuditAction, User

SYSTEM = "system"


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def label(actor: User | None) -> str:
    return actor.username if actor is not None else SYSTEM


def owns(actor: User, alert: Alert) -> bool:
    """The alert belongs to the actor's jurisdiction (or below): they work it in full."""
    return actor.can_write_in(alert.jurisdiction)


def received_dispatch(actor: User, alert: Alert) -> Dispatch | None:
    """The newest dispatch of ``alert`` to a unit within the actor's jurisdiction, if any."""
    if actor.jurisdiction is None:
        return None
    return (Dispatch.objects.filter(alert=alert, to_jurisdiction__path__startswith=actor.jurisdiction.path)
            .order_by("-sent_at", "-id").first())


def require_owner(actor: User, alert: Alert) -> None:
    if not owns(actor, alert):
        raise PermissionDenied(_("This alert belongs to a jurisdiction outside yours."))


def require_owner_or_receiver(actor: User, alert: Alert) -> None:
    """Owners, and units the alert was dispatched to (they act on the person: intervene, outcome, resolve)."""
    if not owns(actor, alert) and received_dispatch(actor, alert) is None:
        raise PermissionDenied(_("This alert belongs to a jurisdiction outside yours."))


def require_reason(reason: str, field: str = "reason") -> str:
    """Steps that change a person's or a platform's situation carry a written reason (audited)."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError({field: [_("Give a reason for this step.")]})
    return text


def lock(alert: Alert) -> Alert:
    """The alert row, locked for the rest of the transaction (two reviewers never interleave a change).

    FOR NO KEY UPDATE, of this row only. FOR UPDATE (and of every joined row, the jurisdiction too) would also
    block the foreign-key checks of concurrent inserts that point at these rows: ingestion adding a post to
    the alert, every new post of the jurisdiction. Those checks run at commit, while the audit chain lock is
    held, and two ingestion workers deadlocked that way (benchmarks/ingest_throughput.py, 2 processes)."""
    return Alert.objects.select_for_update(of=("self",), no_key=True).select_related("jurisdiction").get(pk=alert.pk)


def refresh_due(alert: Alert) -> None:
    """Store the current step's deadline (workflow.current_due) so the queue can sort in the database."""
    dues = list(Dispatch.objects.filter(alert_id=alert.pk, acknowledged_at=None).values_list("ack_due_at", flat=True))
    alert.due_at = workflow.current_due(alert, dues)


def apply_transition(alert: Alert, to: str, *, actor: User | None, now: dt.datetime, reason: str = "") -> StatusChange:
    """Transition (pure), stamp the step times, restart the clock, store the flip and the audit row."""
    flip = workflow.transition(alert, to, actor=label(actor), now=now, reason=reason)
    if to == AlertStatus.ACKNOWLEDGED:
        alert.acknowledged_at = alert.acknowledged_at or now  # a reopen keeps the first acknowledgement
        alert.act_due_at = workflow.act_due(alert.level, now, config.bands())
        alert.resolved_at = None
        alert.closed_at = None
    elif to == AlertStatus.RESOLVED:
        alert.resolved_at = now
    elif to == AlertStatus.CLOSED:
        alert.closed_at = now
    alert.escalated_at = None  # a new step has a new clock; its own lateness escalates again
    refresh_due(alert)
    alert.version += 1
    alert.save()
    change = StatusChange.objects.create(alert=alert, from_status=flip.from_status, to_status=flip.to_status,
                                         actor=actor, actor_label=label(actor), reason=reason, at=now)
    audit.record(AuditAction.TRANSITION, actor=actor, obj=alert, jurisdiction=alert.jurisdiction,
                 before={"status": flip.from_status}, after={"status": flip.to_status}, reason=reason,
                 actor_label=label(actor))
    return change


def to_validation(exc: workflow.InvalidTransition) -> ValidationError:
    """An impossible step as a message in the user's language."""
    names = dict(AlertStatus.choices)
    return ValidationError(_("An alert that is “%(current)s” cannot become “%(target)s”.") % {
        "current": names.get(exc.current, exc.current), "target": names.get(exc.target, exc.target)})
