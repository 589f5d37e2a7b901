"""The supervision state machines and deadline functions (pure, no database)."""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from youthsafe.core.workflow import Machine
from youthsafe.supervision import workflow as wf

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@dataclass
class Rec:
    status: str


def _pairs(machine: Machine) -> list[tuple[str, str, str, bool]]:
    return [(machine.name, a, b, machine.can(a, b)) for a in machine.states for b in machine.states]


ALL_PAIRS = [p for m in (wf.INSPECTION, wf.ORDER, wf.SANCTION, wf.ASSESSMENT) for p in _pairs(m)]


@pytest.mark.parametrize(("machine", "current", "target", "allowed"), ALL_PAIRS,
                         ids=[f"{m}:{a}->{b}" for m, a, b, _ in ALL_PAIRS])
def test_every_transition_is_allowed_or_refused_as_the_table_says(machine: str, current: str, target: str,
                                                                   allowed: bool) -> None:
    rec = Rec(current)
    if allowed:
        flip = wf.MACHINES[machine].move(rec, target, actor="u", now=NOW, reason="r")
        assert rec.status == target
        assert (flip.from_status, flip.to_status, flip.machine) == (current, target, machine)
    else:
        with pytest.raises(wf.InvalidTransition):
            wf.MACHINES[machine].move(rec, target, actor="u", now=NOW)
        assert rec.status == current  # a refused step changes nothing


def test_tables_name_the_expected_paths() -> None:
    # The life of an inspection, an order that ends in refusal, and a disconnection.
    assert wf.INSPECTION.can(wf.PLANNED, wf.IN_PROGRESS)
    assert wf.INSPECTION.can(wf.COMPLETED, wf.SIGNED)
    assert not wf.INSPECTION.can(wf.IN_PROGRESS, wf.SIGNED)  # no signature before the checklist is done
    assert wf.INSPECTION.terminal == {wf.SIGNED, wf.CANCELLED}
    assert [wf.ORDER.can(a, b) for a, b in [(wf.DRAFT, wf.ISSUED), (wf.ISSUED, wf.DELIVERED),
                                            (wf.DELIVERED, wf.OVERDUE), (wf.OVERDUE, wf.REFUSED)]] == [True] * 4
    assert not wf.ORDER.can(wf.DRAFT, wf.DELIVERED)  # never served before it is issued
    assert not wf.ORDER.can(wf.RECTIFIED, wf.REFUSED)
    assert wf.ORDER.terminal == {wf.RECTIFIED, wf.WITHDRAWN}
    assert wf.SANCTION.can(wf.PROPOSED, wf.APPROVED)
    assert wf.SANCTION.can(wf.IN_EFFECT, wf.LIFTED)
    assert not wf.SANCTION.can(wf.PROPOSED, wf.IN_EFFECT)  # never carried out without approval
    assert wf.ASSESSMENT.can(wf.REASSESS, wf.RECEIVED)


LADDER_PAIRS = [(a, b) for a in wf.LADDER.states for b in wf.LADDER.states]


@pytest.mark.parametrize(("current", "target"), LADDER_PAIRS, ids=[f"{a}->{b}" for a, b in LADDER_PAIRS])
def test_ladder_steps_with_and_without_the_refusal(current: str, target: str) -> None:
    if not wf.LADDER.can(current, target):
        for refused in (False, True):
            with pytest.raises(wf.InvalidTransition):
                wf.ladder_step(current, target, refused=refused, serious=True)
        return
    assert wf.ladder_step(current, target, refused=True, serious=False) == target
    if target == wf.R8:
        with pytest.raises(wf.InvalidTransition, match="refusal"):
            wf.ladder_step(current, target, refused=False, serious=True)
    elif target in {wf.R5, wf.R6, wf.R7}:
        with pytest.raises(wf.InvalidTransition):
            wf.ladder_step(current, target, refused=False, serious=False)
        assert wf.ladder_step(current, target, refused=False, serious=True) == target
    else:
        assert wf.ladder_step(current, target, refused=False, serious=False) == target


@pytest.mark.parametrize("kind", sorted(wf.SANCTION_STAGE))
def test_sanction_needs_the_refusal_fact(kind: str) -> None:
    assert wf.sanction_allowed(kind, refused=True, serious=False)
    stage = wf.SANCTION_STAGE[kind]
    assert wf.sanction_allowed(kind, refused=False, serious=False) is (stage in {wf.R3})
    assert wf.sanction_allowed(kind, refused=False, serious=True) is (stage != wf.R8)


