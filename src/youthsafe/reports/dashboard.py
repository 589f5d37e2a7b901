"""The dashboard: figures of the period for the chosen jurisdiction, monthly trends, the breakdown by
jurisdiction and by kind, and open and overdue work. Every figure links to the records behind it; only
indicators the user may see are computed at all."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.core import indicators as ind
from youthsafe.core.access import acting_user, jurisdictions_of, permission_required
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.registry.stats import registry_summary
from youthsafe.reports import categories, charts, stats
from youthsafe.reports.forms import ScopeForm


def scope_from_request(request: HttpRequest, user: User) -> tuple[stats.Scope, ScopeForm, str]:
    """The scope of the GET parameters (``from``/``to``/``jurisdiction`` or the form's names), or the default
    scope and the reason the parameters were refused."""
    get = request.GET
    start, end = get.get("from") or get.get("date_from"), get.get("to") or get.get("date_to")
    place = get.get("jurisdiction")
    try:
        scope, error = stats.scope_for(user, start, end, place), ""
    except stats.ScopeError as exc:
        scope, error = stats.scope_for(user, None, None, None), str(exc)
    form = ScopeForm(initial={"date_from": scope.start, "date_to": scope.end, "jurisdiction": scope.jurisdiction},
                     jurisdictions=jurisdictions_of(user))
    return scope, form, error


def _url(name: str | None) -> str:
    try:
        return reverse(name) if name else ""
    except NoReverseMatch:
        return ""


def _places(focus: ind.Indicator, scope: stats.Scope) -> list[tuple[str, int, str]]:
    rows = []
    for child, value in ind.by_child(focus, scope.start, scope.end, scope.jurisdiction):
        place = child or scope.jurisdiction
        query = {**scope.query, "jurisdiction": str(place.pk)} if place is not None else scope.query
        base = stats.figure_url(focus, scope).split("?")[0]
        label = child.name if child is not None else _("%(place)s (itself)") % {"place": scope.place_name}
        rows.append((label, value, f"{base}?{urlencode({**query, 'indicator': focus.key})}" if base else ""))
    return rows


def _by_category(figures: list[stats.Figure], scope: stats.Scope) -> list[dict[str, Any]]:
    """A bar per taxonomy category for each figure whose records carry categories; each bar opens the records
    behind the figure in that category (the generic list filters by ``category``)."""
    result = []
    base = _url("reports:records")
    for f in figures:
        if f.key not in categories.category_fields():
            continue
        parts = categories.by_category(f.indicator, scope.start, scope.end, scope.jurisdiction)
        rows = [(label, n, f"{base}?{urlencode({**scope.query, 'indicator': f.key, 'category': cid})}" if base else "")
                for cid, label, n in parts if n]
        if rows:
            chart = charts.bar_chart(rows, title=str(f.indicator.label), width=640, label_width=260)
            result.append({"figure": f, "svg": chart})
    return result


def _open_work(user: User, scope: stats.Scope) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for work in ind.all_open_work():
        if not user.has_perm_name(work.permission):
            continue
        open_count, late = ind.open_work_counts(work, now, scope.jurisdiction)
        rows.append({"label": work.label, "open": open_count, "overdue": late, "url": _url(work.list_url),
                     "overdue_url": _url(work.overdue_url) or _url(work.list_url)})
    return rows


def dashboard_context(request: HttpRequest, user: User) -> dict[str, Any]:
    scope, form, error = scope_from_request(request, user)
    visible = ind.visible_to(user)
    figures = stats.figures(visible, scope, months=True)
    labels = charts.month_labels([m for m, _v in figures[0].months]) if figures else []
    trends = [{"figure": f, "svg": charts.column_chart(labels, [v for _m, v in f.months],
                                                       title=str(f.indicator.label))} for f in figures]
    keys = [f.key for f in figures]
    focus_key = request.GET.get("focus") or next((k for k in ("warnings_issued", "inspections_done") if k in keys),
                                                 keys[0] if keys else "")
    focus = next((f.indicator for f in figures if f.key == focus_key), None)
    by_place = charts.bar_chart(_places(focus, scope), title=str(focus.label)) if focus else ""
    by_kind = []
    for f in figures:
        if f.indicator.breakdown is None:
            continue
        parts = ind.by_breakdown(f.indicator, scope.start, scope.end, scope.jurisdiction)
        rows = [(label, n, "") for _v, label, n in parts if n]
        if rows:
            by_kind.append({"figure": f, "svg": charts.bar_chart(rows, title=str(f.indicator.label))})
    return {"scope": scope, "scope_form": form, "scope_error": error, "figures": figures, "trends": trends,
            "focus": focus, "focus_choices": [(f.key, f.indicator.label) for f in figures], "by_place": by_place,
            "by_kind": by_kind, "by_category": _by_category(figures, scope), "open_work": _open_work(user, scope),
            "query": urlencode(scope.query)}


@permission_required(Permission.DASHBOARD_VIEW)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The home page after login (``/dashboard/``, URL name ``dashboard``: root_urls.py)."""
    user = acting_user(request)
    context = dashboard_context(request, user)
    context["registry"] = registry_summary(user)
    return render(request, "reports/dashboard.html", context)
