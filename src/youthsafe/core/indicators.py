"""Indicators: every figure of the year's report, defined once, computed from the records.

Each feature app may have ``indicators.py`` with ``INDICATORS: list[Indicator]``. An indicator names the
records that count (a queryset factory), the date that places a record in a period and the path to the
jurisdiction it belongs to; ``compute`` counts them for any period and jurisdiction subtree. The dashboard,
the generated documents and ``youthsafe stats`` all read figures from here, so a figure and the list of
records behind it (``records``) can never disagree.

Beside the figure itself: ``monthly`` (one query per indicator, months in the project's time zone),
``by_child`` (each child jurisdiction, one query), ``by_breakdown`` (by the optional ``breakdown`` field,
e.g. level or kind) and ``visible_to(user)`` (the indicators whose permission the user holds). An app may
also list ``OPEN_WORK: list[OpenWork]`` (open and overdue work for the dashboard). Period filters on
DateTimeFields are plain ranges from local midnight to local midnight, so an index on the date serves them.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from typing import Any, Literal

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
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
    records when given ``?from=YYYY-MM-DD&to=YYYY-MM-DD&jurisdiction=<id>&indicator=<key>``; without one,
    the reports app's generic list of the records behind a figure (``reports:records``) is used.

    ``detail_url``/``detail_arg`` let the generic list link each record to its page.

    ``breakdown`` (optional) is a lookup path whose values split the figure (warnings by ``level``, events by
    ``kind``); ``breakdown_labels`` maps those values to display labels (e.g. a TextChoices' ``choices``).
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
    breakdown: str | None = None
    breakdown_labels: Callable[[], Mapping[str, str | Promise]] | None = None
    detail_url: str | None = None  # URL name of one record's page, reversed with ``detail_arg`` of the record
    detail_arg: str = "pk"

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
        # From local midnight of the first day to local midnight after the last: the same days as
        # ``__date`` in the project's time zone, but a plain range the database can take from an index.
        zone = timezone.get_current_timezone()
        first = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
        after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return {f"{field}__gte": first, f"{field}__lt": after}
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


def _aggregate(indicator: Indicator) -> Count | Sum:
    field = indicator.field or "pk"
    if indicator.measure == "count":
        return Count("pk")
    if indicator.measure == "distinct":
        return Count(field, distinct=True)
    return Sum(field)


def compute(indicator: Indicator, start: dt.date, end: dt.date, jurisdiction: Jurisdiction | None = None) -> int:
    qs = records(indicator, start, end, jurisdiction)
    if indicator.measure == "count":
        return qs.count()
    return int(qs.aggregate(n=_aggregate(indicator))["n"] or 0)


def _grouped(indicator: Indicator, qs: models.QuerySet[Any], key: Any) -> dict[Any, int]:
    """``{group: figure}`` in one query: the same aggregate as ``compute``, per value of ``key``."""
    rows = qs.order_by().annotate(_group=key).values("_group").annotate(_n=_aggregate(indicator))
    return {row["_group"]: int(row["_n"] or 0) for row in rows}


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month that the period touches, in order."""
    first, result = start.replace(day=1), []
    while first <= end:
        result.append(first)
        first = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return result


def monthly(indicator: Indicator, start: dt.date, end: dt.date,
            jurisdiction: Jurisdiction | None = None) -> list[tuple[dt.date, int]]:
    """The figure per calendar month of the period (months in the project's time zone), one query.

    For ``count`` and ``sum`` the months add up to ``compute``; for ``distinct`` each month counts its own
    distinct values, so the months can add up to more than the period's figure."""
    qs = records(indicator, start, end, jurisdiction)
    field = _date_field(indicator, qs.model)
    trunc = (TruncMonth(indicator.date_field, tzinfo=timezone.get_current_timezone())
             if isinstance(field, models.DateTimeField) else TruncMonth(indicator.date_field))
    found = {(k.date() if isinstance(k, dt.datetime) else k): v
             for k, v in _grouped(indicator, qs, trunc).items() if k is not None}
    return [(month, found.get(month, 0)) for month in months(start, end)]


