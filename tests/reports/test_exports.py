"""Exports carry every breakdown (by level or kind, by jurisdiction, by category) in long form, each checked
against the independent count; text cells that a spreadsheet would run as a formula are defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.test import Client
from openpyxl import load_workbook

from tests.conftest import Tree
from tests.reports.records import END, START, build, expected, expected_levels
from tests.reports.test_categories import _items_by_category
from youthsafe.core import indicators as ind
from youthsafe.core.models import AuditEvent, Jurisdiction, JurisdictionKind, User

SCOPE = {"from": START.isoformat(), "to": END.isoformat()}
EVIL = "=HYPERLINK(\"http://evil.example\",\"点击\")"


def _check(rows: list[list[object]], built, tree: Tree) -> None:  # type: ignore[no-untyped-def]
    levels = {str(r[3]): int(str(r[5])) for r in rows if r[0] == "warnings_issued" and r[2] == "level"}
    assert {k: v for k, v in levels.items() if v} == expected_levels(built, START, END, tree.city)
    kinds = {str(r[3]): int(str(r[5])) for r in rows if r[0] == "outreach_events" and r[2] == "kind"}
    held = [e for e in built.events if e.status == "held" and START <= e.day <= END and e.place != "other_city"]
    assert {k: v for k, v in kinds.items() if v} == {k: sum(e.kind == k for e in held) for k in {e.kind for e in held}}
    shown = {str(r[0]) for r in rows}
    assert len(shown) >= len(ind.all_indicators()) - 2  # all a leader may see
    for key in shown:
        places = {str(r[3]): int(str(r[5])) for r in rows if r[0] == key and r[2] == "jurisdiction"}
        for child in (tree.north, tree.south):
            assert places[child.code] == expected(built, START, END, child)[key], (key, child.code)
        assert sum(places.values()) == expected(built, START, END, tree.city)[key], key
    cats = {str(r[3]): int(str(r[5])) for r in rows if r[0] == "content_items_recorded" and r[2] == "category"}
    assert cats == _items_by_category(tree, START, END, tree.city)
    assert {r[2] for r in rows if r[0] == "warnings_issued"} == {"level", "jurisdiction", "category"}


def test_breakdowns_in_csv_and_xlsx(tree: Tree, make_user: Callable[..., User],
                                    login: Callable[[User], Client]) -> None:
    built = build(tree, make_user("administrator"))
    evil = Jurisdiction.objects.create(code="JC-X", name=EVIL, kind=JurisdictionKind.DISTRICT, parent=tree.city)
    client = login(make_user("leader"))
    query = {**SCOPE, "jurisdiction": tree.city.pk}
    body = client.get("/reports/export.csv", {**query, "table": "breakdowns"}).content.decode("utf-8-sig")
    rows: list[list[object]] = list(csv.reader(io.StringIO(body)))
    assert rows[0][:6] == ["key", "指标", "分项维度", "分项值", "分项名称", "数值"]
    _check(rows[1:], built, tree)
    assert next(r[4] for r in rows if r[3] == evil.code) == "'" + EVIL

    book = load_workbook(io.BytesIO(client.get("/reports/export.xlsx", query).content))
    assert book.sheetnames == ["指标", "按月", "按辖区", "分项"]
    sheet_rows = [list(r) for r in book["分项"].iter_rows(min_row=2, values_only=True)]
    _check(sheet_rows, built, tree)
    for name in ("分项", "按辖区"):
        texts = [c for r in book[name].iter_rows(values_only=True) for c in r if isinstance(c, str)]
        assert "'" + EVIL in texts
        assert EVIL not in texts
        assert not [c for c in book[name].iter_rows() for c in c if c.data_type == "f"]
    assert AuditEvent.objects.filter(action="export", object_repr="indicator breakdowns CSV").count() == 1


def test_main_csv_defuses_the_place_name(tree: Tree, make_user: Callable[..., User],
                                         login: Callable[[User], Client]) -> None:
    evil = Jurisdiction.objects.create(code="EVIL", name="@SUM(1+1)*cmd", kind=JurisdictionKind.CITY)
    client = login(make_user("administrator", username="admin2"))
    body = client.get("/reports/export.csv", {**SCOPE, "jurisdiction": evil.pk}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert {r[7] for r in rows[1:]} == {"'@SUM(1+1)*cmd"}
