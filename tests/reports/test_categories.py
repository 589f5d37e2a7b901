"""Figures by taxonomy category: content items and alerts, each record under each of its categories, counted
independently from the records' specification; the dashboard draws them with Chinese names and each bar opens
the records of that category."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from html import unescape

import pytest
from django.test import Client

from tests.conftest import Tree
from tests.reports.records import END, START, TZ, build, within
from tests.reports.work_records import ITEMS
from youthsafe.alerts.models import Alert
from youthsafe.core import indicators as ind
from youthsafe.core.models import Jurisdiction, User
from youthsafe.detection import taxonomy
from youthsafe.reports import categories


@pytest.fixture
def built(tree: Tree, make_user: Callable[..., User]):  # type: ignore[no-untyped-def]
    return build(tree, make_user("administrator"))


def _items_by_category(tree: Tree, start: dt.date, end: dt.date, root: Jurisdiction | None) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for spec in ITEMS:
        if start <= spec.recorded.astimezone(TZ).date() <= end and within(getattr(tree, spec.place), root):
            counts.update(set(spec.categories))
    return dict(counts)


def _alerts_by_category(start: dt.date, end: dt.date, root: Jurisdiction | None) -> dict[str, int]:
    """Read back alert by alert (the alert's categories come from the detection engine), placed by walking
    parents and dated by the local day, not through the indicator's query."""
    counts: Counter[str] = Counter()
    for alert in Alert.objects.select_related("jurisdiction"):
        if start <= alert.opened_at.astimezone(TZ).date() <= end and within(alert.jurisdiction, root):
            counts.update(set(alert.categories))
    return dict(counts)


@pytest.mark.parametrize("place", [None, "city", "north", "south", "other_city"])
def test_category_breakdowns_match_an_independent_count(built, place: str | None) -> None:  # type: ignore[no-untyped-def]
    root = getattr(built.tree, place) if place else None
    items = categories.by_category(ind.get("content_items_recorded"), START, END, root)
    assert {cid: n for cid, _label, n in items} == _items_by_category(built.tree, START, END, root)
    alerts = categories.by_category(ind.get("warnings_issued"), START, END, root)
    assert {cid: n for cid, _label, n in alerts} == _alerts_by_category(START, END, root)
    order = list(taxonomy.CATEGORIES)
    assert [cid for cid, _l, _n in items] == sorted((cid for cid, _l, _n in items), key=order.index)


def test_breakdown_is_not_trivial_and_labels_are_chinese(built) -> None:  # type: ignore[no-untyped-def]
    items = categories.by_category(ind.get("content_items_recorded"), START, END, built.tree.city)
    assert len(items) >= 5
    total = ind.compute(ind.get("content_items_recorded"), START, END, built.tree.city)
    assert sum(n for _c, _l, n in items) > total  # items with two categories count under both
    assert ("A01", "A01 宣扬淫秽色情") in [(c, label) for c, label, _n in items]
    assert categories.by_category(ind.get("brochures"), START, END, None) == []
    assert _alerts_by_category(START, END, None), "the alerts carry categories"


def test_dashboard_draws_categories_and_bars_open_the_records(built, make_user: Callable[..., User],  # type: ignore[no-untyped-def]
                                                             login: Callable[[User], Client]) -> None:
    tree = built.tree
    client = login(make_user("leader"))
    scope = {"from": START.isoformat(), "to": END.isoformat(), "jurisdiction": str(tree.city.pk)}
    page = client.get("/dashboard/", scope).content.decode()
    want = _items_by_category(tree, START, END, tree.city)
    assert "按类别" in page
    for cid, n in want.items():
        name = taxonomy.CATEGORIES[cid].name_zh
        bar = re.search(rf'<a href="([^"]*indicator=content_items_recorded[^"]*category={cid})">'
                        rf'<text class="label"[^>]*>{cid} {re.escape(name)}</text><rect[^>]*/>'
                        rf'<text class="value"[^>]*>(\d+)</text></a>', page)
        assert bar is not None, cid
        assert int(bar.group(2)) == n
        records = client.get(unescape(bar.group(1))).content.decode()
        shown = re.search(r'data-category-count="(\d+)"', records)
        assert shown is not None
        assert int(shown.group(1)) == n
        assert records.count("<tr><td>") == n
    assert client.get("/reports/records/", {**scope, "indicator": "brochures", "category": "A01"}).status_code == 200
    refused = client.get("/reports/records/", {**scope, "indicator": "content_items_recorded",
                                               "category": "A01' OR 1=1"}).content.decode()
    assert "没有类别" in refused or "no category" in refused
