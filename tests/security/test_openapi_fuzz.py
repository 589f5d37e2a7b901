"""Schemathesis over the whole OpenAPI document at ``/api/openapi.json``.

Every operation of every app's router is fuzzed with the authentication it needs: a session of an administrator
(who has every permission) with a CSRF token for session routes, the source's bearer token for the push API,
nothing for the public report routes. Cases are valid and invalid (schemathesis' positive and negative modes),
half of them aimed at records that exist (the path ids of a small world made by the apps' ``make_objects``),
the rest at random ids. Each response must be no server error, have a status code the operation documents and
a body that matches the documented schema. Each case is also sent anonymously: a guarded operation answers a
documented 401, a public one no server error.

``test_the_spec_lists_every_api_route`` checks that no route under /api/ is missing from the document, so a new
endpoint cannot escape this fuzzing.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pytest
import schemathesis
import werkzeug
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ninja import Schema
from ninja.responses import NinjaJSONEncoder
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Tree
from youthsafe.core.api import api
from youthsafe.core.models import User
from youthsafe.pipeline import tokens
from youthsafe.pipeline.models import Source
from youthsafe.registry import services as registry_services

CSRF = "k" * 32  # the same secret in the cookie and the header passes Django's CSRF check
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 16
SCHEMA = api.get_openapi_schema()
APP = WSGIHandler()
# Loaded once (the document is the one /api/openapi.json serves), through JSON as a client would read it.
OPENAPI = schemathesis.openapi.from_dict(json.loads(json.dumps(SCHEMA, cls=NinjaJSONEncoder)))
OPENAPI.app = APP
OPERATIONS = [f"{method.upper()} {path}" for path, ops in SCHEMA["paths"].items() for method in ops]

# Which record of the app's ``make_objects`` a path parameter names, per app (both alerts and pipeline have
# a ``post_id``). Registry platforms come from the world itself.
REAL_IDS: dict[str, dict[str, str]] = {
    "registry": {"platform_id": "platform"},
    "alerts": {"alert_id": "alert", "post_id": "alert_post", "request_id": "alert_identity",
               "dispatch_id": "alert_dispatch", "follow_up_id": "alert_followup"},
    "content": {"item_id": "content_item", "ack_number": "content_ack"},
    "leads": {"lead_id": "lead"},
    "outreach": {"event_id": "outreach_event"},
    "pipeline": {"post_id": "pipeline_post"},
    "supervision": {"inspection_id": "sv_inspection", "order_id": "sv_order", "sanction_id": "sv_sanction",
                    "interview_id": "sv_interview", "platform_id": "platform"},
}


def _app(label: str) -> str:
    return label.split(" ", 1)[1].split("/")[2]


def _security(label: str) -> str | None:
    method, path = label.split(" ", 1)
    security = SCHEMA["paths"][path][method.lower()].get("security")
    return next(iter(security[0])) if security else None


@dataclass
class World:
    ids: dict[str, int]
    session: dict[str, str]
    push_token: str


@pytest.fixture
def wsgi(settings: Any) -> Iterator[WSGIHandler]:
    settings.YOUTHSAFE_REPORT_RATE_LIMIT = 100_000  # exercise validation, not only the rate limit
    # Like Django's test client: requests must not close the test's database connection (PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield APP
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _world(app: str, tree: Tree, make_user: Callable[..., User]) -> World:
    """The records the app's operations name (from the app's ``make_objects``), an administrator's session and
    a push token of a source in the north district."""
    admin = make_user("administrator")
    own = registry_services.do_create_platform(actor=admin, data={
        "name": "本辖区平台", "kind": "education", "operator": "甲公司", "jurisdiction": tree.north})
    other = registry_services.do_create_platform(actor=admin, data={
        "name": "兄弟辖区平台", "kind": "game", "operator": "乙公司", "jurisdiction": tree.south})
    ids: dict[str, int] = {"platform": own.pk}
    try:
        module = import_module(f"tests.{app}.access_routes")
    except ModuleNotFoundError:
        module = None
    if module is not None and hasattr(module, "make_objects"):
        ids.update(module.make_objects(tree=tree, admin=admin, own=own, other=other))
    source = Source.objects.create(name="fuzz-feed", jurisdiction=tree.north)
    push = tokens.do_create_token(source, actor=None, name="fuzz", rate_limit=100_000).plaintext
    client = Client()
    client.force_login(admin)
    session = {django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
               django_settings.CSRF_COOKIE_NAME: CSRF}
    return World(ids, session, push)


def _strategy(operation: Any, real: dict[str, Any]) -> Any:
    """Valid and invalid cases, against records that exist and against random ids."""
    choices = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        choices.append(operation.as_strategy(generation_mode=mode))
        if real:
            choices.append(operation.as_strategy(generation_mode=mode, path_parameters=real))
    return st.one_of(choices)


def _refused_by_the_input_rule(response: Any) -> bool:
    if response.status_code != 422:
        return False
    detail = json.loads(response.text).get("detail")
    return isinstance(detail, list) and [e.get("type") for e in detail] == ["control_character"] and \
        detail[0]["loc"][0] == "query"


@pytest.mark.once  # scripts/test runs it in the PostgreSQL pass, where 64-bit limits and types are real
@pytest.mark.parametrize("label", OPERATIONS)
def test_operation(label: str, wsgi: WSGIHandler, tree: Tree, make_user: Callable[..., User]) -> None:
    app, security = _app(label), _security(label)
    world = _world(app, tree, make_user)
    method, path = label.split(" ", 1)
    operation = OPENAPI[path][method]
    names = {p["name"] for p in SCHEMA["paths"][path][method.lower()].get("parameters", []) if p["in"] == "path"}
    mapping = REAL_IDS.get(app, {})
    missing = sorted(names - set(mapping))
    assert not missing, f"name the record these path parameters take in REAL_IDS: {missing}"
    real = {name: world.ids[mapping[name]] for name in names}
    if security == "SessionAuth":
        auth: dict[str, Any] = {"cookies": world.session, "headers": {"X-CSRFToken": CSRF}}
    elif security == "PushAuth":
        auth = {"headers": {"Authorization": f"Bearer {world.push_token}"}}
    else:
        assert security is None, f"unknown security scheme {security}"
        auth = {}

    @given(case=_strategy(operation, real))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def run(case: Any) -> None:
        # A fresh client for each call: schemathesis' own keeps the cookies responses set.
        anonymous = case.call(session=werkzeug.Client(wsgi))
        case.validate_response(anonymous, checks=CHECKS)
        if security is not None:
            # 404: a path the URL patterns do not match (a negative case's non-integer id). No 403: a caller
            # without a session is told so (401) before any CSRF check (core/api.py). 422 control_character: a
            # query string with a NUL or another control character, refused before any view runs, the
            # authentication included (core/inputrule.py's middleware); it says nothing about the records.
            assert anonymous.status_code in {401, 404} or _refused_by_the_input_rule(anonymous), (
                anonymous.status_code, anonymous.text[:300])
            case.call_and_validate(session=werkzeug.Client(wsgi), checks=CHECKS, **auth)

    run()


def _api_routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_routes(entry.url_patterns, route)
        elif route.startswith("api/"):
            yield route


def _as_openapi(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_the_spec_lists_every_api_route() -> None:
    """Every URL under /api/ (ninja's or a plain Django view) and every method of every ninja operation is in
    the OpenAPI document, so the fuzzing above reaches it."""
    documented = set(SCHEMA["paths"])
    framework = {"/api/", "/api/openapi.json", "/api/docs"}  # ninja's root (a redirect to the docs) and docs
    routes = {_as_openapi(r) for r in _api_routes(get_resolver().url_patterns)}
    assert len(routes) > 30
    assert sorted(routes - documented - framework) == []
    methods = set()
    for prefix, router in api._routers:
        for sub, view in router.path_operations.items():
            for op in view.operations:
                assert op.include_in_schema, (prefix, sub, op.methods)
                route = re.sub("/+", "/", f"api/{prefix}/{sub}").rstrip("/")
                methods |= {f"{m} {_as_openapi(route)}" for m in op.methods}
    assert len(methods) >= len(OPERATIONS) > 40
    assert sorted(methods - set(OPERATIONS)) == []


def test_schema_names_are_unique() -> None:
    """Two API schema classes of one name share one component of the document, so one of them is described
    wrongly (the alerts' dispatch report was documented as the public report form)."""
    names: dict[str, set[str]] = {}
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("youthsafe."):
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Schema) and value.__module__.startswith("youthsafe"):
                    names.setdefault(value.__name__, set()).add(f"{value.__module__}.{value.__qualname__}")
    assert len(names) > 40
    assert {name: where for name, where in names.items() if len(where) > 1} == {}
