"""The pure lead workflow and dispatch clocks."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from youthsafe.leads import workflow as w

T0 = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)


def test_transitions() -> None:
    path = [w.NEW, w.VERIFIED, w.DISPATCHED, w.ACKNOWLEDGED, w.FED_BACK, w.CLOSED]
    for a, b in itertools.pairwise(path):
        assert w.can_transition(a, b), (a, b)
    assert not w.can_transition(w.NEW, w.DISPATCHED)  # verify before dispatching
    assert not w.can_transition(w.DISPATCHED, w.FED_BACK)  # acknowledge first
    assert w.can_transition(w.REJECTED, w.NEW)
    assert w.TRANSITIONS[w.MERGED] == frozenset()
    with pytest.raises(w.InvalidTransition):
        w.check_transition(w.CLOSED, w.NEW)
    assert set(w.TRANSITIONS) == set(w.STATES)


def test_clock() -> None:
    due = w.ack_due(T0, 24)
    assert due == T0 + dt.timedelta(hours=24)
    assert w.feedback_due(T0, 7) == T0 + dt.timedelta(days=7)
    assert w.clock(due, None, T0) == w.OK
    assert w.clock(due, None, due - dt.timedelta(hours=1)) == w.DUE_SOON
    assert w.clock(due, None, due) == w.OVERDUE
    assert w.clock(due, T0, due + dt.timedelta(days=1)) == w.DONE
