"""The lead machine and the dispatch clocks."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from youthsafe.core.handoff import DONE, DUE_SOON, OK, OVERDUE, clock
from youthsafe.core.workflow import InvalidTransition
from youthsafe.leads import workflow as w

T0 = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)


def test_transitions() -> None:
    path = [w.NEW, w.VERIFIED, w.DISPATCHED, w.ACKNOWLEDGED, w.FED_BACK, w.CLOSED]
    for a, b in itertools.pairwise(path):
        assert w.MACHINE.can(a, b), (a, b)
    assert not w.MACHINE.can(w.NEW, w.DISPATCHED)  # verify before dispatching
    assert not w.MACHINE.can(w.DISPATCHED, w.FED_BACK)  # acknowledge first
    assert w.MACHINE.can(w.REJECTED, w.NEW)
    assert w.MACHINE.table[w.MERGED] == frozenset()
    with pytest.raises(InvalidTransition):
        w.MACHINE.check(w.CLOSED, w.NEW)
    assert set(w.MACHINE.table) == set(w.STATES)


def test_clock() -> None:
    due = w.ack_due(T0, 24)
    assert due == T0 + dt.timedelta(hours=24)
    assert w.feedback_due(T0, 7) == T0 + dt.timedelta(days=7)
    assert clock(due, None, T0) == OK
    assert clock(due, None, due - dt.timedelta(hours=1)) == DUE_SOON
    assert clock(due, None, due) == OVERDUE
    assert clock(due, T0, due + dt.timedelta(days=1)) == DONE
