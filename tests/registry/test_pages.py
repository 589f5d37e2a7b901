"""Registry pages: list filters and paging, detail with history and audited contacts, forms that refuse bad
input with a message in the user's language and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Tree
from youthsafe.core.models import AuditAction, AuditEvent, User
from youthsafe.registry import services
from youthsafe.registry.controls import CONTROLS
from youthsafe.registry.models import ControlStatus, Platform


def _platform(admin: User, tree: Tree, name: str, **extra: Any) -> Platform:
    data = {"name": name, "kind": "education", "operator": "某公司", "jurisdiction": tree.north, **extra}
    return services.do_create_platform(actor=admin, data=data)


def _form(**overrides: Any) -> dict[str, Any]:
    data = {"name": "青苗网校", "kind": "education", "operator": "青苗公司", "jurisdiction": "",
            "registered_users": "100", "minor_users": "10", "status": "active"}
    data.update(overrides)
    return data


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("administrator")


def test_list_filters_search_sort_and_pages(
    tree: Tree, admin: User, login: Callable[[User], Client],
) -> None:
    for i in range(60):
        _platform(admin, tree, f"平台{i:02d}", kind="game" if i % 2 else "education", registered_users=i)
    _platform(admin, tree, "江南游戏", kind="game", jurisdiction=tree.south, locally_operated=True)
    client = login(admin)
    page1 = client.get("/registry/").content.decode()
    assert "61" in page1
    assert "平台00" in page1
    assert "平台55" not in page1
    assert "平台55" in client.get("/registry/?page=2").content.decode()
    games = client.get("/registry/?kind=game").content.decode()
    assert "平台01" in games
    assert "平台02" not in games
    assert "平台59" in client.get("/registry/?sort=-users").content.decode().split("平台58")[0]
    south = client.get(f"/registry/?jurisdiction={tree.south.pk}").content.decode()
    assert "江南游戏" in south
    assert "平台01" not in south
    assert "江南游戏" in client.get("/registry/?local=on").content.decode()
    assert "江南游戏" in client.get("/registry/?q=江南").content.decode()
    partial = client.get("/registry/?q=江南", HTTP_HX_REQUEST="true").content.decode()
    assert "江南游戏" in partial
    assert "<html" not in partial


def test_missing_controls_filter(tree: Tree, admin: User, login: Callable[[User], Client]) -> None:
    gap = _platform(admin, tree, "缺项平台")
    _platform(admin, tree, "齐全平台")
    services.do_set_controls(gap, actor=admin, states={CONTROLS[0].id: (ControlStatus.MISSING, "无负责人")})
    body = login(admin).get("/registry/?gaps=on").content.decode()
    assert "缺项平台" in body
    assert "齐全平台" not in body


def test_create_refuses_bad_input_in_chinese_and_changes_nothing(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    client = login(make_user("analyst", tree.north))
    cases = [
        (_form(jurisdiction=tree.north.pk, minor_users="500"), "未成年用户数不能超过注册用户数"),
        (_form(jurisdiction=tree.north.pk, icp_number="ICP-123"), "ICP"),
        (_form(jurisdiction=tree.north.pk, registered_users="-5"), "确保该值大于或等于0"),
        (_form(jurisdiction=tree.north.pk, kind="casino"), "选择一个有效的选项"),
        (_form(jurisdiction=tree.north.pk, name=""), "这个字段是必填项"),
        (_form(jurisdiction=tree.south.pk), "选择一个有效的选项"),  # outside the analyst's subtree
    ]
    for data, message in cases:
        response = client.post("/registry/new/", data)
        assert response.status_code == 200, data
        assert message in response.content.decode(), (message, data)
    assert not Platform.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_create_and_edit_are_audited_with_before_and_after(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    analyst = make_user("analyst", tree.north)
    client = login(analyst)
    response = client.post("/registry/new/", _form(jurisdiction=tree.north.pk))
    platform = Platform.objects.get()
    assert response["Location"] == f"/registry/{platform.pk}/"
    edit = _form(jurisdiction=tree.north.pk, registered_users="200", version=platform.version, reason="核查")
    assert client.post(f"/registry/{platform.pk}/edit/", edit).status_code == 302
    change = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(platform.pk))
    assert change.before == {"registered_users": 100}
    assert change.after == {"registered_users": 200}
    assert change.reason == "核查"
    assert change.actor == analyst
    history = client.get(f"/registry/{platform.pk}/").content.decode()
    assert "核查" in history


def test_stale_edit_is_refused(tree: Tree, admin: User, login: Callable[[User], Client]) -> None:
    platform = _platform(admin, tree, "并发平台", registered_users=100)
    client = login(admin)
    services.do_update_platform(platform, actor=admin, data={"registered_users": 300})  # someone else saved
    stale = _form(name="并发平台", jurisdiction=tree.north.pk, registered_users="200", version=1)
    response = client.post(f"/registry/{platform.pk}/edit/", stale)
    assert response.status_code == 200
    assert "其他人" in response.content.decode()
    platform.refresh_from_db()
    assert platform.registered_users == 300


def test_contacts_are_shown_only_to_roles_that_need_them_and_views_are_audited(
    tree: Tree, admin: User, make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    platform = _platform(admin, tree, "联系人平台", security_officer="张伟", security_officer_phone="027-88886666")
    viewer = make_user("readonly", tree.north)
    body = login(viewer).get(f"/registry/{platform.pk}/").content.decode()
    assert "027-88886666" not in body
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, actor=viewer).exists()
    analyst = make_user("analyst", tree.north)
    body = login(analyst).get(f"/registry/{platform.pk}/").content.decode()
    assert "027-88886666" in body
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, actor=analyst, object_id=str(platform.pk)).count() == 1


def test_controls_form_records_status_and_evidence(
    tree: Tree, admin: User, login: Callable[[User], Client],
) -> None:
    platform = _platform(admin, tree, "检查平台")
    data = {f"s_{c.id}": "in_place" for c in CONTROLS}
    data.update({f"e_{c.id}": "" for c in CONTROLS})
    data[f"s_{CONTROLS[1].id}"] = "missing"
    data[f"e_{CONTROLS[1].id}"] = "日志仅保留30天"
    data["checked_at"] = "2026-11-20"
    assert login(admin).post(f"/registry/{platform.pk}/controls/", data).status_code == 302
    row = platform.controls.get(control_id=CONTROLS[1].id)
    assert row.status == "missing"
    assert row.evidence == "日志仅保留30天"
    assert str(row.checked_at) == "2026-11-20"
    assert platform.controls.count() == len(CONTROLS)
    bad = dict(data, **{f"s_{CONTROLS[0].id}": "bogus"})
    assert login(admin).post(f"/registry/{platform.pk}/controls/", bad).status_code == 200
    assert platform.controls.get(control_id=CONTROLS[0].id).status == "in_place"
