"""List filters shared by the supervision list pages, including the indicator contract: a figure's link
(?from=&to=&jurisdiction=&indicator=) shows exactly the records ``core.indicators.records`` counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from youthsafe.core import indicators
from youthsafe.core.access import jurisdictions_of
from youthsafe.core.models import User
from youthsafe.supervision.forms import ListFilterForm

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(9999, 12, 31)


def listing(request: HttpRequest, user: User, qs: QuerySet[Any], *, date_field: str, statuses: list[tuple[str, Any]],
            jurisdiction_field: str = "jurisdiction", platform_field: str = "platform",
            form_class: type[ListFilterForm] = ListFilterForm) -> tuple[ListFilterForm, QuerySet[Any]]:
    form = form_class(request.GET or None, jurisdictions=jurisdictions_of(user), statuses=statuses)
    if not form.is_valid():
        return form, qs
    data = form.cleaned_data
    start, end, place = data["date_from"], data["date_to"], data["jurisdiction"]
    indicator = None
    if data["indicator"]:
        try:
            indicator = indicators.get(data["indicator"])
        except KeyError:
            form.add_error(None, f"unknown indicator {data['indicator']!r}")
    if indicator is not None and indicator.records().model is qs.model:
        chosen = indicators.records(indicator, start or EARLIEST, end or LATEST, place)
        qs = qs.filter(pk__in=chosen.values("pk"))
    else:
        suffix = "__date" if date_field.endswith("_at") else ""
        if start:
            qs = qs.filter(**{f"{date_field}{suffix}__gte": start})
        if end:
            qs = qs.filter(**{f"{date_field}{suffix}__lte": end})
        if place is not None:
            qs = qs.filter(**{f"{jurisdiction_field}__path__startswith": place.path})
    if data["status"] and data["status"] in {value for value, _label in statuses}:
        qs = qs.filter(status=data["status"])
    if data["q"]:
        qs = qs.filter(**{f"{platform_field}__name__icontains": data["q"]})
    return form, qs
