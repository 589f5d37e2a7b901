"""Integers past 64 bits in query parameters and path ids of every API operation are answered with a page, a
404 or a 422, never a 500 (found by schemathesis: an offset or a platform filter of 10**30 overflowed the
database's integer and the request failed with OverflowError)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from youthsafe.core.api import api
from youthsafe.core.models import User
from youthsafe.core.schemas import MAX_OFFSET, window

SCHEMA = api.get_openapi_schema()


def _integer(parameter: dict[str, object]) -> bool:
    schema = parameter["schema"]
    assert isinstance(schema, dict)
    return schema.get("type") == "integer" or any(s.get("type") == "integer" for s in schema.get("anyOf", []))


def test_window_clamps_both_ends() -> None:
    assert window(0, -5) == (1, 0)
    assert window(10**30, 10**30) == (500, MAX_OFFSET)
    assert window(10**30, 7, max_limit=1000) == (1000, 7)


@pytest.mark.parametrize("huge", [10**30, -(10**30), 2**63, -(2**63) - 1])
def test_huge_integers_never_cause_a_server_error(huge: int, make_user: Callable[..., User],
                                                  login: Callable[[User], Client]) -> None:
    client = login(make_user("administrator"))
    client.raise_request_exception = False
    failures, tried = [], 0
    for path, operations in SCHEMA["paths"].items():
        if "get" not in operations:
            continue
        parameters = operations["get"].get("parameters", [])
        url = re.sub(r"\{(\w+)\}", "1", path)
        for parameter in parameters:
            if parameter["in"] == "query" and _integer(parameter):
                tried += 1
                status = client.get(url, {parameter["name"]: huge}).status_code
                if status >= 500:
                    failures.append((url, parameter["name"], status))
        if huge > 0 and "{" in path:
            tried += 1
            url = re.sub(r"\{(\w+)\}", str(huge), path)
            status = client.get(url).status_code
            if status not in {404, 422}:
                failures.append((url, "path", status))
    assert tried > 20
    assert failures == []
