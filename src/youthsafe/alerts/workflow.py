"""The alert state machine (``ALERT``, a core.workflow machine) and its deadlines: pure Python, no Django
(style-anchors rules 1 and 2). Storing a move (history, audit) is ``core.kernel.transition``.

Deadlines depend on the risk level (regulatory-reference 6.3 and L11: "minutes to hours at high levels") and
come from a configurable table. Every SLA answer is a pure function of stored fields and ``now``
(Healthchecks' ``get_status``), so the web page, the API and the escalation job always agree.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from youthsafe.core.workflow import machine

NEW = "new"
ACKNOWLEDGED = "acknowledged"
DISPATCHED = "dispatched"
IN_INTERVENTION = "in_intervention"
RESOLVED = "resolved"
CLOSED = "closed"
STATES: tuple[str, ...] = (NEW, ACKNOWLEDGED, DISPATCHED, IN_INTERVENTION, RESOLVED, CLOSED)
TERMINAL: frozenset[str] = frozenset({RESOLVED, CLOSED})

# state -> states it may move to. Reopen is closed/resolved -> acknowledged. A false alarm or duplicate may
# be closed straight from new; dispatching again from dispatched/in_intervention keeps the state.
TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({ACKNOWLEDGED, CLOSED}),
    ACKNOWLEDGED: frozenset({DISPATCHED, IN_INTERVENTION, RESOLVED, CLOSED}),
    DISPATCHED: frozenset({IN_INTERVENTION, RESOLVED, CLOSED}),
    IN_INTERVENTION: frozenset({DISPATCHED, RESOLVED, CLOSED}),
    RESOLVED: frozenset({CLOSED, ACKNOWLEDGED}),
    CLOSED: frozenset({ACKNOWLEDGED}),
}

OK = "ok"
DUE_SOON = "due_soon"
OVERDUE = "overdue"

_REVIEW, _DISPATCH, _OUTCOME = "alert:review", "alert:dispatch", "alert:outcome"

# The permission of each move that only one kind of step makes; the services declare theirs too. Acknowledging a
# new alert and closing an open one are made by steps of different permissions (a reviewer acknowledges or
# closes; a dispatch acknowledges on the way; an outcome acknowledges before resolving, and a false alarm
# closes), so those moves carry the permission of the service that makes them.
ALERT = machine(
    "alert", TRANSITIONS,
    permissions={DISPATCHED: _DISPATCH, IN_INTERVENTION: _OUTCOME, RESOLVED: _OUTCOME,
                 (RESOLVED, ACKNOWLEDGED): _REVIEW, (CLOSED, ACKNOWLEDGED): _REVIEW, (RESOLVED, CLOSED): _REVIEW},
    reason_required=[IN_INTERVENTION, RESOLVED, CLOSED, (RESOLVED, ACKNOWLEDGED), (CLOSED, ACKNOWLEDGED)])


@dataclass(frozen=True)
class Band:
    """Deadlines for alerts at ``min_level`` and above (until the next band), in minutes."""

    min_level: int
    acknowledge: int
    act: int  # from acknowledgement to dispatch or start of intervention
    dispatch_ack: int  # for the receiving unit to acknowledge a dispatch


# Level 9-10: acknowledge in 10 minutes; 7-8: 1 hour; 5-6 (and recruitment below 5): 24 hours (issue 4 point 3).
DEFAULT_BANDS: tuple[Band, ...] = (
    Band(9, acknowledge=10, act=30, dispatch_ack=30),
    Band(7, acknowledge=60, act=240, dispatch_ack=120),
    Band(0, acknowledge=24 * 60, act=48 * 60, dispatch_ack=24 * 60),
)


def parse_bands(raw: str | Sequence[Mapping[str, Any]] | None) -> tuple[Band, ...]:
    """Bands from the ``YOUTHSAFE_ALERT_DEADLINES`` setting (a JSON string or a list of objects with
    min_level, acknowledge, act, dispatch_ack in minutes); the defaults when unset. Raises ValueError."""
    if raw is None or raw == "":
        return DEFAULT_BANDS
    items = json.loads(raw) if isinstance(raw, str) else raw
    bands = []
    for item in items:
        band = Band(int(item["min_level"]), int(item["acknowledge"]), int(item["act"]), int(item["dispatch_ack"]))
        if min(band.acknowledge, band.act, band.dispatch_ack) <= 0 or not 0 <= band.min_level <= 10:
            raise ValueError(f"bad deadline band: {item}")
        bands.append(band)
    bands.sort(key=lambda b: -b.min_level)
    if not bands or bands[-1].min_level != 0:
        raise ValueError("the deadline table needs a band starting at level 0")
    return tuple(bands)


def band_for(level: int, bands: Iterable[Band] = DEFAULT_BANDS) -> Band:
    for band in sorted(bands, key=lambda b: -b.min_level):
        if level >= band.min_level:
            return band
    raise ValueError("no band for level")  # parse_bands guarantees a level-0 band


def ack_due(level: int, since: dt.datetime, bands: Iterable[Band] = DEFAULT_BANDS) -> dt.datetime:
    return since + dt.timedelta(minutes=band_for(level, bands).acknowledge)


def act_due(level: int, since: dt.datetime, bands: Iterable[Band] = DEFAULT_BANDS) -> dt.datetime:
    return since + dt.timedelta(minutes=band_for(level, bands).act)


def dispatch_ack_due(level: int, since: dt.datetime, bands: Iterable[Band] = DEFAULT_BANDS) -> dt.datetime:
    return since + dt.timedelta(minutes=band_for(level, bands).dispatch_ack)


class Timed(Protocol):
    status: str
    level: int
    ack_due_at: dt.datetime
    act_due_at: dt.datetime | None


def due_for(status: str, ack_due_at: dt.datetime, act_due_at: dt.datetime | None,
            dispatch_dues: Sequence[dt.datetime] = ()) -> dt.datetime | None:
    """The deadline of the step an alert in ``status`` waits on: acknowledgement when new, action when
    acknowledged, the earliest unacknowledged dispatch when dispatched; none once someone is intervening or it
    is done."""
    if status == NEW:
        return ack_due_at
    if status == ACKNOWLEDGED:
        return act_due_at
    if status == DISPATCHED and dispatch_dues:
        return min(dispatch_dues)
    return None


def current_due(alert: Timed, dispatch_dues: Sequence[dt.datetime] = ()) -> dt.datetime | None:
    return due_for(alert.status, alert.ack_due_at, alert.act_due_at, dispatch_dues)


class Stamped(Timed, Protocol):
    acknowledged_at: dt.datetime | None


def entering(alert: Stamped, to: str, now: dt.datetime, bands: Iterable[Band] = DEFAULT_BANDS,
             dispatch_dues: Sequence[dt.datetime] = ()) -> dict[str, Any]:
    """The fields a move to ``to`` sets besides the state (``core.kernel.transition`` stores them with it): the
    step's time, the clock of the step it starts (``due_at``, so the queue sorts in the database), and no
    escalation: a new step has a new clock, and its own lateness escalates again."""
    changes: dict[str, Any] = {"escalated_at": None}
    act_due_at = alert.act_due_at
    if to == ACKNOWLEDGED:
        act_due_at = act_due(alert.level, now, bands)
        changes.update(acknowledged_at=alert.acknowledged_at or now,  # a reopen keeps the first acknowledgement
                       act_due_at=act_due_at, resolved_at=None, closed_at=None)
    elif to == RESOLVED:
        changes["resolved_at"] = now
    elif to == CLOSED:
        changes["closed_at"] = now
    changes["due_at"] = due_for(to, alert.ack_due_at, act_due_at, dispatch_dues)
    return changes


def step_minutes(status: str, level: int, bands: Iterable[Band] = DEFAULT_BANDS) -> int:
    band = band_for(level, bands)
    return {NEW: band.acknowledge, ACKNOWLEDGED: band.act, DISPATCHED: band.dispatch_ack}.get(status, 0)


def sla_state(status: str, level: int, due: dt.datetime | None, now: dt.datetime,
              bands: Iterable[Band] = DEFAULT_BANDS) -> str:
    """ok / due_soon / overdue. Overdue strictly after the deadline; due soon in the last quarter of the
    step (so a 10-minute step warns at 2.5 minutes left)."""
    if due is None or status in TERMINAL:
        return OK
    if now > due:
        return OVERDUE
    quarter = dt.timedelta(minutes=step_minutes(status, level, bands)) / 4
    return DUE_SOON if due - now <= quarter else OK


def time_left(due: dt.datetime | None, now: dt.datetime) -> dt.timedelta | None:
    return None if due is None else due - now


def sort_key(status: str, level: int, due: dt.datetime | None, now: dt.datetime) -> tuple[int, int, float]:
    """Queue order: overdue first, then level (high first), then time left (least first; no deadline last)."""
    overdue = due is not None and status not in TERMINAL and now > due
    left = (due - now).total_seconds() if due is not None else float("inf")
    return (0 if overdue else 1, -level, left)


def claim_is_stale(claimed_at: dt.datetime | None, now: dt.datetime, stale_minutes: int) -> bool:
    """A claim nobody acted on for ``stale_minutes`` may be taken over, so an alert is never stuck."""
    return claimed_at is None or now - claimed_at > dt.timedelta(minutes=stale_minutes)
