"""The shared permission test case (style-anchors rule 4, NetBox's view tests).

Every HTML view and every API route is listed in ROUTES with the permission it needs and whether it works
on one record. Each is requested four ways: anonymous, without the permission, with it, and from a sibling
jurisdiction. A route missing from the table fails ``test_every_route_is_in_the_matrix``, so no new page
can slip past the check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from importlib import import_module
from types import ModuleType

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.access import Route
from tests.conftest import Tree, close_download
from youthsafe.core.api import api
from youthsafe.core.models import AuditEvent, User
from youthsafe.core.roles import ROLE_PERMISSIONS, Permission, Role
from youthsafe.registry import services
from youthsafe.registry.models import Platform

P = Permission


ROUTES: list[Route] = [
    Route("dashboard", "/dashboard/", P.DASHBOARD_VIEW),
    Route("password_change", "/password/", P.DASHBOARD_VIEW),
    Route("jurisdiction_list", "/jurisdictions/", P.JURISDICTION_VIEW),
    Route("jurisdiction_create", "/jurisdictions/new/", P.JURISDICTION_MANAGE),
    Route("jurisdiction_edit", "/jurisdictions/{jurisdiction}/edit/", P.JURISDICTION_MANAGE, scoped=True),
    Route("user_list", "/users/", P.USER_VIEW),
    Route("user_create", "/users/new/", P.USER_MANAGE),
    Route("user_edit", "/users/{user}/edit/", P.USER_MANAGE, scoped=True),
    Route("audit_list", "/audit/", P.AUDIT_VIEW),
    Route("audit_export", "/audit/export.csv", P.AUDIT_EXPORT),
    Route("registry:platform_list", "/registry/", P.PLATFORM_VIEW, lists=True),
    Route("registry:platform_create", "/registry/new/", P.PLATFORM_ADD),
    Route("registry:platform_import", "/registry/import/", P.PLATFORM_IMPORT),
    Route("registry:platform_export_csv", "/registry/export.csv", P.PLATFORM_EXPORT, lists=True),
    Route("registry:platform_export_xlsx", "/registry/export.xlsx", P.PLATFORM_EXPORT),
    Route("registry:platform_detail", "/registry/{platform}/", P.PLATFORM_VIEW, scoped=True),
    Route("registry:platform_edit", "/registry/{platform}/edit/", P.PLATFORM_CHANGE, scoped=True),
    Route("registry:platform_controls", "/registry/{platform}/controls/", P.PLATFORM_CHANGE, scoped=True),
    Route("GET /api/registry/platforms", "/api/registry/platforms", P.PLATFORM_VIEW, lists=True),
    Route("POST /api/registry/platforms", "/api/registry/platforms", P.PLATFORM_ADD, "post",
          body='{"name": "新平台", "kind": "game", "operator": "丙公司", "jurisdiction": {north}}'),
    Route("GET /api/registry/platforms/{platform_id}", "/api/registry/platforms/{platform}", P.PLATFORM_VIEW,
          scoped=True),
    Route("PATCH /api/registry/platforms/{platform_id}", "/api/registry/platforms/{platform}", P.PLATFORM_CHANGE,
          "patch", scoped=True, body='{"notes": "matrix"}'),
    Route("GET /api/registry/platforms/{platform_id}/controls", "/api/registry/platforms/{platform}/controls",
          P.PLATFORM_VIEW, scoped=True),
    Route("PUT /api/registry/platforms/{platform_id}/controls", "/api/registry/platforms/{platform}/controls",
          P.PLATFORM_CHANGE, "put", scoped=True, body='{"controls": []}'),
    Route("GET /api/registry/platforms/{platform_id}/history", "/api/registry/platforms/{platform}/history",
          P.PLATFORM_VIEW, scoped=True),
    Route("GET /api/registry/controls", "/api/registry/controls", P.PLATFORM_VIEW),
]
def _app_module(app: str) -> ModuleType | None:
    """``tests.<app>.access_routes`` when the app's tests provide one."""
    try:
        return import_module(f"tests.{app}.access_routes")
    except ModuleNotFoundError:
        return None


# The app whose ``make_objects`` makes the records a route's path and markers name.
_OWNER: dict[str, str] = {}


def _app_routes() -> list[Route]:
    """Feature apps list their own routes in ``tests/<app>/access_routes.py`` (ROUTES: list[Route])."""
    routes: list[Route] = []
    for app in settings.YOUTHSAFE_APPS:
        module = _app_module(app)
        if app != "registry" and module is not None:
            routes.extend(module.ROUTES)
            _OWNER.update((r.name, app) for r in module.ROUTES)
    return routes


