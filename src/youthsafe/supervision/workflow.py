"""Supervision state machines and deadlines: pure Python, no Django (style-anchors rules 1 and 2).

Five records move through states, each declared once with ``core.workflow.machine`` (which state may follow
which, the permission of each move, the moves that need a written reason): inspections, rectification orders,
sanctions, security assessments and referrals. The kernel (``core.kernel.transition``) stores every move with
its history and audit row. The enforcement ladder of regulatory-reference.md section 4.1 (R0 to R8) is one more
table, kept twice under two history names: an order's stage (``LADDER``) and a platform's stage before and
around its orders (``PLATFORM_LADDER``). ``ladder_step`` adds the legal hinge of the whole ladder, the
documented refusal to rectify (拒不改正): a fine, a business restriction or a closure needs the refusal or serious
circumstances, a criminal referral (刑法 Art. 286-1) needs the refusal itself.

Deadlines are pure functions of stored dates and ``today`` (Healthchecks' ``get_status``): the page, the API
and the nightly job always agree. No period is hard-coded here; callers pass the configured values.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from youthsafe.core.workflow import InvalidTransition, Machine, machine

# The permissions of the moves (``core.roles.Permission`` values; this module stays free of Django).
CONDUCT, SIGN, ISSUE = "inspection:conduct", "inspection:sign", "order:issue"
PROPOSE, APPROVE, REVIEW = "sanction:propose", "sanction:approve", "assessment:review"


# --- Inspections -------------------------------------------------------------------------------------------
PLANNED = "planned"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"  # checklist done, findings written: waiting for the signature
SIGNED = "signed"
CANCELLED = "cancelled"

INSPECTION = machine("inspection", {
    PLANNED: {IN_PROGRESS, CANCELLED},
    IN_PROGRESS: {COMPLETED, CANCELLED},
    COMPLETED: {SIGNED, IN_PROGRESS},  # the signer may send it back for correction
    SIGNED: set(),
    CANCELLED: set(),
}, permission=CONDUCT, permissions={SIGNED: SIGN, (COMPLETED, IN_PROGRESS): SIGN},
    reason_required={CANCELLED, (COMPLETED, IN_PROGRESS)})

# --- Rectification orders (责令限期改正) -------------------------------------------------------------------
DRAFT = "draft"
ISSUED = "issued"  # numbered and signed out
DELIVERED = "delivered"  # served on the platform: the deadline runs from the delivery date
OVERDUE = "overdue"  # the deadline passed with no evidence of rectification (set by the nightly job)
EVIDENCE = "evidence"  # the platform's evidence of rectification received, re-check pending
RECTIFIED = "rectified"  # re-check passed
REFUSED = "refused"  # refusal to rectify recorded, with its evidence: the gateway to R5-R8
WITHDRAWN = "withdrawn"



def _flagged_overdue(order: Any, now: dt.datetime) -> Mapping[str, Any]:
    """Entering ``overdue`` (the nightly job) stamps when it was flagged: the overdue figure counts by it."""
    return {"overdue_at": now}


ORDER = machine("order", {
    DRAFT: {ISSUED, WITHDRAWN},
    ISSUED: {DELIVERED, WITHDRAWN},
    DELIVERED: {EVIDENCE, OVERDUE, REFUSED},
    OVERDUE: {EVIDENCE, REFUSED},
    # A failed re-check sends the order back to wait on the same deadline (overdue again if it has passed).
    EVIDENCE: {RECTIFIED, DELIVERED, REFUSED},
    # A platform that refused may still comply later (after a sanction): the re-check can still pass.
    REFUSED: {EVIDENCE},
    RECTIFIED: set(),
    WITHDRAWN: set(),
}, permission=ISSUE, reason_required={WITHDRAWN, REFUSED, RECTIFIED, (EVIDENCE, DELIVERED)},
    deadlines={OVERDUE: _flagged_overdue})
ORDER_OPEN: frozenset[str] = frozenset({DRAFT, ISSUED, DELIVERED, OVERDUE, EVIDENCE, REFUSED})
ORDER_WAITING: frozenset[str] = frozenset({DELIVERED, OVERDUE})  # waiting on the platform

# --- Sanctions -----------------------------------------------------------------------------------------------
PROPOSED = "proposed"
APPROVED = "approved"
REJECTED = "rejected"
IN_EFFECT = "in_effect"  # carried out (a website shut, an app removed, a disconnection started)
LIFTED = "lifted"  # a disconnection or suspension ended (reconnection)
REVOKED = "revoked"  # an approved sanction not carried out after all

SANCTION = machine("sanction", {
    PROPOSED: {APPROVED, REJECTED, WITHDRAWN},
    APPROVED: {IN_EFFECT, REVOKED},
    IN_EFFECT: {LIFTED},
    REJECTED: set(),
    WITHDRAWN: set(),
    REVOKED: set(),
    LIFTED: set(),
}, permission=PROPOSE, permissions={APPROVED: APPROVE, REJECTED: APPROVE, REVOKED: APPROVE},
    reason_required={REJECTED, REVOKED, WITHDRAWN})

# Sanction kinds (values shared with models.SanctionKind) and the ladder stage each belongs to.
WARNING = "warning"
FINE = "fine"
SUSPENSION = "suspension"
DISCONNECTION = "disconnection"
WEBSITE_SHUTDOWN = "website_shutdown"
APP_REMOVAL = "app_removal"
CRIMINAL_REFERRAL = "criminal_referral"
TIMED_KINDS: frozenset[str] = frozenset({SUSPENSION, DISCONNECTION})  # have an end date and are lifted

# --- Security assessments (2018 Provisions) ------------------------------------------------------------------
REQUESTED = "requested"  # triggered (T1-T5): the provider must assess and report
RECEIVED = "received"  # the self-assessment report is in: item-by-item review
PASSED = "passed"
FAILED = "failed"  # verdict: measures do not control the risk; a follow-up order goes out
REASSESS = "reassess"  # 限期重新评估: items missing or method clearly inappropriate

ASSESSMENT = machine("assessment", {
    REQUESTED: {RECEIVED, CANCELLED},
    RECEIVED: {PASSED, FAILED, REASSESS},
    REASSESS: {RECEIVED, CANCELLED},
    PASSED: set(),
    FAILED: set(),
    CANCELLED: set(),
}, permission=REVIEW, reason_required={PASSED, FAILED, REASSESS, CANCELLED})

# --- Referrals from other modules: a person takes one up (an inspection or an order) or dismisses it ----------
OPEN = "open"
TAKEN = "taken"
DISMISSED = "dismissed"

# Taking a referral up is part of opening the inspection or drafting the order (their permission applies).
REFERRAL = machine("referral", {OPEN: {TAKEN, DISMISSED}, TAKEN: set(), DISMISSED: set()},
                   permissions={DISMISSED: CONDUCT}, reason_required={TAKEN, DISMISSED})

MACHINES: dict[str, Machine] = {m.name: m for m in (INSPECTION, ORDER, SANCTION, ASSESSMENT, REFERRAL)}

# --- The enforcement ladder (regulatory-reference 4.1) -------------------------------------------------------
R0, R1, R2, R3, R3A, R4, R5, R6, R7, R8 = "R0", "R1", "R2", "R3", "R3a", "R4", "R5", "R6", "R7", "R8"
LADDER_TABLE: dict[str, set[str]] = {
    R0: {R1, R2, R3, R3A},
    R1: {R0, R2, R3},
    R2: {R0, R3},
    # Rectified on the order's own terms (the re-check passed) -> R0; a first-instance fine or restriction
    # in serious cases.
    R3: {R0, R4, R5, R6, R7},
    R3A: {R0, R3, R4},
    R4: {R0, R3, R5, R6, R7, R8},  # re-check passed -> R0; failed -> a new order or sanctions
    R5: {R0, R6, R7, R8},
    R6: {R0, R5, R7, R8},  # reconnected after rectification -> R0
    R7: {R8},
    R8: set(),
}
# The stage of an order (history under the order) and of a platform (history under the platform). A stage
# moves as part of another step (a re-check, a refusal, an approved sanction, an interview), whose service
# declares the permission; ``ladder_step`` adds the legal hinge the table cannot say.
LADDER = machine("ladder", LADDER_TABLE, field="stage")
PLATFORM_LADDER = machine("platform_ladder", LADDER_TABLE, field="stage")
# Stages that need the documented refusal or serious circumstances; R8 needs the refusal itself.
NEEDS_REFUSAL_OR_SERIOUS: frozenset[str] = frozenset({R5, R6, R7})
NEEDS_REFUSAL: frozenset[str] = frozenset({R8})
LADDER_RANK: dict[str, int] = {stage: rank for rank, stage in enumerate(LADDER.states)}

SANCTION_STAGE: dict[str, str] = {
    WARNING: R3, FINE: R5, SUSPENSION: R6, DISCONNECTION: R6, APP_REMOVAL: R6, WEBSITE_SHUTDOWN: R7,
    CRIMINAL_REFERRAL: R8,
}


def ladder_step(current: str, target: str, *, refused: bool, serious: bool) -> str:
    """The next ladder stage, or :class:`InvalidTransition` when the table or the legal hinge forbids it."""
    LADDER.check(current, target)
    if target in NEEDS_REFUSAL and not refused:
        raise InvalidTransition("ladder", current, target, "a criminal referral needs a documented refusal")
    if target in NEEDS_REFUSAL_OR_SERIOUS and not (refused or serious):
        raise InvalidTransition("ladder", current, target, "needs a documented refusal or serious circumstances")
    return target


def ladder_above(stage: str, other: str) -> bool:
    """Whether ``stage`` is further up the ladder than ``other`` (R3a sits between R3 and R4)."""
    return LADDER_RANK[stage] > LADDER_RANK[other]


def sanction_allowed(kind: str, *, refused: bool, serious: bool) -> bool:
    """Whether a sanction of ``kind`` may be proposed on an order, given the refusal fact (pure)."""
    stage = SANCTION_STAGE[kind]
    if stage in NEEDS_REFUSAL:
        return refused
    if stage in NEEDS_REFUSAL_OR_SERIOUS:
        return refused or serious
    return True


# --- Deadlines -----------------------------------------------------------------------------------------------
def assessment_report_due(requested_on: dt.date, working_days: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """When a requested (or re-ordered) self-assessment report is due: ``working_days`` working days after the
    request (2018 Provisions Art. 7: within 30 working days for triggers T3-T5 [U]; T1/T2 reports are due
    before going live, which a person may set as an earlier date)."""
    if working_days <= 0:
        raise ValueError("the report period must be at least one working day")
    return add_working_days(requested_on, working_days, holidays)


def undelivered_too_long(issued_on: dt.date | None, today: dt.date, days: int) -> bool:
    """An issued order not served on the platform more than ``days`` days after its issue date."""
    return issued_on is not None and (today - issued_on).days > days


def rectification_deadline(delivered_on: dt.date, days: int) -> dt.date:
    """The last day to rectify: ``days`` calendar days after delivery (the notice names this date)."""
    if days <= 0:
        raise ValueError("the rectification period must be at least one day")
    return delivered_on + dt.timedelta(days=days)


def is_overdue(deadline: dt.date | None, today: dt.date) -> bool:
    """Overdue from the day after the deadline: the deadline day itself is still in time."""
    return deadline is not None and today > deadline


def days_left(deadline: dt.date | None, today: dt.date) -> int | None:
    return None if deadline is None else (deadline - today).days


def add_working_days(start: dt.date, days: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """``days`` working days after ``start`` (Monday to Friday, skipping ``holidays``)."""
    off = set(holidays)
    current = start
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            left -= 1
    return current


def recheck_due(deadline: dt.date, evidence_on: dt.date | None, working_days: int,
                holidays: Iterable[dt.date] = ()) -> dt.date:
    """Re-check within ``working_days`` of the deadline, or of an early request (evidence before it)."""
    start = min(deadline, evidence_on) if evidence_on is not None else deadline
    return add_working_days(start, working_days, holidays)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def next_inspection_due(last_inspected: dt.date | None, plan_start: dt.date, interval_months: int) -> dt.date:
    """When a platform under a plan is next due: ``interval_months`` after its last signed inspection, or the
    plan's start when it was never inspected under it."""
    if interval_months <= 0:
        raise ValueError("the inspection interval must be at least one month")
    if last_inspected is None:
        return plan_start
    return max(plan_start, add_months(last_inspected, interval_months))


