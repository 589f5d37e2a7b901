"""API errors speak the caller's language: the language cookie, or for callers without one (scripts, platforms'
systems) the Accept-Language header; schema errors keep ninja's shape with a translated ``msg``."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import Tree
from youthsafe.core.api import schema_message
from youthsafe.core.models import User
from youthsafe.core.roles import Role

URL = "/api/registry/platforms"


def _english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def analyst(tree: Tree, make_user: Callable[..., User], login: Callable[..., Client]) -> Client:
    return login(make_user(Role.ANALYST))


def _create(client: Client, body: object) -> dict[str, object]:
    response = client.post(URL, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    return response.json()  # type: ignore[no-any-return]


def test_schema_errors_in_chinese_by_default(analyst: Client, tree: Tree) -> None:
    detail = _create(analyst, {"kind": "education", "jurisdiction": tree.north.pk, "registered_users": -1})["detail"]
    assert isinstance(detail, list)
    by_field = {e["loc"][-1]: e for e in detail}
    assert by_field["name"]["type"] == "missing"
    assert by_field["name"]["msg"] == "此项为必填项。"
    assert by_field["registered_users"]["msg"] == "不能小于 0。"
    assert all(not any(w in e["msg"] for w in ("Field", "Input", "should")) for e in detail)


def test_schema_errors_in_english_when_chosen(analyst: Client, tree: Tree) -> None:
    detail = _create(_english(analyst), {"kind": "education", "jurisdiction": tree.north.pk})["detail"]
    assert {e["loc"][-1]: e["msg"] for e in detail}["name"] == "This field is required."  # type: ignore[index]


def test_query_parse_errors_are_translated(analyst: Client) -> None:
    response = analyst.get(f"{URL}?limit=abc")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "请输入整数。"


def test_unreadable_body_and_anonymous_caller(analyst: Client) -> None:
    broken = analyst.post(URL, data="{not json", content_type="application/json")
    assert broken.status_code == 400
    assert "无法读取" in broken.json()["detail"]
    anonymous = Client().get(URL)
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"] == "请先登录。"


def test_accept_language_serves_api_callers_without_the_cookie() -> None:
    response = Client().get(URL, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 401
    assert response.json()["detail"] == "Please log in."
    assert "Accept-Language" in response["Vary"]
    assert Client().get(URL, HTTP_ACCEPT_LANGUAGE="fr").json()["detail"] == "请先登录。"  # unsupported: Chinese


def test_pages_still_ignore_accept_language(tree: Tree) -> None:
    page = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "zh-hans"


@pytest.mark.parametrize("error", [
    {"type": "missing"}, {"type": "int_parsing"}, {"type": "greater_than_equal", "ctx": {"ge": 0}},
    {"type": "string_too_long", "ctx": {"max_length": 5}}, {"type": "literal_error"}, {"type": "bool_parsing"},
    {"type": "date_from_datetime_parsing"}, {"type": "something_new"}, {"type": "dict_type"},
])
def test_every_message_is_translated(error: dict[str, object]) -> None:
    with translation.override("zh-hans"):
        chinese = schema_message(error)
    with translation.override("en"):
        english = schema_message(error)
    assert chinese != english
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese)
