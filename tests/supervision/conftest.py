"""Supervision tests check service messages in English (the source language) whatever an earlier page
request left active; page tests get Chinese from the request as users do. ``people`` and ``target`` are the
cast and the platform most service tests work on."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.utils import translation

from tests.conftest import Tree
from tests.supervision.factories import platform
from youthsafe.core.models import User
from youthsafe.registry.models import Platform


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def people(tree: Tree, make_user: Callable[..., User]) -> dict[str, User]:
    return {"admin": make_user("administrator"), "analyst": make_user("analyst", tree.north),
            "leader": make_user("leader"), "leader_south": make_user("leader", tree.south),
            "viewer": make_user("readonly", tree.north), "analyst_south": make_user("analyst", tree.south)}


@pytest.fixture
def target(tree: Tree, people: dict[str, User]) -> Platform:
    return platform(tree.north, people["admin"])