DUE_OK = "ok"
DUE_SOON = "due_soon"
DUE_OVERDUE = "overdue"


def schedule_state(due: dt.date, today: dt.date, soon_days: int) -> str:
    """ok / due_soon (within ``soon_days``, the due day included) / overdue (after the due day)."""
    if today > due:
        return DUE_OVERDUE
    if (due - today).days <= soon_days:
        return DUE_SOON
    return DUE_OK


def latest_end(start: dt.date, max_months: int) -> dt.date:
    """The last allowed end date of a disconnection or suspension starting on ``start``."""
    return add_months(start, max_months)


def disconnection_end(start: dt.date, end: dt.date | None, max_months: int) -> dt.date:
    """The end of a disconnection or suspension: required, after the start, at most ``max_months`` later
    (停止联网 up to 6 months, MPS measures Arts. 20-21). Raises ValueError otherwise."""
    if end is None:
        raise ValueError("a disconnection needs an end date")
    if end <= start:
        raise ValueError("the end date must be after the start")
    if end > latest_end(start, max_months):
        raise ValueError(f"at most {max_months} months")
    return end


PLATFORM_RISK_LOW = "low"
PLATFORM_RISK_MEDIUM = "medium"
PLATFORM_RISK_HIGH = "high"


def platform_risk(minor_users: int, *, public_opinion: bool, open_orders: int, high_minors: int,
                  medium_minors: int) -> str:
    """A platform's inspection risk band from what the registry and our records know: minor users, public-
    opinion functions, orders still open. Thresholds come from settings."""
    if open_orders > 0 or minor_users >= high_minors:
        return PLATFORM_RISK_HIGH
    if public_opinion or minor_users >= medium_minors:
        return PLATFORM_RISK_MEDIUM
    return PLATFORM_RISK_LOW
