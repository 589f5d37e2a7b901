"""The lead state machine and dispatch deadlines: pure Python.

new → verified → dispatched → acknowledged → fed_back → closed. A lead found unfounded is rejected (and may
be reopened); a duplicate is merged into the lead it repeats. Reporting upward (上报) is a separate fact of a
verified lead, not a state: a lead can be reported upward and dispatched.
"""

from __future__ import annotations

import datetime as dt

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

TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({VERIFIED, REJECTED, MERGED}),
    VERIFIED: frozenset({DISPATCHED, CLOSED, MERGED}),
    DISPATCHED: frozenset({ACKNOWLEDGED, MERGED}),
    ACKNOWLEDGED: frozenset({FED_BACK}),
    FED_BACK: frozenset({CLOSED, DISPATCHED}),
    CLOSED: frozenset(),
    REJECTED: frozenset({NEW}),
    MERGED: frozenset(),
}
# Reporting upward needs a verified lead that is still open or closed with a result.
REPORTABLE: frozenset[str] = frozenset({VERIFIED, DISPATCHED, ACKNOWLEDGED, FED_BACK, CLOSED})

DEFAULT_ACK_HOURS = 24
DEFAULT_FEEDBACK_DAYS = 7

OK = "ok"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
DONE = "done"


class InvalidTransition(Exception):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"cannot move from {current} to {target}")
        self.current = current
        self.target = target


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_transition(current: str, target: str) -> None:
    if not can_transition(current, target):
        raise InvalidTransition(current, target)


def ack_due(sent_at: dt.datetime, hours: int = DEFAULT_ACK_HOURS) -> dt.datetime:
    return sent_at + dt.timedelta(hours=hours)


def feedback_due(sent_at: dt.datetime, days: int = DEFAULT_FEEDBACK_DAYS) -> dt.datetime:
    return sent_at + dt.timedelta(days=days)


def clock(due: dt.datetime, done_at: dt.datetime | None, now: dt.datetime,
          soon: dt.timedelta = dt.timedelta(hours=2)) -> str:
    """done once the step happened; overdue past ``due``; due_soon in the last ``soon``; else ok."""
    if done_at is not None:
        return DONE
    if now >= due:
        return OVERDUE
    if now >= due - soon:
        return DUE_SOON
    return OK