def by_child(indicator: Indicator, start: dt.date, end: dt.date,
             jurisdiction: Jurisdiction | None = None) -> list[tuple[Jurisdiction | None, int]]:
    """The figure for each child of ``jurisdiction`` (each root when None), one query; records placed on
    ``jurisdiction`` itself come last under ``None`` ("directly")."""
    qs = records(indicator, start, end, jurisdiction)
    prefix = len(jurisdiction.path) if jurisdiction is not None else 0
    # Paths are zero-padded ids of 6 digits and a slash: the child's path is the first prefix + 7 chars.
    grouped = _grouped(indicator, qs, Substr(f"{indicator.jurisdiction_field}__path", 1, prefix + 7))
    children = (Jurisdiction.objects.filter(parent=jurisdiction) if jurisdiction is not None
                else Jurisdiction.objects.filter(parent__isnull=True))
    result: list[tuple[Jurisdiction | None, int]] = [(child, grouped.get(child.path, 0)) for child in children]
    if jurisdiction is not None and grouped.get(jurisdiction.path):
        result.append((None, grouped[jurisdiction.path]))
    return result


def by_breakdown(indicator: Indicator, start: dt.date, end: dt.date,
                 jurisdiction: Jurisdiction | None = None) -> list[tuple[str, str, int]]:
    """``(value, label, figure)`` for each value of ``indicator.breakdown`` (labels' order first, then the
    rest by value); empty when the indicator has no breakdown."""
    if indicator.breakdown is None:
        return []
    grouped = _grouped(indicator, records(indicator, start, end, jurisdiction), models.F(indicator.breakdown))
    labels = {str(k): str(v) for k, v in (indicator.breakdown_labels() if indicator.breakdown_labels else {}).items()}
    found = {str(k): v for k, v in grouped.items()}
    ordered = [*labels, *sorted(k for k in found if k not in labels)]
    return [(k, labels.get(k, k), found.get(k, 0)) for k in ordered]


def _date_field(indicator: Indicator, model: type[models.Model]) -> models.Field[Any, Any]:
    target = model
    parts = indicator.date_field.split("__")
    for part in parts[:-1]:
        remote = target._meta.get_field(part).related_model
        assert remote is not None  # noqa: S101 (checked by _period_filter)
        assert not isinstance(remote, str)  # noqa: S101
        target = remote
    field = target._meta.get_field(parts[-1])
    assert isinstance(field, models.Field)  # noqa: S101 (a concrete column)
    return field


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


def visible_to(user: Any) -> tuple[Indicator, ...]:
    """The indicators whose figures ``user`` may see (each indicator names the permission it needs)."""
    check = getattr(user, "has_perm_name", None)
    return tuple(i for i in all_indicators() if check is not None and check(i.permission))


@dataclass(frozen=True)
class OpenWork:
    """A queue of open work for the dashboard: what is open now and what is past its deadline at ``now``.

    An app may list these in ``OPEN_WORK`` beside ``INDICATORS``; ``open`` gives the open records, ``overdue``
    the condition (a ``Q`` of ``now``) that makes one of them late."""

    key: str
    label: str | Promise
    records: Callable[[], models.QuerySet[Any]]
    overdue: Callable[[dt.datetime], Q]
    permission: Permission
    jurisdiction_field: str = "jurisdiction"
    list_url: str | None = None
    overdue_url: str | None = None


@cache
def all_open_work() -> tuple[OpenWork, ...]:
    found: list[OpenWork] = []
    for app in settings.YOUTHSAFE_APPS:
        if find_spec(f"youthsafe.{app}.indicators") is None:
            continue
        found.extend(getattr(importlib.import_module(f"youthsafe.{app}.indicators"), "OPEN_WORK", []))
    return tuple(found)


def open_work_counts(work: OpenWork, now: dt.datetime, jurisdiction: Jurisdiction | None = None) -> tuple[int, int]:
    """(open, overdue) for ``work`` within the ``jurisdiction`` subtree, in one query."""
    qs = work.records()
    if jurisdiction is not None:
        qs = qs.filter(**{f"{work.jurisdiction_field}__path__startswith": jurisdiction.path})
    counts = qs.aggregate(open=Count("pk"), overdue=Count("pk", filter=work.overdue(now)))
    return int(counts["open"] or 0), int(counts["overdue"] or 0)


def compute_many(keys: Iterable[str] | None, start: dt.date, end: dt.date,
                 jurisdiction: Jurisdiction | None = None) -> dict[str, int]:
    chosen = all_indicators() if keys is None else tuple(get(k) for k in keys)
    return {i.key: compute(i, start, end, jurisdiction) for i in chosen}
