"""The declarative state machine every app's records move through: pure Python, no Django.

A :class:`Machine` is a name, its states and its transitions. A transition says which states it leaves from,
the state it reaches, the permission it needs (a ``resource:action`` name, checked by the kernel), whether a
written reason is required, and an optional deadline rule (the fields to stamp on entering the state, as a
pure function of the record and ``now``: Healthchecks' ``get_status`` spirit, so pages, API and jobs agree).

``Machine.check`` refuses anything the table does not list with the one :class:`InvalidTransition` of the
product. Storing the move (row lock, save, history, audit in one transaction) is ``core.kernel.transition``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# A deadline rule: given the record (already in its new state) and ``now``, the fields to set.
DeadlineRule = Callable[[Any, dt.datetime], Mapping[str, Any]]


class InvalidTransition(Exception):
    """A record cannot move from its state to the one asked for (``why`` names a rule beyond the table)."""

    def __init__(self, machine: str, current: str, target: str, why: str = "") -> None:
        super().__init__(f"{machine}: cannot move from {current} to {target}{f' ({why})' if why else ''}")
        self.machine = machine
        self.current = current
        self.target = target
        self.why = why


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    permission: str | None = None
    reason_required: bool = False
    deadline: DeadlineRule | None = None


@dataclass(frozen=True)
class Flip:
    """One move, as the kernel stores it in the history and the audit log."""

    machine: str
    from_status: str
    to_status: str
    actor: str
    at: dt.datetime
    reason: str


@dataclass(frozen=True)
class Machine:
    name: str
    states: tuple[str, ...]
    transitions: tuple[Transition, ...]
    field: str = "status"
    _index: dict[tuple[str, str], Transition] = dataclasses.field(
        default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        known = set(self.states)
        for move in self.transitions:
            for state in (*move.sources, move.target):
                if state not in known:
                    raise ValueError(f"{self.name}: unknown state {state!r}")
            for source in move.sources:
                if (source, move.target) in self._index:
                    raise ValueError(f"{self.name}: {source} -> {move.target} is declared twice")
                self._index[(source, move.target)] = move

    @property
    def table(self) -> dict[str, frozenset[str]]:
        """state -> the states it may move to (the form the old per-app tables had)."""
        return {s: frozenset(t for (src, t) in self._index if src == s) for s in self.states}

    @property
    def terminal(self) -> frozenset[str]:
        return frozenset(s for s, targets in self.table.items() if not targets)

    def find(self, current: str, target: str) -> Transition | None:
        return self._index.get((current, target))

    def can(self, current: str, target: str) -> bool:
        return (current, target) in self._index

    def check(self, current: str, target: str) -> Transition:
        move = self.find(current, target)
        if move is None:
            raise InvalidTransition(self.name, current, target)
        return move

    def move(self, obj: Any, target: str, *, actor: str, now: dt.datetime, reason: str = "") -> Flip:
        """Check the table, set the state on ``obj`` and return the flip (no storage: see the kernel)."""
        current = getattr(obj, self.field)
        rule = self.check(current, target)
        if rule.reason_required and not reason.strip():
            raise InvalidTransition(self.name, current, target, "a reason is required")
        setattr(obj, self.field, target)
        return Flip(self.name, current, target, actor, now, reason)


def machine(name: str, table: Mapping[str, Iterable[str]], *, field: str = "status",
            permission: str | None = None, permissions: Mapping[str | tuple[str, str], str] | None = None,
            reason_required: Iterable[str | tuple[str, str]] = (),
            deadlines: Mapping[str, DeadlineRule] | None = None) -> Machine:
    """A machine from a ``state -> reachable states`` table.

    ``permission`` applies to every move unless ``permissions`` names one for the target state or for the
    ``(source, target)`` pair; ``reason_required`` lists target states or pairs that need a written reason;
    ``deadlines`` maps a target state to its deadline rule."""
    permissions = permissions or {}
    needs_reason = set(reason_required)
    deadlines = deadlines or {}
    moves = []
    for source, targets in table.items():
        for target in targets:
            pair = (source, target)
            moves.append(Transition(
                sources=frozenset({source}), target=target,
                permission=permissions.get(pair, permissions.get(target, permission)),
                reason_required=pair in needs_reason or target in needs_reason,
                deadline=deadlines.get(target)))
    return Machine(name, tuple(table), tuple(moves), field)
