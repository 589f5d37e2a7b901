"""The outreach event's small state machine and its follow-up deadline (pure functions of ``today``).

planned -> held | cancelled; cancelled -> planned (rescheduled). A held event is final: corrections are edits
(audited), not transitions, so the figures of a signed report can be traced.
"""

from __future__ import annotations

import datetime as dt

TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"held", "cancelled"}),
    "held": frozenset(),
    "cancelled": frozenset({"planned"}),
}


class InvalidTransition(ValueError):
    """The step is not possible from the event's current status."""


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(f"{current} -> {target}")


def check_held_on(held_on: dt.date, today: dt.date) -> None:
    """An event cannot be recorded as held on a day that has not come yet."""
    if held_on > today:
        raise InvalidTransition("held in the future")


def follow_up_state(*, status: str, due: dt.date | None, done: bool, today: dt.date) -> str:
    """``none`` (nothing to follow up), ``done``, ``open`` or ``overdue``."""
    if status != "held" or due is None:
        return "none"
    if done:
        return "done"
    return "overdue" if due < today else "open"


def is_late_to_record(*, status: str, held_on: dt.date, today: dt.date) -> bool:
    """A planned event whose day has passed: someone should record it as held or cancel it."""
    return status == "planned" and held_on < today
