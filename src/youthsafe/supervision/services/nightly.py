"""The nightly job: flag overdue orders and plans, disconnections past their end date, orders issued but not
delivered within the configured days, and security-assessment reports past their due date.

Two runs may overlap (cron on two hosts, a slow night). An order moves to ``overdue`` through
``kernel.transition`` under its row lock, and only when it is still the delivered order at the version the run
read: the second run finds it moved on and writes nothing. The other flags are compare-and-swap updates
(``filter(pk=..., <still>, <stamp>=None).update(...)``, one row or none: only the run whose update changed the
row audits it). Plan flags are rows with a unique (plan, platform, due date): the second insert fails inside
its savepoint and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction
from youthsafe.supervision import config
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import Assessment, InspectionPlan, PlanOverdue, RectificationOrder, Sanction
from youthsafe.supervision.services.common import NAMES, PLACED
from youthsafe.supervision.services.inspections import calendar

DEADLINE_PASSED = "deadline passed"  # the reason of the system's move (the pages show it translated)


@dataclass
class NightlyReport:
    orders: list[int] = field(default_factory=list)
    plans: list[tuple[int, int]] = field(default_factory=list)  # (plan, platform)
    sanctions: list[int] = field(default_factory=list)  # timed sanctions past their end date
    undelivered: list[int] = field(default_factory=list)  # orders issued but not delivered in time
    assessments: list[int] = field(default_factory=list)  # assessment reports past their due date


def _flag_order(order: RectificationOrder, now: dt.datetime) -> bool:
    """Move a delivered order past its deadline to ``overdue`` (the machine stamps ``overdue_at``), unless it
    changed since it was read: another run flagged it, or someone recorded evidence meanwhile."""
    with transaction.atomic():
        locked = kernel.lock(order, related=PLACED)
        if (locked.status, locked.version) != (wf.DELIVERED, order.version):
            return False
        kernel.transition(locked, wf.OVERDUE, actor=None, now=now, reason=DEADLINE_PASSED, locked=True,
                          names=NAMES[wf.ORDER.name])
    return True


def _flag_plan(plan: InspectionPlan, platform_id: int, due: dt.date, now: dt.datetime, platform_repr: str) -> bool:
    try:
        with transaction.atomic():
            PlanOverdue.objects.create(plan=plan, platform_id=platform_id, due_date=due, flagged_at=now)
            audit.record(AuditAction.CHANGE, actor=None, actor_label=kernel.SYSTEM, obj=plan,
                         after={"overdue_platform": platform_id, "platform": platform_repr, "due": due},
                         reason="inspection overdue", at=now)
    except IntegrityError:
        return False  # flagged before (this night or an earlier one)
    return True


def _flag_once(obj: Any, still: dict[str, Any], stamp: str, now: dt.datetime, *, shown: dict[str, Any],
               reason: str) -> bool:
    """Stamp ``obj``'s ``stamp`` field with ``now`` if it is unset and the row still matches ``still`` (one
    compare-and-swap UPDATE), and audit it; only the run whose update changed the row audits, so two runs
    never flag the same thing twice."""
    with transaction.atomic():
        changed = type(obj).objects.filter(pk=obj.pk, **still, **{stamp: None}).update(**{stamp: now})
        if changed == 0:
            return False  # flagged by another run, or its state moved on meanwhile
        audit.record(AuditAction.CHANGE, actor=None, actor_label=kernel.SYSTEM, obj=obj, after={stamp: now, **shown},
                     reason=reason, at=now)
    return True


def _flag_sanction(sanction: Sanction, now: dt.datetime) -> bool:
    return _flag_once(sanction, {"status": wf.IN_EFFECT}, "end_flagged_at", now, shown={"end_date": sanction.end_date},
                      reason="end date reached")


def _flag_undelivered(order: RectificationOrder, now: dt.datetime) -> bool:
    """Flag (once) an order still issued and not delivered."""
    return _flag_once(order, {"status": wf.ISSUED}, "undelivered_flagged_at", now,
                      shown={"issued_on": order.issued_on}, reason="not delivered")


def _flag_assessment(assessment: Assessment, now: dt.datetime) -> bool:
    return _flag_once(assessment, {"status__in": [wf.REQUESTED, wf.REASSESS], "report_due": assessment.report_due},
                      "report_late_at", now, shown={"report_due": assessment.report_due}, reason="report late")


def run(today: dt.date | None = None, now: dt.datetime | None = None) -> NightlyReport:
    """Flag what is late as of ``today``; idempotent (a second run flags nothing new)."""
    today = kernel.today_or(today)
    now = kernel.now_or(now)
    report = NightlyReport()
    for order in RectificationOrder.objects.filter(status=wf.DELIVERED, deadline__lt=today).order_by("deadline"):
        if wf.is_overdue(order.deadline, today) and _flag_order(order, now):
            report.orders.append(order.pk)
    for due in calendar(InspectionPlan.objects.all(), today):
        if due.state == wf.DUE_OVERDUE and _flag_plan(due.plan, due.platform.pk, due.due, now, str(due.platform)):
            report.plans.append((due.plan.pk, due.platform.pk))
    ending = Sanction.objects.filter(status=wf.IN_EFFECT, kind__in=wf.TIMED_KINDS, end_date__lt=today,
                                     end_flagged_at=None)
    for sanction in ending:
        if _flag_sanction(sanction, now):
            report.sanctions.append(sanction.pk)
    days = config.undelivered_days()
    waiting = RectificationOrder.objects.filter(status=wf.ISSUED, undelivered_flagged_at=None,
                                                issued_on__lt=today - dt.timedelta(days=days))
    for order in waiting.order_by("issued_on", "id"):
        if wf.undelivered_too_long(order.issued_on, today, days) and _flag_undelivered(order, now):
            report.undelivered.append(order.pk)
    late = Assessment.objects.filter(status__in=[wf.REQUESTED, wf.REASSESS], report_due__lt=today,
                                     report_late_at=None)
    for assessment in late.order_by("report_due", "id"):
        if _flag_assessment(assessment, now):
            report.assessments.append(assessment.pk)
    return report
