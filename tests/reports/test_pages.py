"""Dashboard and statistics pages: figures link to the records behind them with the scope's parameters,
figures a role may not see are absent, the jurisdiction picker offers only the user's own, charts are SVG
with Chinese labels and no inline style, exports carry every visible indicator and are audited."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from django.test import Client
from openpyxl import load_workbook

from tests.conftest import Tree
from tests.reports.records import END, START, build, expected
from tests.reports.work_records import INSPECTIONS, PLATFORMS
from youthsafe.core import indicators as ind
from youthsafe.core.models import AuditEvent, User

SCOPE = {"from": START.isoformat(), "to": END.isoformat()}


def test_dashboard_figures_link_to_their_records(tree: Tree, make_user: Callable[..., User],
                                                login: Callable[[User], Client]) -> None:
    built = build(tree, make_user("administrator"))
    client = login(make_user("leader"))
    page = client.get("/dashboard/", {**SCOPE, "jurisdiction": tree.city.pk}).content.decode()
    want = expected(built, START, END, tree.city)
    query = f"from={START}&amp;to={END}&amp;jurisdiction={tree.city.pk}"
    tile = re.search(r'<a class="tile" href="([^"]+)"[^>]*data-indicator="brochures"><strong>(\d+)', page)
    assert tile is not None
    assert tile.group(2) == str(want["brochures"])
    assert tile.group(1) == f"/reports/records/?{query}&amp;indicator=brochures"
    assert f'href="/outreach/?{query}&amp;indicator=school_lectures"' in page
    assert f'href="/reports/records/?{query}&amp;indicator=warnings_issued"' in page
    assert "<svg" in page
    assert "江北区" in page  # breakdown by jurisdiction, drawn as SVG text
    assert "style=" not in page
    assert "<script>" not in page
    records = client.get("/reports/records/", {**SCOPE, "jurisdiction": tree.city.pk, "indicator": "brochures"})
    assert records.status_code == 200
    assert f"宣传册发放: {want['brochures']}" in records.content.decode()


def test_figures_a_role_may_not_see_are_absent(tree: Tree, make_user: Callable[..., User],
                                               login: Callable[[User], Client]) -> None:
    build(tree, make_user("administrator"))
    viewer = login(make_user("readonly", tree.north))
    page = viewer.get("/dashboard/", SCOPE).content.decode()
    assert 'data-indicator="brochures"' in page
    assert 'data-indicator="warnings_issued"' not in page  # welfare figures need alert:view
    assert viewer.get("/reports/records/", {**SCOPE, "indicator": "warnings_issued"}).status_code == 403
    stats = viewer.get("/api/reports/indicators", {"date_from": "2023-01-01", "date_to": "2023-07-10"}).json()
    assert "warnings_issued" not in {f["key"] for f in stats["indicators"]}
    assert stats["jurisdiction"] == tree.north.pk  # confined to their subtree by default


def test_jurisdiction_picker_offers_only_the_users_own(tree: Tree, make_user: Callable[..., User],
                                                       login: Callable[[User], Client]) -> None:
    client = login(make_user("analyst", tree.north))
    page = client.get("/dashboard/").content.decode()
    options = re.findall(r'<option value="(\d+)"', page)
    assert set(options) == {str(tree.north.pk), str(tree.station.pk)}
    refused = client.get("/dashboard/", {"jurisdiction": tree.south.pk}).content.decode()
    assert "没有辖区" in refused
    api = client.get("/api/reports/indicators", {"jurisdiction": tree.south.code})
    assert api.status_code == 422


def test_exports_and_audit(tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client]) -> None:
    built = build(tree, make_user("administrator"))
    leader = make_user("leader")
    client = login(leader)
    csv_body = client.get("/reports/export.csv", {**SCOPE, "jurisdiction": tree.city.pk}).content.decode("utf-8-sig")
    rows = {line.split(",")[0]: line.split(",") for line in csv_body.splitlines()[1:]}
    want = expected(built, START, END, tree.city)
    visible = {i.key for i in ind.visible_to(leader)}
    assert len(visible) >= len(want) - 2  # a leader sees all but the triage and post figures
    assert {k: int(rows[k][2]) for k in visible} == {k: want[k] for k in visible}
    xlsx = client.get("/reports/export.xlsx", {**SCOPE, "jurisdiction": tree.city.pk})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["指标", "按月", "按辖区", "分项"]
    values = {r[0]: r[2] for r in book["指标"].iter_rows(min_row=2, values_only=True)}
    assert {k: values[k] for k in visible} == {k: want[k] for k in visible}
    assert AuditEvent.objects.filter(action="export", object_type="reports.indicators").count() == 2
    index = client.get("/reports/", {**SCOPE, "jurisdiction": tree.city.pk}).content.decode()
    assert "生成文书" in index
    assert "工作报告" in index or "未成年人网络保护工作报告" in index


def test_template_editor_page(db: None, make_user: Callable[..., User], login: Callable[[User], Client]) -> None:
    client = login(make_user("leader"))
    page = client.get("/reports/templates/").content.decode()
    assert "提案答复" in page
    create = client.post("/reports/templates/new/", {"name": "brief", "title": "简报", "kind": "other",
                                                     "body": "# 简报\n宣传册{{ brochures }}份"})
    assert create.status_code == 302
    bad = client.post("/reports/templates/new/", {"name": "bad", "title": "坏", "kind": "other",
                                                  "body": "{{ os.system('x') }}"})
    assert "占位符无效" in bad.content.decode()


def test_distinct_and_summed_figures_open_a_list_that_explains_them(tree: Tree, make_user: Callable[..., User],
                                                                    login: Callable[[User], Client]) -> None:
    built = build(tree, make_user("administrator"))
    client = login(make_user("leader"))
    want = expected(built, START, END, tree.city)
    page = client.get("/dashboard/", {**SCOPE, "jurisdiction": tree.city.pk}).content.decode()
    query = f"from={START}&amp;to={END}&amp;jurisdiction={tree.city.pk}"
    for key, rows_key in (("platforms_inspected", "inspections_done"), ("fine_amount", "fines"),
                          ("outreach_audience", "outreach_events"), ("brochures", None)):
        assert f'href="/reports/records/?{query}&amp;indicator={key}"' in page, key
        records = client.get("/reports/records/", {**SCOPE, "jurisdiction": tree.city.pk, "indicator": key})
        basis = re.search(r'data-records="(\d+)" data-value="(\d+)"', records.content.decode())
        assert basis is not None, key
        assert int(basis.group(2)) == want[key], key
        if rows_key:
            assert int(basis.group(1)) == want[rows_key], key
    body = client.get("/reports/records/", {**SCOPE, "jurisdiction": tree.city.pk,
                                            "indicator": "platforms_inspected"}).content.decode()
    listed = re.search(r'<ul class="plain distinct">(.*?)</ul>', body, re.DOTALL)
    assert listed is not None
    names = re.findall(r"<li>(.*?)</li>", listed.group(1))
    signed = {s.platform for s in INSPECTIONS if s.signed and START <= s.day <= END
              and PLATFORMS[s.platform] != "other_city"}
    assert set(names) == signed
    assert len(names) == want["platforms_inspected"]
    assert "为其中不重复对象的个数" in body
