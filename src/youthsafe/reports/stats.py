"""The figures for a period and a jurisdiction, as the dashboard, the exports, the documents and the
``youthsafe stats`` command all read them (every figure from ``youthsafe.core.indicators``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.core import indicators as ind
from youthsafe.core.access import jurisdictions_of
from youthsafe.core.models import Jurisdiction, User


class ScopeError(ValueError):
    """A period or jurisdiction that cannot be used; the message says why, in one line."""


@dataclass(frozen=True)
class Scope:
    start: dt.date
    end: dt.date
    jurisdiction: Jurisdiction | None  # None: every jurisdiction (global readers and the command line)

    @property
    def query(self) -> dict[str, str]:
        q = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.jurisdiction is not None:
            q["jurisdiction"] = str(self.jurisdiction.pk)
        return q

    @property
    def place_name(self) -> str:
        return self.jurisdiction.name if self.jurisdiction is not None else _("All jurisdictions")


@dataclass
class Figure:
    indicator: ind.Indicator
    value: int
    url: str
    months: list[tuple[dt.date, int]] = field(default_factory=list)
    breakdown: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.indicator.key


# Periods are counted between aware datetimes of the local zone; year 1 or 9999 overflows that conversion.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2999, 12, 31)


def parse_date(value: str | None, name: str) -> dt.date | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        date = dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ScopeError(_("%(name)s must be a date as YYYY-MM-DD, not %(value)r") % {"name": name,
                                                                                   "value": value}) from exc
    if not FIRST_DATE <= date <= LAST_DATE:
        raise ScopeError(_("%(name)s must be between %(first)s and %(last)s") % {
            "name": name, "first": FIRST_DATE, "last": LAST_DATE})
    return date


def find_jurisdiction(value: str | int | None,
                      allowed: QuerySet[Jurisdiction] | None = None) -> Jurisdiction | None:
    """A jurisdiction by id or code (``allowed``: a queryset it must be in), or ScopeError."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    base = allowed if allowed is not None else Jurisdiction.objects.all()
    found: Jurisdiction | None = base.filter(Q(code=text) | Q(pk=int(text)) if text.isdigit() else Q(code=text)).first()
    if found is None:
        raise ScopeError(_("No jurisdiction %(value)r (give its code, e.g. JC, or its id)") % {"value": text})
    return found


def default_start(today: dt.date) -> dt.date:
    return today.replace(month=1, day=1)


def scope_for(user: User | None, start: str | None, end: str | None, place: str | int | None) -> Scope:
    """The scope asked for, checked: valid dates, start before end, a jurisdiction the user may read (a user
    confined to a subtree gets their own jurisdiction when they name none)."""
    today = timezone.localdate()
    first = parse_date(start, "from") or default_start(today)
    last = parse_date(end, "to") or today
    if last < first:
        raise ScopeError(_("The period ends (%(to)s) before it starts (%(from)s)") % {"to": last, "from": first})
    if user is None:
        return Scope(first, last, find_jurisdiction(place))
    jurisdiction = find_jurisdiction(place, jurisdictions_of(user))
    if jurisdiction is None and not user.reads_all_jurisdictions:
        jurisdiction = user.jurisdiction
    return Scope(first, last, jurisdiction)


def figure_url(indicator: ind.Indicator, scope: Scope) -> str:
    """The list of the records behind a figure. A distinct count or a sum opens the generic list, which states
    how the figure comes from its rows (an app's own list would show a count of rows that differs)."""
    query = urlencode({**scope.query, "indicator": indicator.key})
    names = (indicator.list_url, "reports:records") if indicator.measure == "count" else ("reports:records",)
    for name in names:
        if name:
            try:
                return f"{reverse(name)}?{query}"
            except NoReverseMatch:
                continue
    return ""


def figures(indicators: Iterable[ind.Indicator], scope: Scope, *, months: bool = False,
            breakdown: bool = False) -> list[Figure]:
    """The figure of each indicator. With ``months`` the monthly series comes from the same query and the
    total is its sum (count and sum measures), so the dashboard costs one query per indicator."""
    result = []
    for indicator in indicators:
        series: list[tuple[dt.date, int]] = []
        if months:
            series = ind.monthly(indicator, scope.start, scope.end, scope.jurisdiction)
        if months and indicator.measure != "distinct":
            value = sum(v for _m, v in series)
        else:
            value = ind.compute(indicator, scope.start, scope.end, scope.jurisdiction)
        parts = ind.by_breakdown(indicator, scope.start, scope.end, scope.jurisdiction) if breakdown else []
        result.append(Figure(indicator, value, figure_url(indicator, scope), series, parts))
    return result


def breakdown_text(parts: list[tuple[str, str, int]]) -> str:
    """``L9 2、L8 3`` — the non-zero parts of a breakdown, for documents."""
    shown = [f"{label} {n}" for _v, label, n in parts if n]
    return "、".join(shown) if shown else "—"
