"""The periodic job: mark overdue steps, escalate them to the leader role, retry notifications.

Two copies of the job may run at once (cron overlap, two hosts). Each escalation is a compare-and-swap
(Healthchecks): ``filter(pk=..., version=v, escalated_at=None).update(...)`` changes one row or none, and only
the run whose update changed the row writes the audit row and the notification, so nothing escalates twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from youthsafe.alerts import notifications
from youthsafe.alerts.models import OPEN_STATUSES, Alert, Dispatch
from youthsafe.core import audit
from youthsafe.core.kernel import SYSTEM, now_or
from youthsafe.core.models import AuditAction
from youthsafe.core.roles import Role


@dataclass
class EscalationReport:
    alerts: list[int]
    dispatches: list[int]


def _escalate_alert(alert: Alert, now: dt.datetime) -> bool:
    with transaction.atomic():
        changed = Alert.objects.filter(pk=alert.pk, version=alert.version, escalated_at=None).update(
            escalated_at=now, version=F("version") + 1)
        if changed == 0:
            return False  # another run escalated it, or someone acted on it meanwhile
        assert changed == 1  # noqa: S101  (a primary-key filter matches at most one row)
        audit.record(AuditAction.CHANGE, actor=None, actor_label=SYSTEM, obj=alert, jurisdiction=alert.jurisdiction,
                     after={"escalated_at": now, "status": alert.status, "due_at": alert.due_at},
                     reason="overdue", at=now)
        notifications.enqueue("overdue", alert, roles=[Role.LEADER], place=alert.jurisdiction, now=now,
                              step=alert.status)
    return True


def _escalate_dispatch(dispatch: Dispatch, now: dt.datetime) -> bool:
    with transaction.atomic():
        changed = Dispatch.objects.filter(pk=dispatch.pk, acknowledged_at=None, escalated_at=None).update(
            escalated_at=now)
        if changed == 0:
            return False
        alert = dispatch.alert
        audit.record(AuditAction.CHANGE, actor=None, actor_label=SYSTEM, obj=dispatch,
                     jurisdiction=alert.jurisdiction, after={"escalated_at": now}, reason="dispatch not acknowledged",
                     at=now)
        notifications.enqueue("dispatch_overdue", alert, roles=[Role.LEADER], place=alert.jurisdiction, now=now,
                              unit=dispatch.to_jurisdiction.code, dispatch_id=dispatch.pk)
        # The receiving unit's leaders hear of it too: the case waits on them.
        notifications.enqueue("dispatch_overdue", alert, roles=[Role.LEADER], place=dispatch.to_jurisdiction,
                              now=now, unit=dispatch.to_jurisdiction.code, dispatch_id=dispatch.pk)
    return True


def escalate_overdue(now: dt.datetime | None = None) -> EscalationReport:
    """Escalate every open alert whose current step is past due and every unacknowledged overdue dispatch."""
    now = now_or(now)
    report = EscalationReport([], [])
    overdue = (Alert.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now, escalated_at=None)
               .select_related("jurisdiction").order_by("due_at"))
    for alert in overdue:
        if _escalate_alert(alert, now):
            report.alerts.append(alert.pk)
    late = (Dispatch.objects.filter(acknowledged_at=None, escalated_at=None, ack_due_at__lt=now,
                                    alert__status__in=OPEN_STATUSES)
            .select_related("alert__jurisdiction", "to_jurisdiction"))
    for dispatch in late:
        if _escalate_dispatch(dispatch, now):
            report.dispatches.append(dispatch.pk)
    return report
