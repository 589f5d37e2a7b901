"""Gauges of early warning for /metrics (core/observability.py): open and overdue alerts, the outbox."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from youthsafe.alerts.models import OPEN_STATUSES, Alert, Notification
from youthsafe.core.observability import Sample


def collect() -> list[Sample]:
    now = timezone.now()
    open_alerts = Alert.objects.filter(status__in=OPEN_STATUSES)
    by_level = dict(open_alerts.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    samples = [Sample("youthsafe_alerts_open", by_level.get(level, 0), "Open alerts by risk level",
                      {"level": str(level)}) for level in range(11)]
    samples += [
        Sample("youthsafe_alerts_overdue", open_alerts.filter(due_at__lt=now).count(),
               "Open alerts whose current step is past its deadline"),
        Sample("youthsafe_notifications_pending", Notification.objects.filter(sent_at=None).count(),
               "Notifications in the outbox not yet delivered"),
    ]
    return samples
