"""Property-based API test: schemathesis generates requests from the OpenAPI schema of the content and leads
APIs (valid and invalid), anonymous and with a logged-in session; no request may cause a server error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings

from tests.conftest import Tree
from tests.content import factories
from youthsafe.core.models import User

CSRF = "k" * 32  # the same secret in the cookie and the header passes Django's CSRF check


@pytest.fixture
def api_schema(tree: Tree, settings: Any) -> Iterator[Any]:
    settings.YOUTHSAFE_REPORT_RATE_LIMIT = 100_000  # exercise validation, not only the rate limit
    # Like Django's test client: requests must not close the test's database connection (PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def session_cookie(tree: Tree, make_user: Callable[..., User]) -> dict[str, str]:
    admin = make_user("administrator")
    factories.item(admin, tree.north, None)
    factories.report(tree.city)
    client = Client()
    client.force_login(admin)
    return {django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            django_settings.CSRF_COOKIE_NAME: CSRF}


def test_no_server_error(api_schema: Any, session_cookie: dict[str, str]) -> None:
    operations = [result.ok() for result in api_schema.include(path_regex=r"^/api/(content|leads)/")
                  .get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            anonymous = case.call()
            assert anonymous.status_code < 500, (case.method, case.path, case.body, anonymous.text[:300])
            logged_in = case.call(cookies=session_cookie, headers={"X-CSRFToken": CSRF})
            assert logged_in.status_code < 500, (case.method, case.path, case.body, logged_in.text[:300])

        run()
