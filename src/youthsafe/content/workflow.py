"""The harmful-content machines, the takedown deadlines and the choice of action: pure Python.

An item moves recorded → instructed → confirmed → handled. "Handled" means the platform's confirmation
was checked by a person and the content is gone (or, for tier-B content, labelled): only then does it count
as handled. An instruction the platform ignores past its deadline can be escalated to supervision; a
verification that finds the content still there sends the item back to "recorded" for a new instruction.
A public report is triaged once: taken up as a lead, passed to early warning, or rejected.

The three machines (``ITEM``, ``INSTRUCTION``, ``REPORT``) are declared with ``core.workflow.machine``; the
kernel (``core.kernel.transition``) stores each move with its history row and audit row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from youthsafe.core.workflow import machine
from youthsafe.detection import taxonomy

RECORDED = "recorded"
INSTRUCTED = "instructed"
CONFIRMED = "confirmed"
ESCALATED = "escalated"
HANDLED = "handled"
DISMISSED = "dismissed"

# Instruction states.
I_PENDING = "pending"
I_CONFIRMED = "confirmed"
I_VERIFIED = "verified"
I_FAILED = "failed"
I_ESCALATED = "escalated"

# Public report states.
R_RECEIVED = "received"
R_LEAD = "lead"
R_WELFARE = "welfare"
R_REJECTED = "rejected"

REMOVE = "remove"
LABEL = "label"

OK = "ok"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
DONE = "done"

# Default hours the platform has to act (configurable: YOUTHSAFE_TAKEDOWN_HOURS, YOUTHSAFE_LABEL_HOURS).
DEFAULT_REMOVE_HOURS = 24
DEFAULT_LABEL_HOURS = 72
ITEM_TIERS = frozenset({taxonomy.Tier.A, taxonomy.Tier.B, taxonomy.Tier.C})

# The permissions the moves need (core.roles.Permission values: this module imports no Django).
HANDLE = "content:handle"
TRIAGE = "report:triage"

ITEM = machine("item", {
    RECORDED: {INSTRUCTED, DISMISSED},
    INSTRUCTED: {CONFIRMED, ESCALATED},
    ESCALATED: {CONFIRMED},
    CONFIRMED: {HANDLED, RECORDED},
    HANDLED: set(),
    DISMISSED: {RECORDED},
}, permission=HANDLE, reason_required=[DISMISSED, ESCALATED, CONFIRMED, HANDLED, (CONFIRMED, RECORDED),
                                       (DISMISSED, RECORDED)])

INSTRUCTION = machine("instruction", {
    I_PENDING: {I_CONFIRMED, I_ESCALATED},
    I_ESCALATED: {I_CONFIRMED},
    I_CONFIRMED: {I_VERIFIED, I_FAILED},
    I_VERIFIED: set(),
    I_FAILED: set(),
}, permission=HANDLE, reason_required=[I_CONFIRMED, I_ESCALATED, I_VERIFIED, I_FAILED])

REPORT = machine("public_report", {
    R_RECEIVED: {R_LEAD, R_WELFARE, R_REJECTED},
    R_LEAD: set(),
    R_WELFARE: set(),
    R_REJECTED: set(),
}, permission=TRIAGE, reason_required=[R_LEAD, R_WELFARE, R_REJECTED])


class CategoryError(ValueError):
    """A category that cannot be an item's: unknown, a welfare signal, or service design."""


def item_categories(ids: Iterable[str]) -> list[str]:
    """The sorted, validated categories of an item. Raises CategoryError for W01 (a person in distress is
    helped, never taken down), tier D (judged by inspection) and unknown ids."""
    result = sorted(set(ids))
    if not result:
        raise CategoryError("at least one category is needed")
    for cid in result:
        if cid not in taxonomy.CATEGORIES:
            raise CategoryError(f"unknown category {cid}")
        category = taxonomy.CATEGORIES[cid]
        if category.welfare:
            raise CategoryError(f"{cid} is a welfare signal: route it to early warning, not to takedown")
        if category.tier not in ITEM_TIERS:
            raise CategoryError(f"{cid} is a service-design category: judge it by inspection")
    return result


def tier_of(categories: Iterable[str]) -> str:
    """The most serious tier among the categories: A before C before B."""
    tiers = {taxonomy.CATEGORIES[c].tier for c in categories}
    for tier in (taxonomy.Tier.A, taxonomy.Tier.C, taxonomy.Tier.B):
        if tier in tiers:
            return str(tier)
    raise CategoryError("no item category")


def action_for(categories: Iterable[str]) -> str:
    """Tier-B-only content is restricted, not illegal: the platform must label it (regulatory-reference 2.2);
    anything of tier A or C must be removed."""
    return LABEL if tier_of(categories) == taxonomy.Tier.B else REMOVE


def deadline(issued_at: dt.datetime, action: str, *, remove_hours: int = DEFAULT_REMOVE_HOURS,
             label_hours: int = DEFAULT_LABEL_HOURS) -> dt.datetime:
    return issued_at + dt.timedelta(hours=remove_hours if action == REMOVE else label_hours)


@dataclass(frozen=True)
class InstructionClock:
    status: str
    deadline: dt.datetime
    confirmed_at: dt.datetime | None


def sla(instruction: InstructionClock, now: dt.datetime, *, soon: dt.timedelta = dt.timedelta(hours=4)) -> str:
    """done once the platform confirmed; overdue past the deadline; due_soon in its last hours; else ok."""
    if instruction.confirmed_at is not None or instruction.status in {I_CONFIRMED, I_VERIFIED}:
        return DONE
    if now >= instruction.deadline:
        return OVERDUE
    if now >= instruction.deadline - soon:
        return DUE_SOON
    return OK


def may_escalate(instruction: InstructionClock, now: dt.datetime) -> bool:
    """Only an ignored instruction (pending past its deadline) escalates to supervision."""
    return instruction.status == I_PENDING and sla(instruction, now) == OVERDUE


# Query parameters that only say where a link was shared from or who clicked it: two links that differ only
# in these point at the same content.
_TRACKING = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "spm", "share_source", "share_medium",
    "share_from", "share_plat", "share_tag", "vd_source", "is_from_webapp", "sender_device", "wxshare_count",
    "isappinstalled",
})
_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=16384)  # a new item is compared with the recent ones: their keys are asked for again and again
def location_key(location: str) -> str:
    """The location with what does not change the content it points at taken out, to find the same content
    recorded twice: for a web address the scheme (http and https alike), the case of the host, a default
    port, a trailing slash, the fragment, tracking parameters (``utm_*``, ``fbclid``, ``spm``, ...) and the
    order of the other parameters; any other location is compared with its spacing and case folded."""
    text = location.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() in _DEFAULT_PORTS and parts.netloc:
        try:
            port = parts.port
        except ValueError:
            port = None
        host = (parts.hostname or "").lower()
        if port is not None and port != _DEFAULT_PORTS[parts.scheme.lower()]:
            host = f"{host}:{port}"
        query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not k.lower().startswith("utm_") and k.lower() not in _TRACKING)
        return f"//{host}{parts.path.rstrip('/')}" + (f"?{urlencode(query)}" if query else "")
    return " ".join(text.split()).casefold()
