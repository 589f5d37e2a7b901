"""Every figure of the report, for several periods and jurisdictions, against a count made independently
from the specification of the records (tests/reports/records.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.conftest import Tree
from tests.reports.records import END, START, build, expected, expected_levels
from youthsafe.core import indicators as ind
from youthsafe.core.models import User
from youthsafe.reports import stats


@pytest.fixture
def built(tree: Tree, make_user: Callable[..., User]):  # type: ignore[no-untyped-def]
    return build(tree, make_user("administrator"))


def _stats(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("stats", *args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def test_every_indicator_is_counted_in_the_test(built) -> None:  # type: ignore[no-untyped-def]
    """A new indicator in any app fails here until the test counts it independently."""
    assert {i.key for i in ind.all_indicators()} == set(expected(built, START, END, None))


@pytest.mark.parametrize("place", [None, "city", "north", "south", "station", "other_city"])
def test_stats_command_matches_an_independent_count(built, place: str | None) -> None:  # type: ignore[no-untyped-def]
    root = getattr(built.tree, place) if place else None
    args = ["--from", START.isoformat(), "--to", END.isoformat()]
    if root is not None:
        args += ["--jurisdiction", root.code]
    figures = _stats(*args)["indicators"]
    assert isinstance(figures, dict)
    want = expected(built, START, END, root)
    assert {k: figures[k] for k in want} == want


def test_figures_are_not_trivial(built) -> None:  # type: ignore[no-untyped-def]
    """The records exercise every figure: a count that is always 0 would prove nothing."""
    want = expected(built, START, END, built.tree.city)
    assert all(v > 0 for v in want.values()), want
    assert want["minors_reached_safe"] < want["people_reached_safe"] < want["people_at_risk"]
    # the states and places that must not count are in the records: everything counted is less than everything
    everything = expected(built, dt.date(1900, 1, 1), dt.date(2999, 12, 31), None)
    assert [k for k in want if want[k] >= everything[k]] == [], (want, everything)
    assert want["items_taken_down"] < want["harmful_items_handled"]
    assert want["platforms_inspected"] < want["inspections_done"] < want["findings"]


@pytest.mark.parametrize(("start", "end"), [(START, END), (dt.date(2023, 3, 1), dt.date(2023, 3, 31)),
                                            (dt.date(2022, 12, 31), dt.date(2023, 1, 1)),
                                            (END, dt.date(2023, 7, 11))])
def test_other_periods(built, start: dt.date, end: dt.date) -> None:  # type: ignore[no-untyped-def]
    for root in (None, built.tree.city, built.tree.north):
        got = ind.compute_many(list(expected(built, start, end, root)), start, end, root)
        assert got == expected(built, start, end, root), (start, end, root)


def test_breakdowns_months_and_children_add_up(built) -> None:  # type: ignore[no-untyped-def]
    city = built.tree.city
    warnings = ind.get("warnings_issued")
    levels = {value: n for value, _label, n in ind.by_breakdown(warnings, START, END, city) if n}
    assert levels == expected_levels(built, START, END, city)
    for indicator in ind.all_indicators():
        total = ind.compute(indicator, START, END, city)
        if indicator.measure != "distinct":
            assert sum(n for _m, n in ind.monthly(indicator, START, END, city)) == total, indicator.key
        children = ind.by_child(indicator, START, END, city)
        assert sum(n for _c, n in children) == total, indicator.key
        north = next(n for c, n in children if c is not None and c.pk == built.tree.north.pk)
        assert north == ind.compute(indicator, START, END, built.tree.north), indicator.key
        if indicator.breakdown:
            assert sum(n for _v, _l, n in ind.by_breakdown(indicator, START, END, city)) == total


def test_months_of_a_period() -> None:
    assert ind.months(dt.date(2023, 11, 15), dt.date(2024, 2, 1)) == [
        dt.date(2023, 11, 1), dt.date(2023, 12, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1)]


def test_report_markdown_states_the_figures(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.md"
    call_command("report", "--from", START.isoformat(), "--to", END.isoformat(), "--jurisdiction",
                 built.tree.city.code, "--template", "work_report", "--format", "md", "--out", str(out),
                 stderr=StringIO())
    text = out.read_text(encoding="utf-8")
    want = expected(built, START, END, built.tree.city)
    assert f"发出自杀自残风险预警{want['warnings_issued']}起" in text
    assert f"其中未成年人{want['minors_reached_safe']}人" in text
    assert f"开展网上主题宣传{want['online_campaigns']}次" in text
    assert f"网络安全进校园讲座{want['school_lectures']}场" in text
    assert f"发放宣传册{want['brochures']}份" in text
    assert "2023年1月1日至2023年7月10日" in text
    assert "{{" not in text


def test_indicator_keys_are_unique_and_apps_follow_the_settings() -> None:
    keys = [i.key for i in ind.all_indicators()]
    assert len(keys) == len(set(keys))
    apps = {i.records().model._meta.app_label for i in ind.all_indicators()}
    assert apps <= {*settings.YOUTHSAFE_APPS}


def test_dates_outside_the_countable_range_are_a_scope_error(tree: Tree, make_user: Callable[..., User],
                                                             login: Callable[[User], Client]) -> None:
    """Found by fuzzing: 0001-01-01 or 9999-12-31 overflowed turning the period into aware datetimes (a 500)."""
    with pytest.raises(stats.ScopeError, match="1900-01-01"):
        stats.scope_for(None, "0001-01-01", "", None)
    with pytest.raises(stats.ScopeError, match="1900-01-01"):
        stats.scope_for(None, "", "9999-12-31", None)
    assert stats.scope_for(None, "1900-01-01", "2999-12-31", None).end == stats.LAST_DATE
    response = login(make_user("leader")).get("/api/reports/indicators", {"date_from": "0001-01-01"})
    assert response.status_code == 422
