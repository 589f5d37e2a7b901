"""The lead machine and the deadlines of a dispatched lead: pure Python.

new → verified → dispatched → acknowledged → fed_back → closed. A lead found unfounded is rejected (and may
be reopened); a duplicate is merged into the lead it repeats. Reporting upward (上报) is a separate fact of a
verified lead, not a state: a lead can be reported upward and dispatched. The dispatch itself is a hand-off
(``core.handoff``); the lead's dispatched/acknowledged/fed_back states move in step with it.

A linked investigation's platform check (一案双查) is decided once: pending → referred | no_issue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from youthsafe.core.workflow import DeadlineRule, machine

NEW = "new"
VERIFIED = "verified"
DISPATCHED = "dispatched"
ACKNOWLEDGED = "acknowledged"
FED_BACK = "fed_back"
CLOSED = "closed"
REJECTED = "rejected"
MERGED = "merged"
STATES: tuple[str, ...] = (NEW, VERIFIED, DISPATCHED, ACKNOWLEDGED, FED_BACK, CLOSED, REJECTED, MERGED)
OPEN: frozenset[str] = frozenset({NEW, VERIFIED, DISPATCHED, ACKNOWLEDGED, FED_BACK})
# Reporting upward needs a verified lead that is still open or closed with a result.
REPORTABLE: frozenset[str] = frozenset({VERIFIED, DISPATCHED, ACKNOWLEDGED, FED_BACK, CLOSED})

HANDLE, DISPATCH, RESPOND = "lead:handle", "lead:dispatch", "lead:respond"


def _stamp(field: str) -> DeadlineRule:
    def rule(_record: Any, now: dt.datetime) -> Mapping[str, Any]:
        return {field: now}

    return rule


MACHINE = machine("lead", {
    NEW: {VERIFIED, REJECTED, MERGED},
    VERIFIED: {DISPATCHED, CLOSED, MERGED},
    DISPATCHED: {ACKNOWLEDGED, MERGED},
    ACKNOWLEDGED: {FED_BACK},
    FED_BACK: {CLOSED, DISPATCHED},
    CLOSED: set(),
    REJECTED: {NEW},
    MERGED: set(),
}, permission=HANDLE, permissions={DISPATCHED: DISPATCH, ACKNOWLEDGED: RESPOND, FED_BACK: RESPOND},
    reason_required=(VERIFIED, REJECTED, CLOSED, MERGED, (REJECTED, NEW)),
    deadlines={VERIFIED: _stamp("verified_at"), REJECTED: _stamp("verified_at"), CLOSED: _stamp("closed_at")})

PENDING, REFERRED, NO_ISSUE = "pending", "referred", "no_issue"
CHECK_MACHINE = machine("case_check", {PENDING: {REFERRED, NO_ISSUE}, REFERRED: set(), NO_ISSUE: set()},
                        field="check_status", permission="case:handle", reason_required=(REFERRED, NO_ISSUE),
                        deadlines={REFERRED: _stamp("checked_at"), NO_ISSUE: _stamp("checked_at")})

DEFAULT_ACK_HOURS = 24
DEFAULT_FEEDBACK_DAYS = 7


def ack_due(sent_at: dt.datetime, hours: int = DEFAULT_ACK_HOURS) -> dt.datetime:
    return sent_at + dt.timedelta(hours=hours)


def feedback_due(sent_at: dt.datetime, days: int = DEFAULT_FEEDBACK_DAYS) -> dt.datetime:
    return sent_at + dt.timedelta(days=days)
