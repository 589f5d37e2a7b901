"""The pure content workflow: transitions, categories, action by tier, deadlines."""

from __future__ import annotations

import datetime as dt

import pytest

from youthsafe.content import workflow as w
from youthsafe.core.workflow import InvalidTransition

T0 = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)


def test_transitions() -> None:
    assert w.ITEM.can(w.RECORDED, w.INSTRUCTED)
    assert w.ITEM.can(w.CONFIRMED, w.HANDLED)
    assert not w.ITEM.can(w.RECORDED, w.HANDLED)  # never handled without instruction and confirmation
    assert not w.ITEM.can(w.INSTRUCTED, w.HANDLED)
    assert w.ITEM.table[w.HANDLED] == frozenset()
    with pytest.raises(InvalidTransition):
        w.ITEM.check(w.HANDLED, w.RECORDED)
    assert w.ITEM.terminal == {w.HANDLED}


def test_welfare_and_design_categories_are_never_items() -> None:
    with pytest.raises(w.CategoryError, match="welfare"):
        w.item_categories(["W01"])
    with pytest.raises(w.CategoryError, match="inspection"):
        w.item_categories(["D01"])
    with pytest.raises(w.CategoryError, match="unknown"):
        w.item_categories(["X99"])
    with pytest.raises(w.CategoryError):
        w.item_categories([])
    assert w.item_categories(["A09", "A01", "A01"]) == ["A01", "A09"]


def test_tier_b_only_content_is_labelled_not_removed() -> None:
    assert w.action_for(["B08"]) == w.LABEL
    assert w.action_for(["B08", "B01"]) == w.LABEL
    assert w.action_for(["B08", "A01"]) == w.REMOVE
    assert w.action_for(["C02"]) == w.REMOVE
    assert w.tier_of(["B01", "C01"]) == "C"


def test_deadlines_and_sla() -> None:
    due = w.deadline(T0, w.REMOVE, remove_hours=24)
    assert due == T0 + dt.timedelta(hours=24)
    assert w.deadline(T0, w.LABEL, label_hours=72) == T0 + dt.timedelta(hours=72)
    clock = w.InstructionClock(w.I_PENDING, due, None)
    assert w.sla(clock, T0) == w.OK
    assert w.sla(clock, due - dt.timedelta(hours=1)) == w.DUE_SOON
    assert w.sla(clock, due) == w.OVERDUE
    assert w.may_escalate(clock, due + dt.timedelta(minutes=1))
    assert not w.may_escalate(clock, T0)
    done = w.InstructionClock(w.I_CONFIRMED, due, due + dt.timedelta(hours=5))
    assert w.sla(done, due + dt.timedelta(days=3)) == w.DONE
    assert not w.may_escalate(done, due + dt.timedelta(days=3))
