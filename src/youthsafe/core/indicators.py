"""Indicators: every figure of the year's report, defined once, computed from the records.

Each feature app may have ``indicators.py`` with ``INDICATORS: list[Indicator]``. An indicator names the
records that count (a queryset factory), the date that places a record in a period and the path to the
jurisdiction it belongs to; ``compute`` counts them for any period and jurisdiction subtree. The dashboard,
the generated documents and ``youthsafe stats`` all read figures from here, so a figure and the list of
records behind it (``records``) can never disagree.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from typing import Any, Literal

from django.conf import settings
from django.db import models
from django.db.models import Count, Sum
from django.utils.functional import Promise

from youthsafe.core.models import Jurisdiction
from youthsafe.core.roles import Permission

Measure = Literal["count", "distinct", "sum"]


@dataclass(frozen=True)
class Indicator:
    """One figure of the report.

    ``records`` returns the records that can count (already narrowed to the right kind and status); the
    period filter is applied on ``date_field`` (a DateField or DateTimeField lookup path, inclusive of both
    ends, dates taken in the project's time zone) and the place filter on ``jurisdiction_field`` (a lookup
    path to a Jurisdiction; a jurisdiction counts its whole subtree). ``measure`` is ``count`` (records),
    ``distinct`` (distinct values of ``field``, e.g. platforms inspected) or ``sum`` (of ``field``, e.g.
    audience or brochures handed out). ``list_url`` is the URL name of the list page that shows the same
    records when given ``?from=YYYY-MM-DD&to=YYYY-MM-DD&jurisdiction=<id>&indicator=<key>``.
    """

    key: str
    label: str | Promise
    definition: str | Promise
    records: Callable[[], models.QuerySet[Any]]
    date_field: str
    permission: Permission
    jurisdiction_field: str = "jurisdiction"
    measure: Measure = "count"
    field: str | None = None
    list_url: str | None = None
    unit: str | Promise = ""
    order: int = 100

    def __post_init__(self) -> None:
        if self.measure != "count" and not self.field:
            raise ValueError(f"indicator {self.key}: measure {self.measure!r} needs a field")


def _period_filter(field: str, model: type[models.Model], start: dt.date, end: dt.date) -> dict[str, Any]:
    target = model
    parts = field.split("__")
    for part in parts[:-1]:
        remote = target._meta.get_field(part).related_model
        if remote is None or isinstance(remote, str):
            raise ValueError(f"{field}: {part} is not a relation")
        target = remote
    last = target._meta.get_field(parts[-1])
    if isinstance(last, models.DateTimeField):
        return {f"{field}__date__gte": start, f"{field}__date__lte": end}
    return {f"{field}__gte": start, f"{field}__lte": end}


def records(indicator: Indicator, start: dt.date, end: dt.date,
            jurisdiction: Jurisdiction | None = None) -> models.QuerySet[Any]:
    """The records behind a figure: ``compute`` aggregates exactly this queryset."""
    if end < start:
        raise ValueError("the period ends before it starts")
    qs = indicator.records()
    qs = qs.filter(**_period_filter(indicator.date_field, qs.model, start, end))
    if jurisdiction is not None:
        qs = qs.filter(**{f"{indicator.jurisdiction_field}__path__startswith": jurisdiction.path})
    return qs


def compute(indicator: Indicator, start: dt.date, end: dt.date, jurisdiction: Jurisdiction | None = None) -> int:
    qs = records(indicator, start, end, jurisdiction)
    if indicator.measure == "count":
        return qs.count()
    field = indicator.field or "pk"
    if indicator.measure == "distinct":
        return int(qs.aggregate(n=Count(field, distinct=True))["n"] or 0)
    return int(qs.aggregate(n=Sum(field))["n"] or 0)


@cache
def all_indicators() -> tuple[Indicator, ...]:
    """Every app's indicators, in navigation order of the apps and then by ``order``."""
    found: list[Indicator] = []
    for app in settings.YOUTHSAFE_APPS:
        if find_spec(f"youthsafe.{app}.indicators") is None:
            continue
        module = importlib.import_module(f"youthsafe.{app}.indicators")
        found.extend(sorted(module.INDICATORS, key=lambda i: i.order))
    keys = [i.key for i in found]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise ValueError(f"indicator keys defined twice: {sorted(duplicates)}")
    return tuple(found)


def get(key: str) -> Indicator:
    for indicator in all_indicators():
        if indicator.key == key:
            return indicator
    raise KeyError(key)


def compute_many(keys: Iterable[str] | None, start: dt.date, end: dt.date,
                 jurisdiction: Jurisdiction | None = None) -> dict[str, int]:
    chosen = all_indicators() if keys is None else tuple(get(k) for k in keys)
    return {i.key: compute(i, start, end, jurisdiction) for i in chosen}
