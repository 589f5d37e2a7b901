"""Shared fixtures: a jurisdiction tree and one user per role, in the city and in a district."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import Client

from youthsafe.core import dbtriggers
from youthsafe.core.models import Jurisdiction, JurisdictionKind, User
from youthsafe.core.referrals import referral_requested
from youthsafe.core.roles import Role
from youthsafe.supervision.services.referrals import receive_referral

PASSWORD = "correct-horse-battery-9"


@dataclass
class Tree:
    city: Jurisdiction
    north: Jurisdiction  # district
    south: Jurisdiction  # sibling district
    station: Jurisdiction  # police station under north
    other_city: Jurisdiction


_DB_FIXTURES = frozenset({"db", "transactional_db", "live_server", "django_db_setup"})
_ENGINE_FREE = ("tests/detection/", "/test_workflow.py", "tests/test_structure.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of code that cannot depend on the database engine run in one pass only (scripts/test runs the
    suite on SQLite and again on PostgreSQL): the detection library, the pure state machines and the
    structure checks, when they use no database fixture. Marked ``sqlite_pass``, the PostgreSQL pass skips them."""
    for item in items:
        path = item.nodeid.split("::")[0]
        if not any(part in path for part in _ENGINE_FREE):
            continue
        if item.get_closest_marker("django_db") or item.get_closest_marker("once"):
            continue
        if _DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            continue
        item.add_marker(pytest.mark.sqlite_pass)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _audit_triggers_allow_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end with Django emptying every table, which the append-only audit triggers refuse.
    Around such tests the triggers are re-installed before and dropped after, just for that flush."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in request.fixturenames or "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    dbtriggers.install(connection)
    yield
    dbtriggers.drop(connection)


@pytest.fixture
def tree(db: None) -> Tree:
    city = Jurisdiction.objects.create(code="JC", name="江城市", kind=JurisdictionKind.CITY)
    north = Jurisdiction.objects.create(code="JC-N", name="江北区", kind=JurisdictionKind.DISTRICT, parent=city)
    south = Jurisdiction.objects.create(code="JC-S", name="江南区", kind=JurisdictionKind.DISTRICT, parent=city)
    station = Jurisdiction.objects.create(code="JC-N-1", name="江北派出所", kind=JurisdictionKind.STATION, parent=north)
    other = Jurisdiction.objects.create(code="HZ", name="海州市", kind=JurisdictionKind.CITY)
    return Tree(city, north, south, station, other)


@pytest.fixture
def make_user(tree: Tree) -> Callable[..., User]:
    def make(role: Role | str, jurisdiction: Jurisdiction | None = None, username: str | None = None) -> User:
        name = username or f"{role}-{(jurisdiction or tree.city).code}".lower()
        user = User(username=name, role=str(role), jurisdiction=jurisdiction or tree.city, display_name=name)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def login() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def no_supervision_receiver() -> Iterator[None]:
    """Take the supervision app's referral receiver off for one test (tests that stand in for it, or that
    show what happens without it); it is connected again afterwards."""
    referral_requested.disconnect(dispatch_uid="supervision.receive_referral")
    yield
    referral_requested.connect(receive_referral, dispatch_uid="supervision.receive_referral")


def close_download(response: Any) -> None:
    """Close a streamed download (its open file, its generator), as a server does once it has sent it. Plain
    ``response.close()`` also fires ``request_finished``, whose handler closes the database connection, which
    on PostgreSQL is the test's own: like the test client itself, disconnect that handler meanwhile."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
