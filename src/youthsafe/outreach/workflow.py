"""The outreach event's machine and its follow-up deadline (pure functions of ``today``).

planned -> held | cancelled; cancelled -> planned (rescheduled). A held event is final: corrections are edits
(audited), not transitions, so the figures of a signed report can be traced. Cancelling needs a reason.
"""

from __future__ import annotations

import datetime as dt

from youthsafe.core.workflow import InvalidTransition, machine

PLANNED, HELD, CANCELLED = "planned", "held", "cancelled"

MACHINE = machine("event", {
    PLANNED: {HELD, CANCELLED},
    HELD: set(),
    CANCELLED: {PLANNED},
}, permission="outreach:record", reason_required=(CANCELLED,))


def check_held_on(held_on: dt.date, today: dt.date) -> None:
    """An event cannot be recorded as held on a day that has not come yet."""
    if held_on > today:
        raise InvalidTransition(MACHINE.name, PLANNED, HELD, "held in the future")


def follow_up_state(*, status: str, due: dt.date | None, done: bool, today: dt.date) -> str:
    """``none`` (nothing to follow up), ``done``, ``open`` or ``overdue``."""
    if status != HELD or due is None:
        return "none"
    if done:
        return "done"
    return "overdue" if due < today else "open"


def is_late_to_record(*, status: str, held_on: dt.date, today: dt.date) -> bool:
    """A planned event whose day has passed: someone should record it as held or cancel it."""
    return status == PLANNED and held_on < today