def test_rectification_deadline_and_overdue_boundary() -> None:
    delivered = dt.date(2026, 3, 2)
    deadline = wf.rectification_deadline(delivered, 15)
    assert deadline == dt.date(2026, 3, 17)
    assert wf.rectification_deadline(delivered, 1) == dt.date(2026, 3, 3)
    with pytest.raises(ValueError, match="at least one day"):
        wf.rectification_deadline(delivered, 0)
    assert not wf.is_overdue(deadline, deadline)  # the deadline day is still in time
    assert not wf.is_overdue(deadline, deadline - dt.timedelta(days=1))
    assert wf.is_overdue(deadline, deadline + dt.timedelta(days=1))
    assert not wf.is_overdue(None, deadline)
    assert wf.days_left(deadline, deadline) == 0
    assert wf.days_left(deadline, dt.date(2026, 3, 18)) == -1
    assert wf.days_left(None, deadline) is None


def test_working_days_and_recheck() -> None:
    friday = dt.date(2026, 3, 6)
    assert wf.add_working_days(friday, 1) == dt.date(2026, 3, 9)  # over the weekend
    assert wf.add_working_days(friday, 3) == dt.date(2026, 3, 11)
    assert wf.add_working_days(friday, 1, holidays=[dt.date(2026, 3, 9)]) == dt.date(2026, 3, 10)
    assert wf.add_working_days(friday, 0) == friday
    deadline = dt.date(2026, 3, 17)  # Tuesday
    assert wf.recheck_due(deadline, None, 3) == dt.date(2026, 3, 20)
    assert wf.recheck_due(deadline, dt.date(2026, 3, 10), 3) == dt.date(2026, 3, 13)  # early request
    assert wf.recheck_due(deadline, dt.date(2026, 3, 19), 3) == dt.date(2026, 3, 20)  # late evidence: deadline


def test_plan_schedule_boundaries() -> None:
    start = dt.date(2026, 1, 1)
    assert wf.next_inspection_due(None, start, 3) == start
    assert wf.next_inspection_due(dt.date(2026, 1, 31), start, 1) == dt.date(2026, 2, 28)  # short month
    assert wf.next_inspection_due(dt.date(2025, 11, 30), start, 3) == dt.date(2026, 2, 28)
    assert wf.next_inspection_due(dt.date(2025, 1, 1), start, 3) == start  # never before the plan starts
    with pytest.raises(ValueError, match="at least one month"):
        wf.next_inspection_due(None, start, 0)
    due = dt.date(2026, 4, 1)
    assert wf.schedule_state(due, due, 14) == wf.DUE_SOON
    assert wf.schedule_state(due, due - dt.timedelta(days=14), 14) == wf.DUE_SOON
    assert wf.schedule_state(due, due - dt.timedelta(days=15), 14) == wf.DUE_OK
    assert wf.schedule_state(due, due + dt.timedelta(days=1), 14) == wf.DUE_OVERDUE
    assert wf.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert wf.add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)


def test_disconnection_at_most_the_configured_months() -> None:
    start = dt.date(2026, 1, 31)
    assert wf.latest_end(start, 6) == dt.date(2026, 7, 31)
    assert wf.disconnection_end(start, dt.date(2026, 7, 31), 6) == dt.date(2026, 7, 31)
    with pytest.raises(ValueError, match="at most 6 months"):
        wf.disconnection_end(start, dt.date(2026, 8, 1), 6)
    with pytest.raises(ValueError, match="after the start"):
        wf.disconnection_end(start, start, 6)
    with pytest.raises(ValueError, match="end date"):
        wf.disconnection_end(start, None, 6)
    assert wf.disconnection_end(start, dt.date(2026, 2, 1), 6) == dt.date(2026, 2, 1)


def test_platform_risk_bands() -> None:
    kw = {"high_minors": 100_000, "medium_minors": 10_000}
    assert wf.platform_risk(100_000, public_opinion=False, open_orders=0, **kw) == wf.PLATFORM_RISK_HIGH
    assert wf.platform_risk(99_999, public_opinion=False, open_orders=0, **kw) == wf.PLATFORM_RISK_MEDIUM
    assert wf.platform_risk(9_999, public_opinion=False, open_orders=0, **kw) == wf.PLATFORM_RISK_LOW
    assert wf.platform_risk(0, public_opinion=True, open_orders=0, **kw) == wf.PLATFORM_RISK_MEDIUM
    assert wf.platform_risk(0, public_opinion=False, open_orders=1, **kw) == wf.PLATFORM_RISK_HIGH


def test_workflow_imports_no_django() -> None:
    tree = ast.parse(Path(wf.__file__).read_text(encoding="utf-8"))
    names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [n for n in names if n.startswith("django")]
