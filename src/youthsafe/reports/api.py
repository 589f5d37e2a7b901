"""The statistics JSON API, mounted at ``/api/reports/``: every indicator the caller may see."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from youthsafe.core import indicators as ind
from youthsafe.core.access import require
from youthsafe.core.roles import Permission
from youthsafe.core.schemas import ErrorOut
from youthsafe.reports import stats

router = Router(tags=["reports"])



class PartOut(Schema):
    value: str
    label: str
    figure: int


class FigureOut(Schema):
    key: str
    label: str
    definition: str
    unit: str
    value: int
    url: str
    breakdown: list[PartOut]


class StatsOut(Schema):
    date_from: dt.date
    date_to: dt.date
    jurisdiction: int | None
    jurisdiction_name: str
    indicators: list[FigureOut]


@router.get("/indicators", response={200: StatsOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
def indicators(request: HttpRequest, date_from: str = "", date_to: str = "", jurisdiction: str = "") -> StatsOut:
    """Every indicator the caller may see for the period (default: this year) and jurisdiction (id or code)."""
    user = require(request.user, Permission.STATS_VIEW)
    try:
        scope = stats.scope_for(user, date_from, date_to, jurisdiction)
    except stats.ScopeError as exc:
        raise ValidationError(str(exc)) from exc
    figures = stats.figures(ind.visible_to(user), scope, breakdown=True)
    return StatsOut(
        date_from=scope.start, date_to=scope.end,
        jurisdiction=scope.jurisdiction.pk if scope.jurisdiction else None, jurisdiction_name=scope.place_name,
        indicators=[FigureOut(key=f.key, label=str(f.indicator.label), definition=str(f.indicator.definition),
                              unit=str(f.indicator.unit), value=f.value, url=f.url,
                              breakdown=[PartOut(value=v, label=label, figure=n) for v, label, n in f.breakdown])
                    for f in figures])