ROUTES += _app_routes()
# Pages open to everyone by design, and framework routes outside the matrix.
# healthz and metrics: operators' endpoints with their own rules (tests/core/test_observability.py).
PUBLIC = {"home", "login", "logout", "set_language", "api:openapi-json", "api:openapi-view", "healthz", "metrics"}
# Routes a session can reach; token-authenticated routes are checked only as anonymous (Route.token_auth).
SESSION_ROUTES = [r for r in ROUTES if not r.token_auth]
# The other side of every page: the same URL posted to (a form's submission). Guards must hold for it too, and
# a refused submission must change nothing.
POSTED_PAGES = [replace(r, name=f"POST {r.name}", method="post") for r in SESSION_ROUTES
                if not r.api and not r.public and r.method == "get"]
_OWNER.update((f"POST {name}", app) for name, app in list(_OWNER.items()))
# Routes that need a permission (public routes need none, so "without the permission" does not apply).
GUARDED_ROUTES = [r for r in SESSION_ROUTES if not r.public]


def _html_names(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "api":
                continue
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _html_names(entry.url_patterns, ns)
        elif entry.name:
            yield prefix + entry.name
        else:  # a page without a name could not be listed, so it would escape the matrix
            yield f"<unnamed pattern {prefix}{entry.pattern}>"


def _api_names() -> Iterator[str]:
    """Every operation ninja serves, read from its routers (an operation left out of the OpenAPI document with
    ``include_in_schema=False`` is still served, so the document alone would let it escape), plus the
    document's own list."""
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                full = re.sub(r"\{(?:\w+:)?(\w+)\}", r"{\1}", re.sub("/+", "/", f"/api/{prefix}/{path}"))
                yield from (f"{method.upper()} {full}" for method in operation.methods)
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            yield f"{method.upper()} {path}"


def test_every_route_is_in_the_matrix() -> None:
    listed = {r.name for r in ROUTES} | PUBLIC
    missing = sorted((set(_html_names(get_resolver().url_patterns)) | set(_api_names())) - listed)
    assert missing == [], f"add these routes to ROUTES with their permission: {missing}"


@dataclass
class World:
    own: Platform
    other: Platform
    own_user: User
    extra: dict[str, int]


@pytest.fixture
def world(request: pytest.FixtureRequest, tree: Tree, make_user: Callable[..., User]) -> World:
    """The platforms of two sibling districts and the records of the app that owns the route under test (each
    app's ``make_objects`` makes what its own routes name; making every app's records for every one of the
    matrix's cases would be most of the suite's time)."""
    route = getattr(getattr(request.node, "callspec", None), "params", {}).get("route")
    owner = _OWNER.get(route.name) if isinstance(route, Route) else None
    admin = make_user("administrator")
    own = services.do_create_platform(actor=admin, data={
        "name": "本辖区平台", "kind": "education", "operator": "甲公司", "jurisdiction": tree.north})
    other = services.do_create_platform(actor=admin, data={
        "name": "兄弟辖区平台", "kind": "game", "operator": "乙公司", "jurisdiction": tree.south})
    extra: dict[str, int] = {}
    for app in settings.YOUTHSAFE_APPS:
        module = _app_module(app)
        if module is not None and hasattr(module, "make_objects") and (route is None or app == owner):
            extra.update(module.make_objects(tree=tree, admin=admin, own=own, other=other))
    return World(own, other, make_user("readonly", tree.station, username="station-user"), extra)


def _url(route: Route, tree: Tree, world: World) -> str:
    return route.path.format(platform=world.own.pk, user=world.own_user.pk, jurisdiction=tree.station.pk,
                             **world.extra)


def _request(client: Client, route: Route, url: str, tree: Tree) -> object:
    call = getattr(client, route.method)
    if route.body is not None:
        body = route.body.replace("{north}", str(tree.north.pk))
        return call(url, data=body, content_type="application/json")
    response = call(url)
    if getattr(response, "streaming", False):
        close_download(response)  # a server closes a download's open file once sent; the test client does not
    return response


def _grant(monkeypatch: pytest.MonkeyPatch, role: Role, permissions: frozenset[Permission]) -> None:
    monkeypatch.setitem(ROLE_PERMISSIONS, role, permissions)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_anonymous_is_refused(route: Route, tree: Tree, world: World) -> None:
    response = _request(Client(), route, _url(route, tree, world), tree)
    if route.public:
        status = response.status_code  # type: ignore[attr-defined]
        assert status not in {302, 401, 403}, status
        assert status < 500
    elif route.api:
        assert response.status_code == 401  # type: ignore[attr-defined]
    else:
        assert response.status_code == 302  # type: ignore[attr-defined]
        assert response["Location"].startswith("/login/")  # type: ignore[index]


@pytest.mark.parametrize("route", GUARDED_ROUTES, ids=lambda r: r.name)
def test_without_permission_is_forbidden(
    route: Route, tree: Tree, world: World, make_user: Callable[..., User], login: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _grant(monkeypatch, Role.ANALYST, frozenset(Permission) - {route.permission})
    client = login(make_user("analyst", tree.north))
    assert _request(client, route, _url(route, tree, world), tree).status_code == 403  # type: ignore[attr-defined]


@pytest.mark.parametrize("route", SESSION_ROUTES, ids=lambda r: r.name)
def test_with_permission_is_allowed(
    route: Route, tree: Tree, world: World, make_user: Callable[..., User], login: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _grant(monkeypatch, Role.ANALYST, frozenset({route.permission, Permission.DASHBOARD_VIEW}))
    client = login(make_user("analyst", tree.north))
    response = _request(client, route, _url(route, tree, world), tree)
    status = response.status_code  # type: ignore[attr-defined]
    # 422: allowed in, but the deliberately empty body is refused by validation, not by permission.
    assert status in {200, 201, 422}, (status, getattr(response, "content", b"")[:300])
    if route.lists:
        content = response.content  # type: ignore[attr-defined]
        assert route.marker.encode() in content or json.dumps(route.marker).encode() in content
        assert route.other_marker.encode() not in content


@pytest.mark.parametrize("route", [r for r in SESSION_ROUTES if r.scoped or r.lists], ids=lambda r: r.name)
def test_sibling_jurisdiction_cannot_see_the_record(
    route: Route, tree: Tree, world: World, make_user: Callable[..., User], login: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _grant(monkeypatch, Role.ANALYST, frozenset(Permission))
    client = login(make_user("analyst", tree.south))
    response = _request(client, route, _url(route, tree, world), tree)
    status = response.status_code  # type: ignore[attr-defined]
    if route.scoped:
        assert status == 404
        world.own.refresh_from_db()
        assert world.own.notes == ""  # the refused PATCH changed nothing
    else:
        assert status == 200
        assert route.marker.encode() not in response.content  # type: ignore[attr-defined]


def _footprint() -> tuple[int, int]:
    """What any change leaves: audit rows (every change writes one) and the rows of every table."""
    rows = sum(model._default_manager.count() for model in apps.get_models() if model._meta.app_label != "sessions"
               and model._meta.managed)
    return AuditEvent.objects.count(), rows


def _post_form(client: Client, url: str) -> object:
    """A submission with every field the page's form could name left out, plus one that is typical of a
    mass-assignment attempt; a guard must refuse before reading any of it."""
    return client.post(url, {"status": "closed", "notes": "matrix", "reason": "matrix", "confirm": "on"})


@pytest.mark.sqlite_pass  # the guards are the same code on every engine; the GET matrix runs on both
@pytest.mark.parametrize("route", POSTED_PAGES, ids=lambda r: r.name)
def test_posted_page_refuses_anonymous_and_changes_nothing(route: Route, tree: Tree, world: World) -> None:
    client = Client()
    before = _footprint()
    response = _post_form(client, _url(route, tree, world))
    status = response.status_code  # type: ignore[attr-defined]
    if status != 405:  # pages that take no submission at all
        assert status == 302, status
        assert response["Location"].startswith("/login/")  # type: ignore[index]
    assert _footprint() == before


@pytest.mark.sqlite_pass  # the guards are the same code on every engine; the GET matrix runs on both
@pytest.mark.parametrize("route", POSTED_PAGES, ids=lambda r: r.name)
def test_posted_page_without_permission_is_forbidden_and_changes_nothing(
    route: Route, tree: Tree, world: World, make_user: Callable[..., User], login: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _grant(monkeypatch, Role.ANALYST, frozenset(Permission) - {route.permission})
    client = login(make_user("analyst", tree.north))
    before = _footprint()
    status = _post_form(client, _url(route, tree, world)).status_code  # type: ignore[attr-defined]
    assert status in {403, 405}, status
    assert _footprint() == before


@pytest.mark.sqlite_pass  # the guards are the same code on every engine; the GET matrix runs on both
@pytest.mark.parametrize("route", [r for r in POSTED_PAGES if r.scoped], ids=lambda r: r.name)
def test_posted_page_from_a_sibling_jurisdiction_is_not_found_and_changes_nothing(
    route: Route, tree: Tree, world: World, make_user: Callable[..., User], login: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _grant(monkeypatch, Role.ANALYST, frozenset(Permission))
    client = login(make_user("analyst", tree.south))
    before = _footprint()
    status = _post_form(client, _url(route, tree, world)).status_code  # type: ignore[attr-defined]
    assert status in {404, 405}, status
    assert _footprint() == before
