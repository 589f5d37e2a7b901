"""A person logs in, creates and edits a platform, imports a CSV with one bad row, and is refused a
record of another jurisdiction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Tree
from tests.e2e.helpers import login
from youthsafe.core.models import User
from youthsafe.registry import services
from youthsafe.registry.models import Platform

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_and_edit_a_platform(page: Any, live_server: Any, tree: Tree, make_user: Callable[..., User]) -> None:
    analyst = make_user("analyst", tree.north)
    login(page, live_server.url, analyst)
    page.click("text=平台台账")
    page.click("text=新建平台")
    page.fill("#id_name", "青苗网校")
    page.select_option("#id_kind", "education")
    page.fill("#id_operator", "青苗教育科技有限公司")
    page.fill("#id_icp_number", "鄂ICP备12345678号")
    page.fill("#id_registered_users", "5000")
    page.fill("#id_minor_users", "9000")  # more minors than users: refused with a message
    page.click("button:has-text('保存')")
    assert page.locator(".errors").first.is_visible()
    assert "未成年用户数不能超过注册用户数" in page.content()
    assert not Platform.objects.exists()

    page.fill("#id_minor_users", "3000")
    page.click("button:has-text('保存')")
    page.wait_for_selector("h1:has-text('青苗网校')")
    platform = Platform.objects.get(name="青苗网校")
    assert platform.jurisdiction == tree.north

    page.click("text=编辑")
    page.fill("#id_registered_users", "6000")
    page.fill("#id_reason", "年度核查更新")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=年度核查更新")
    platform.refresh_from_db()
    assert platform.registered_users == 6000
    assert platform.version == 2


def test_import_with_one_bad_row_imports_nothing(
    page: Any, live_server: Any, tree: Tree, make_user: Callable[..., User], tmp_path: Path,
) -> None:
    analyst = make_user("analyst", tree.north)
    csv_file = tmp_path / "platforms.csv"
    csv_file.write_text(
        "name,kind,operator,jurisdiction,registered_users,minor_users\n"
        "甲平台,education,甲公司,JC-N,100,10\n"
        "乙平台,not-a-kind,乙公司,JC-N,100,10\n"
        "丙平台,game,丙公司,JC-N,100,10\n",
        encoding="utf-8",
    )
    login(page, live_server.url, analyst)
    page.goto(f"{live_server.url}/registry/import/")
    page.set_input_files("#id_file", str(csv_file))
    page.click("button:has-text('导入')")
    errors = page.locator(".errors table")
    errors.wait_for()
    first_row = errors.locator("tbody tr").first.inner_text()
    assert "3" in first_row
    assert "kind" in first_row or "类型" in first_row
    assert not Platform.objects.exists()


def test_refused_a_record_of_another_jurisdiction(
    page: Any, live_server: Any, tree: Tree, make_user: Callable[..., User],
) -> None:
    admin = make_user("administrator")
    theirs = services.do_create_platform(actor=admin, data={
        "name": "江南平台", "kind": "game", "operator": "江南公司", "jurisdiction": tree.south,
    })
    analyst = make_user("analyst", tree.north)
    login(page, live_server.url, analyst)
    response = page.goto(f"{live_server.url}/registry/{theirs.pk}/")
    assert response.status == 404
    assert "您的辖区内没有此记录" in page.content()
    page.goto(f"{live_server.url}/registry/")
    assert "江南平台" not in page.content()
