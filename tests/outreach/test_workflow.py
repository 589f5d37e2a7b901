"""The outreach event's state machine and follow-up deadline are pure functions."""

from __future__ import annotations

import datetime as dt

import pytest

from youthsafe.core.workflow import InvalidTransition
from youthsafe.outreach import workflow
from youthsafe.outreach.models import EventStatus

TODAY = dt.date(2023, 6, 1)


def test_transitions_table_covers_every_status() -> None:
    assert set(workflow.MACHINE.table) == set(EventStatus.values)
    workflow.MACHINE.check("planned", "held")
    workflow.MACHINE.check("planned", "cancelled")
    workflow.MACHINE.check("cancelled", "planned")
    for current, target in (("held", "planned"), ("held", "cancelled"), ("cancelled", "held"), ("planned", "x")):
        with pytest.raises(InvalidTransition):
            workflow.MACHINE.check(current, target)


def test_held_cannot_be_in_the_future() -> None:
    workflow.check_held_on(TODAY, TODAY)
    with pytest.raises(InvalidTransition):
        workflow.check_held_on(TODAY + dt.timedelta(days=1), TODAY)


@pytest.mark.parametrize(("status", "due", "done", "state"), [
    ("planned", TODAY, False, "none"), ("held", None, False, "none"), ("held", TODAY, True, "done"),
    ("held", TODAY, False, "open"), ("held", TODAY - dt.timedelta(days=1), False, "overdue"),
])
def test_follow_up_state(status: str, due: dt.date | None, done: bool, state: str) -> None:
    assert workflow.follow_up_state(status=status, due=due, done=done, today=TODAY) == state


def test_late_to_record() -> None:
    assert workflow.is_late_to_record(status="planned", held_on=TODAY - dt.timedelta(days=1), today=TODAY)
    assert not workflow.is_late_to_record(status="planned", held_on=TODAY, today=TODAY)
    assert not workflow.is_late_to_record(status="held", held_on=TODAY - dt.timedelta(days=9), today=TODAY)
