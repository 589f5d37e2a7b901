"""A leader opens the dashboard for the seed's half-year, follows a figure to its records, records an
outreach event, and downloads the work report. Screenshots go to $YOUTHSAFE_SCREENSHOTS when set."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Tree
from tests.e2e.helpers import login
from tests.reports.records import END, START, build, expected
from youthsafe.core.models import User
from youthsafe.outreach.models import OutreachEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("YOUTHSAFE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_dashboard_figures_charts_and_drill_down(page: Any, live_server: Any, tree: Tree,
                                                 make_user: Callable[..., User], tmp_path: Path) -> None:
    built = build(tree, make_user("administrator"))
    want = expected(built, START, END, tree.city)
    leader = make_user("leader")
    login(page, live_server.url, leader)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/dashboard/?from={START}&to={END}&jurisdiction={tree.city.pk}")
    tile = page.locator('a.tile[data-indicator="school_lectures"] strong')
    assert tile.inner_text().startswith(str(want["school_lectures"]))
    chart = page.locator("svg.chart").first
    assert chart.is_visible()
    box = page.locator("svg.chart text", has_text="江北区").first.bounding_box()
    assert box is not None
    assert box["width"] > 20  # CJK glyphs drawn with a real width (not empty boxes of zero size)
    _shot(page, "dashboard.png")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.click('a.tile[data-indicator="brochures"]')
    page.wait_for_selector("h1:has-text('宣传册发放')")
    assert f"宣传册发放: {want['brochures']}" in page.locator("h1").inner_text()
    with page.expect_download() as info:
        page.goto(f"{live_server.url}/reports/?from={START}&to={END}&jurisdiction={tree.city.pk}")
        page.select_option("#id_fmt", "docx")
        page.click("button:has-text('生成文书')")
    target = tmp_path / "report.docx"
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"PK")


def test_record_an_outreach_event(page: Any, live_server: Any, tree: Tree, make_user: Callable[..., User]) -> None:
    analyst = make_user("analyst", tree.north)
    login(page, live_server.url, analyst)
    page.click("nav.sidebar >> text=宣传教育")
    page.click("text=登记活动")
    page.select_option("#id_kind", "school_lecture")
    page.fill("#id_title", "网络安全进校园：江北一中")
    page.fill("#id_held_on", "2023-03-01")
    page.select_option("#id_jurisdiction", str(tree.north.pk))
    page.fill("#id_audience", "620")
    page.fill("#id_material_brochure", "50")
    page.click("button:has-text('保存')")
    page.wait_for_selector("h1:has-text('网络安全进校园：江北一中')")
    event = OutreachEvent.objects.get()
    assert (event.status, event.brochures) == ("held", 50)
    _shot(page, "outreach_detail.png")
