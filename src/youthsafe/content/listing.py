"""List pages honour ``?from=&to=&jurisdiction=&indicator=`` so every figure links to the records behind it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from youthsafe.core import indicators
from youthsafe.core.access import jurisdictions_of
from youthsafe.core.models import Jurisdiction, User


@dataclass
class Scope:
    start: dt.date | None = None
    end: dt.date | None = None
    jurisdiction: Jurisdiction | None = None
    indicator: indicators.Indicator | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.start or self.end or self.jurisdiction or self.indicator)


def _date(raw: str, errors: list[str]) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": raw[:20]})
        return None


def apply(request: HttpRequest, qs: QuerySet[Any], user: User, *, date_field: str,
          jurisdiction_field: str = "jurisdiction") -> tuple[QuerySet[Any], Scope]:
    """Narrow ``qs`` by the period, the place (within what the user may read) and, when named, exactly the
    records of the indicator (``indicators.records``). Bad parameters are reported, never a crash."""
    scope = Scope()
    scope.start = _date(request.GET.get("from", ""), scope.errors)
    scope.end = _date(request.GET.get("to", ""), scope.errors)
    raw_place = request.GET.get("jurisdiction", "")
    if raw_place:
        place = jurisdictions_of(user).filter(pk=raw_place).first() if raw_place.isdigit() else None
        if place is None:
            scope.errors.append(_("Unknown jurisdiction."))
        scope.jurisdiction = place
    key = request.GET.get("indicator", "")
    if key:
        try:
            found = indicators.get(key)
        except KeyError:
            found = None
        if found is None or found.records().model is not qs.model:
            scope.errors.append(_("This list does not show the figure %(key)s.") % {"key": key[:40]})
        else:
            scope.indicator = found
    if scope.indicator is not None:
        start = scope.start or dt.date(1900, 1, 1)
        end = scope.end or dt.date(2999, 12, 31)
        if end < start:
            scope.errors.append(_("The period ends before it starts."))
            return qs.none(), scope
        behind = indicators.records(scope.indicator, start, end, scope.jurisdiction)
        return qs.filter(pk__in=behind.values("pk")), scope
    if scope.start:
        qs = qs.filter(**{f"{date_field}__date__gte": scope.start})
    if scope.end:
        qs = qs.filter(**{f"{date_field}__date__lte": scope.end})
    if scope.jurisdiction is not None:
        qs = qs.filter(**{f"{jurisdiction_field}__path__startswith": scope.jurisdiction.path})
    return qs, scope
