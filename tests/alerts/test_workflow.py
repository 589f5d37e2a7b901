"""workflow.py: every allowed and refused transition, deadline boundaries, SLA states, queue order."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import itertools
from dataclasses import dataclass

import pytest

from youthsafe.alerts import workflow as wf
from youthsafe.core.workflow import InvalidTransition

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)


@dataclass
class Obj:
    status: str
    level: int = 9
    ack_due_at: dt.datetime = T0
    act_due_at: dt.datetime | None = None


ALLOWED = {
    ("new", "acknowledged"), ("new", "closed"),
    ("acknowledged", "dispatched"), ("acknowledged", "in_intervention"), ("acknowledged", "resolved"),
    ("acknowledged", "closed"),
    ("dispatched", "in_intervention"), ("dispatched", "resolved"), ("dispatched", "closed"),
    ("in_intervention", "dispatched"), ("in_intervention", "resolved"), ("in_intervention", "closed"),
    ("resolved", "closed"), ("resolved", "acknowledged"), ("closed", "acknowledged"),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(wf.STATES, wf.STATES)))
def test_every_pair_is_allowed_or_refused(current: str, target: str) -> None:
    obj = Obj(current)
    if (current, target) in ALLOWED:
        flip = wf.ALERT.move(obj, target, actor="u", now=T0, reason="r")
        assert obj.status == target
        assert (flip.from_status, flip.to_status, flip.actor, flip.at, flip.reason) == (current, target, "u", T0, "r")
    else:
        with pytest.raises(InvalidTransition) as info:
            wf.ALERT.move(obj, target, actor="u", now=T0)
        assert obj.status == current
        assert (info.value.current, info.value.target) == (current, target)


def test_table_matches_the_list() -> None:
    assert {(a, b) for a, bs in wf.TRANSITIONS.items() for b in bs} == ALLOWED


@pytest.mark.parametrize(("level", "ack", "act", "dispatch_ack"), [
    (10, 10, 30, 30), (9, 10, 30, 30), (8, 60, 240, 120), (7, 60, 240, 120), (6, 1440, 2880, 1440),
    (5, 1440, 2880, 1440), (0, 1440, 2880, 1440),
])
def test_deadlines_by_level(level: int, ack: int, act: int, dispatch_ack: int) -> None:
    assert wf.ack_due(level, T0) == T0 + ack * MIN
    assert wf.act_due(level, T0) == T0 + act * MIN
    assert wf.dispatch_ack_due(level, T0) == T0 + dispatch_ack * MIN


def test_sla_boundaries_exactly() -> None:
    due = T0 + 10 * MIN  # level 9: a 10-minute step; due soon in its last quarter (2.5 minutes)
    assert wf.sla_state("new", 9, due, T0) == wf.OK
    assert wf.sla_state("new", 9, due, due - dt.timedelta(seconds=151)) == wf.OK
    assert wf.sla_state("new", 9, due, due - dt.timedelta(seconds=150)) == wf.DUE_SOON
    assert wf.sla_state("new", 9, due, due) == wf.DUE_SOON  # the deadline moment itself is still on time
    assert wf.sla_state("new", 9, due, due + dt.timedelta(microseconds=1)) == wf.OVERDUE
    assert wf.sla_state("resolved", 9, due, due + MIN) == wf.OK
    assert wf.sla_state("in_intervention", 9, None, due + MIN) == wf.OK


def test_current_due_per_step() -> None:
    alert = Obj("new", ack_due_at=T0, act_due_at=T0 + MIN)
    assert wf.current_due(alert) == T0
    alert.status = "acknowledged"
    assert wf.current_due(alert) == T0 + MIN
    alert.status = "dispatched"
    assert wf.current_due(alert, [T0 + 5 * MIN, T0 + 3 * MIN]) == T0 + 3 * MIN
    assert wf.current_due(alert, []) is None
    alert.status = "in_intervention"
    assert wf.current_due(alert) is None


def test_queue_order_overdue_then_level_then_time_left() -> None:
    now = T0
    rows = {
        "late_low": ("new", 6, now - MIN), "high_soon": ("new", 10, now + MIN),
        "high_later": ("new", 10, now + 9 * MIN), "mid": ("acknowledged", 8, now + MIN),
        "late_high": ("new", 9, now - 2 * MIN), "no_due": ("in_intervention", 10, None),
    }
    order = sorted(rows, key=lambda k: wf.sort_key(*rows[k], now))
    assert order == ["late_high", "late_low", "high_soon", "high_later", "no_due", "mid"]


def test_configurable_bands() -> None:
    bands = wf.parse_bands('[{"min_level": 0, "acknowledge": 5, "act": 6, "dispatch_ack": 7},'
                           ' {"min_level": 8, "acknowledge": 1, "act": 2, "dispatch_ack": 3}]')
    assert wf.ack_due(8, T0, bands) == T0 + MIN
    assert wf.ack_due(7, T0, bands) == T0 + 5 * MIN
    assert wf.parse_bands(None) == wf.DEFAULT_BANDS
    with pytest.raises(ValueError, match="level 0"):
        wf.parse_bands('[{"min_level": 5, "acknowledge": 1, "act": 1, "dispatch_ack": 1}]')
    with pytest.raises(ValueError, match="bad deadline"):
        wf.parse_bands('[{"min_level": 0, "acknowledge": 0, "act": 1, "dispatch_ack": 1}]')


def test_claim_staleness() -> None:
    assert wf.claim_is_stale(None, T0, 30)
    assert not wf.claim_is_stale(T0, T0 + 30 * MIN, 30)
    assert wf.claim_is_stale(T0, T0 + 30 * MIN + dt.timedelta(seconds=1), 30)


def test_workflow_imports_no_django() -> None:
    tree = ast.parse(inspect.getsource(wf))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and m.startswith("django") for m in modules)
