"""Registry JSON API: CRUD, filters and paging, the permission matrix, contacts, optimistic concurrency,
and bad input refused with 422 while the database stays exactly as it was."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Tree
from youthsafe.core.models import AuditAction, AuditEvent, User
from youthsafe.core.roles import Role
from youthsafe.registry import services
from youthsafe.registry.controls import CONTROLS
from youthsafe.registry.models import Platform, PlatformControl

BASE = "/api/registry"
CONTACTS = ("security_officer", "security_officer_phone", "security_officer_email")


def _platform(admin: User, jurisdiction: Any, name: str, **extra: Any) -> Platform:
    data = {"name": name, "kind": "education", "operator": "江城某科技有限公司", "jurisdiction": jurisdiction,
            "security_officer": "王敏", "security_officer_phone": "0571-88880000", **extra}
    return services.do_create_platform(actor=admin, data=data)


def _body(tree: Tree, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "青苗网校", "kind": "education", "operator": "青苗公司",
                            "jurisdiction": tree.north.pk, "registered_users": 1000, "minor_users": 100}
    body.update(overrides)
    return body


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(f"{BASE}{path}", data=json.dumps(body), content_type="application/json")


def _patch(client: Client, path: str, body: Any) -> Any:
    return client.patch(f"{BASE}{path}", data=json.dumps(body), content_type="application/json")


def _put(client: Client, path: str, body: Any) -> Any:
    return client.put(f"{BASE}{path}", data=json.dumps(body), content_type="application/json")


def _state() -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    return (
        list(Platform.objects.order_by("id").values()),
        list(PlatformControl.objects.order_by("id").values()),
        AuditEvent.objects.count(),
    )


@contextmanager
def unchanged() -> Iterator[None]:
    before = _state()
    yield
    assert _state() == before


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def places(tree: Tree, admin: User) -> dict[str, Platform]:
    return {
        "city": _platform(admin, tree.city, "江城市民网", kind="social", registered_users=500),
        "north": _platform(admin, tree.north, "江北学堂", registered_users=300, minor_users=200,
                           locally_developed=True, icp_number="鄂ICP备12345678号"),
        "station": _platform(admin, tree.station, "派出所论坛", kind="forum", status="rectifying",
                             registered_users=100),
        "south": _platform(admin, tree.south, "江南游戏", kind="game", operator="南方互娱", locally_operated=True,
                           registered_users=900),
        "other": _platform(admin, tree.other_city, "海州直播", kind="live", registered_users=50),
    }


def _names(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["name"] for item in response.json()["items"]}


# --- permission matrix ---------------------------------------------------------------------------------------


def test_anonymous_is_refused_everywhere(places: dict[str, Platform], tree: Tree) -> None:
    client = Client()
    pk = places["north"].pk
    with unchanged():
        for response in (
            client.get(f"{BASE}/platforms"), client.get(f"{BASE}/platforms/{pk}"), client.get(f"{BASE}/controls"),
            client.get(f"{BASE}/platforms/{pk}/history"), _post(client, "/platforms", _body(tree)),
            _patch(client, f"/platforms/{pk}", {"name": "x"}),
            _put(client, f"/platforms/{pk}/controls", {"controls": []}),
        ):
            assert response.status_code in (401, 403)


def test_session_writes_need_csrf_token(admin: User, tree: Tree) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    with unchanged():
        assert _post(client, "/platforms", _body(tree)).status_code == 403


def test_analyst_sees_own_subtree_only(
    places: dict[str, Platform], make_user: Callable[..., User], login: Callable[[User], Client], tree: Tree,
) -> None:
    client = login(make_user(Role.ANALYST, tree.north))
    assert _names(client.get(f"{BASE}/platforms")) == {"江北学堂", "派出所论坛"}
    assert client.get(f"{BASE}/platforms/{places['north'].pk}").status_code == 200
    for key in ("south", "city", "other"):
        with unchanged():
            pk = places[key].pk
            assert client.get(f"{BASE}/platforms/{pk}").status_code == 404
            assert client.get(f"{BASE}/platforms/{pk}/controls").status_code == 404
            assert client.get(f"{BASE}/platforms/{pk}/history").status_code == 404
            assert _patch(client, f"/platforms/{pk}", {"name": "改名"}).status_code == 404
            assert _put(client, f"/platforms/{pk}/controls",
                        {"controls": [{"control_id": "CSL-21-LOGS", "status": "missing"}]}).status_code == 404


def test_leader_reads_everything_but_cannot_write(
    places: dict[str, Platform], make_user: Callable[..., User], login: Callable[[User], Client], tree: Tree,
) -> None:
    client = login(make_user(Role.LEADER, tree.city))
    assert _names(client.get(f"{BASE}/platforms")) == {p.name for p in places.values()}
    assert client.get(f"{BASE}/platforms/{places['other'].pk}").status_code == 200
    with unchanged():
        assert _post(client, "/platforms", _body(tree)).status_code == 403
        assert _patch(client, f"/platforms/{places['north'].pk}", {"name": "改名"}).status_code == 403
        assert _put(client, f"/platforms/{places['north'].pk}/controls", {"controls": []}).status_code == 403


def test_readonly_can_read_but_not_create(
    places: dict[str, Platform], make_user: Callable[..., User], login: Callable[[User], Client], tree: Tree,
) -> None:
    client = login(make_user(Role.READONLY, tree.city))
    assert "江北学堂" in _names(client.get(f"{BASE}/platforms"))
    with unchanged():
        response = _post(client, "/platforms", _body(tree))
        assert response.status_code == 403
        assert response.json()["detail"]


def test_user_without_jurisdiction_sees_nothing(
    places: dict[str, Platform], login: Callable[[User], Client],
) -> None:
    user = User.objects.create(username="nowhere", role=Role.ANALYST, jurisdiction=None)
    client = login(user)
    assert _names(client.get(f"{BASE}/platforms")) == set()
    assert client.get(f"{BASE}/platforms/{places['north'].pk}").status_code == 404


# --- contacts ------------------------------------------------------------------------------------------------


def test_contacts_hidden_without_permission_and_not_audited(
    places: dict[str, Platform], make_user: Callable[..., User], login: Callable[[User], Client], tree: Tree,
) -> None:
    client = login(make_user(Role.READONLY, tree.city))
    with unchanged():
        detail = client.get(f"{BASE}/platforms/{places['north'].pk}").json()
        listed = client.get(f"{BASE}/platforms").json()["items"]
    for record in (detail, *listed):
        assert not set(CONTACTS) & set(record)
    assert detail["jurisdiction"] == {"id": tree.north.pk, "code": "JC-N", "name": "江北区"}


def test_contacts_shown_with_permission_and_view_audited(
    places: dict[str, Platform], make_user: Callable[..., User], login: Callable[[User], Client], tree: Tree,
) -> None:
    analyst = make_user(Role.ANALYST, tree.north)
    client = login(analyst)
    detail = client.get(f"{BASE}/platforms/{places['north'].pk}").json()
    assert detail["security_officer"] == "王敏"
    assert detail["security_officer_phone"] == "0571-88880000"
    view = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert (view.actor_id, view.object_id) == (analyst.pk, str(places["north"].pk))


def test_history_redacts_contacts_without_permission(
    places: dict[str, Platform], make_user: Callable[..., User], login: Callable[[User], Client], tree: Tree,
) -> None:
    rows = login(make_user(Role.READONLY, tree.city)).get(f"{BASE}/platforms/{places['north'].pk}/history").json()
    created = next(r for r in rows if r["action"] == "create")
    assert created["after"]["security_officer"] == "***"
    assert created["after"]["name"] == "江北学堂"
    full = login(make_user(Role.ANALYST, tree.north)).get(f"{BASE}/platforms/{places['north'].pk}/history").json()
    assert next(r for r in full if r["action"] == "create")["after"]["security_officer"] == "王敏"


# --- create and change ---------------------------------------------------------------------------------------


def test_create_returns_201_and_audits(
    make_user: Callable[..., User], login: Callable[[User], Client], tree: Tree,
) -> None:
    analyst = make_user(Role.ANALYST, tree.north)
    response = _post(login(analyst), "/platforms", _body(tree, jurisdiction=tree.station.pk, website="https://a.cn"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["jurisdiction"]["code"] == "JC-N-1"
    assert data["kind_label"]
    assert data["version"] == 1
    platform = Platform.objects.get(pk=data["id"])
    assert platform.created_by == analyst
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(platform.pk))
    assert event.after["name"] == "青苗网校"


def test_create_outside_own_jurisdiction_is_refused(
    make_user: Callable[..., User], login: Callable[[User], Client], tree: Tree,
) -> None:
    client = login(make_user(Role.ANALYST, tree.north))
    with unchanged():
        assert _post(client, "/platforms", _body(tree, jurisdiction=tree.south.pk)).status_code == 403
        assert _post(client, "/platforms", _body(tree, jurisdiction=tree.city.pk)).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"minor_users": 2000}, "__all__"),  # the model's CheckConstraint, caught by full_clean
        ({"registered_users": 2**63}, "registered_users"),
        ({"registered_users": 10**40}, "registered_users"),
        ({"registered_users": -1}, "registered_users"),
        ({"registered_users": "many"}, "registered_users"),
        ({"registered_users": 1.5}, "registered_users"),
        ({"name": 123}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "坏\x00名"}, "name"),
        ({"kind": "casino"}, "kind"),
        ({"status": "gone"}, "status"),
        ({"jurisdiction": 999999}, "jurisdiction"),
        ({"jurisdiction": 2**70}, "jurisdiction"),
        ({"jurisdiction": "JC-N"}, "jurisdiction"),
        ({"icp_number": "ICP12345"}, "icp_number"),
        ({"operator_credit_code": "123"}, "operator_credit_code"),
        ({"website": "not a url"}, "website"),
        ({"security_officer_email": "nobody"}, "security_officer_email"),
        ({"security_officer_phone": "call me"}, "security_officer_phone"),
        ({"locally_developed": "perhaps"}, "locally_developed"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_create_bad_input_is_422_with_field_and_changes_nothing(
    admin: User, login: Callable[[User], Client], tree: Tree, overrides: dict[str, Any], field: str,
) -> None:
    client = login(admin)
    with unchanged():
        response = _post(client, "/platforms", _body(tree, **overrides))
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json()["detail"], ensure_ascii=False)


@pytest.mark.parametrize("raw", ["", "{", "[]", "null", '"text"'])
def test_create_malformed_json_is_4xx(admin: User, login: Callable[[User], Client], raw: str) -> None:
    client = login(admin)
    with unchanged():
        response = client.post(f"{BASE}/platforms", data=raw, content_type="application/json")
    assert 400 <= response.status_code < 500


def test_patch_changes_only_sent_fields_and_audits(
    places: dict[str, Platform], make_user: Callable[..., User], login: Callable[[User], Client], tree: Tree,
) -> None:
    client = login(make_user(Role.ANALYST, tree.north))
    platform = places["north"]
    response = _patch(client, f"/platforms/{platform.pk}",
                      {"registered_users": 400, "version": 1, "reason": "年度核查"})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    platform.refresh_from_db()
    assert (platform.registered_users, platform.minor_users, platform.name) == (400, 200, "江北学堂")
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(platform.pk)).latest("id")
    assert (event.before, event.after) == ({"registered_users": 300}, {"registered_users": 400})
    assert event.reason == "年度核查"
    history = client.get(f"{BASE}/platforms/{platform.pk}/history").json()
    assert [h["action"] for h in history] == ["change", "create"]


def test_patch_with_stale_version_is_409_and_changes_nothing(
    places: dict[str, Platform], admin: User, login: Callable[[User], Client],
) -> None:
    client = login(admin)
    pk = places["north"].pk
    assert _patch(client, f"/platforms/{pk}", {"notes": "第一次", "version": 1}).status_code == 200
    with unchanged():
        response = _patch(client, f"/platforms/{pk}", {"notes": "过期的编辑", "version": 1})
    assert response.status_code == 409
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [{"name": None}, {"kind": None}, {"jurisdiction": None}, {"locally_developed": None}, {"minor_users": 301},
     {"registered_users": 2**64}, {"jurisdiction": 424242}, {"version": 0}, {"id": 5}, {"created_by": 1}],
)
def test_patch_bad_input_is_422(
    places: dict[str, Platform], admin: User, login: Callable[[User], Client], body: dict[str, Any],
) -> None:
    client = login(admin)
    with unchanged():
        assert _patch(client, f"/platforms/{places['north'].pk}", body).status_code == 422


def test_patch_cannot_move_platform_out_of_own_subtree(
    places: dict[str, Platform], make_user: Callable[..., User], login: Callable[[User], Client], tree: Tree,
) -> None:
    client = login(make_user(Role.ANALYST, tree.north))
    with unchanged():
        assert _patch(client, f"/platforms/{places['north'].pk}", {"jurisdiction": tree.south.pk}).status_code == 403
    assert _patch(client, f"/platforms/{places['north'].pk}", {"jurisdiction": tree.station.pk}).status_code == 200


def test_unknown_or_huge_ids_are_404(admin: User, login: Callable[[User], Client]) -> None:
    client = login(admin)
    for pk in (999999, 2**63, 10**30):
        assert client.get(f"{BASE}/platforms/{pk}").status_code == 404
        assert _patch(client, f"/platforms/{pk}", {"name": "x"}).status_code == 404


# --- list: filters, ordering, paging -------------------------------------------------------------------------


def test_filters(places: dict[str, Platform], admin: User, login: Callable[[User], Client], tree: Tree) -> None:
    client = login(admin)
    url = f"{BASE}/platforms"
    assert _names(client.get(url, {"kind": "game"})) == {"江南游戏"}
    assert _names(client.get(url, {"status": "rectifying"})) == {"派出所论坛"}
    assert _names(client.get(url, {"jurisdiction": tree.north.pk})) == {"江北学堂", "派出所论坛"}
    assert _names(client.get(url, {"jurisdiction": tree.city.pk})) == {
        "江城市民网", "江北学堂", "派出所论坛", "江南游戏"}
    assert _names(client.get(url, {"local": "true"})) == {"江北学堂", "江南游戏"}
    assert "江北学堂" not in _names(client.get(url, {"local": "false"}))
    assert _names(client.get(url, {"q": "南方"})) == {"江南游戏"}  # operator
    assert _names(client.get(url, {"q": "12345678"})) == {"江北学堂"}  # ICP number
    assert _names(client.get(url, {"q": "学堂", "kind": "education"})) == {"江北学堂"}


def test_ordering_and_paging(
    places: dict[str, Platform], admin: User, login: Callable[[User], Client],
) -> None:
    client = login(admin)
    data = client.get(f"{BASE}/platforms", {"ordering": "-users", "limit": 2, "offset": 1}).json()
    assert data["count"] == 5
    assert (data["limit"], data["offset"]) == (2, 1)
    assert [i["registered_users"] for i in data["items"]] == [500, 300]
    assert client.get(f"{BASE}/platforms", {"offset": 100}).json()["items"] == []


@pytest.mark.parametrize(
    "params",
    [{"kind": "casino"}, {"status": "x"}, {"ordering": "password"}, {"limit": 0}, {"limit": 10000},
     {"offset": -1}, {"offset": 10**20}, {"jurisdiction": 999999}, {"jurisdiction": "abc"}, {"local": "maybe"}],
)
def test_bad_filters_are_422(
    places: dict[str, Platform], admin: User, login: Callable[[User], Client], params: dict[str, Any],
) -> None:
    assert login(admin).get(f"{BASE}/platforms", params).status_code == 422


def test_list_does_not_repeat_queries_per_row(
    places: dict[str, Platform], admin: User, login: Callable[[User], Client],
    django_assert_max_num_queries: Any,
) -> None:
    client = login(admin)
    with django_assert_max_num_queries(12):
        assert client.get(f"{BASE}/platforms").status_code == 200


# --- controls ------------------------------------------------------------------------------------------------


def test_control_catalogue(admin: User, login: Callable[[User], Client]) -> None:
    catalogue = login(admin).get(f"{BASE}/controls").json()
    assert [c["id"] for c in catalogue] == [c.id for c in CONTROLS]
    assert all(c["title"] and c["group_label"] for c in catalogue)


def test_set_and_read_controls(
    places: dict[str, Platform], make_user: Callable[..., User], login: Callable[[User], Client], tree: Tree,
) -> None:
    client = login(make_user(Role.ANALYST, tree.north))
    pk = places["north"].pk
    states = client.get(f"{BASE}/platforms/{pk}/controls").json()
    assert len(states) == len(CONTROLS)
    assert {s["status"] for s in states} == {"unknown"}
    body = {"checked_at": "2026-03-01", "controls": [
        {"control_id": "CSL-21-LOGS", "status": "in_place", "evidence": "日志留存截图"},
        {"control_id": "MP-9-MINORMODE", "status": "missing"},
    ]}
    response = _put(client, f"/platforms/{pk}/controls", body)
    assert response.status_code == 200, response.content
    assert response.json()["changed"] == 2
    by_id = {s["control_id"]: s for s in client.get(f"{BASE}/platforms/{pk}/controls").json()}
    assert by_id["CSL-21-LOGS"]["evidence"] == "日志留存截图"
    assert by_id["CSL-21-LOGS"]["checked_at"] == "2026-03-01"
    assert by_id["MP-9-MINORMODE"]["status"] == "missing"
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(pk)).exists()


@pytest.mark.parametrize(
    "body",
    [{"controls": [{"control_id": "NOPE", "status": "in_place"}]},
     {"controls": [{"control_id": "CSL-21-LOGS", "status": "sort of"}]},
     {"controls": [{"control_id": "CSL-21-LOGS", "status": "missing"}] * 2},
     {"controls": [{"control_id": "CSL-21-LOGS", "status": "missing", "evidence": "x" * 2001}]},
     {"controls": [], "checked_at": "yesterday"},
     {"controls": "all"}],
)
def test_bad_controls_are_422(
    places: dict[str, Platform], admin: User, login: Callable[[User], Client], body: dict[str, Any],
) -> None:
    client = login(admin)
    with unchanged():
        assert _put(client, f"/platforms/{places['north'].pk}/controls", body).status_code == 422


def test_openapi_document_lists_the_routes(admin: User, login: Callable[[User], Client]) -> None:
    response = login(admin).get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/registry/platforms", "/api/registry/platforms/{platform_id}",
                 "/api/registry/platforms/{platform_id}/controls", "/api/registry/platforms/{platform_id}/history",
                 "/api/registry/controls"):
        assert path in paths
