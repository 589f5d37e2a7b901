"""The push API (bearer tokens) and the staff read routes of /api/pipeline/."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import Tree
from tests.pipeline.conftest import RECRUITMENT_THREAD
from youthsafe.alerts.models import Alert, AlertPerson
from youthsafe.core.models import User
from youthsafe.pipeline import api, pseudonym, tokens
from youthsafe.pipeline.models import ApiToken, DeadLetter, Post, ScanRecord, Source

URL = "/api/pipeline/posts"
RAW_AUTHOR = "alice_raw_7788"


def _push(plaintext: str, body: Any, client: Client | None = None) -> Any:
    data = body if isinstance(body, bytes | str) else json.dumps(body, ensure_ascii=False)
    return (client or Client()).post(URL, data=data, content_type="application/json",
                                     HTTP_AUTHORIZATION=f"Bearer {plaintext}")


@pytest.fixture
def token(source: Source) -> str:
    return tokens.do_create_token(source, actor=None, name="collector").plaintext


def _records() -> list[dict[str, Any]]:
    return [dict(r, author=RAW_AUTHOR) if r["id"] == "o1" else r for r in RECRUITMENT_THREAD]


def test_push_stores_pseudonymous_posts_and_reports_each_record(source: Source, token: str) -> None:
    response = _push(token, {"records": _records()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["read"], body["accepted"], body["duplicates"], body["dead_letters"]) == (5, 5, 0, 0)
    assert body["alerts_opened"] == 1
    # The recruitment post and its replies are one incident: recruiter and joiners are the people at risk.
    alert = Alert.objects.get()
    assert alert.recruitment
    roles = sorted(AlertPerson.objects.filter(alert=alert).values_list("role", flat=True))
    assert roles.count("recruiter") == 1
    assert roles.count("joiner") >= 2
    assert [r["position"] for r in body["results"]] == ["1", "2", "3", "4", "5"]
    assert {r["status"] for r in body["results"]} == {"accepted"}
    post = Post.objects.get(source=source, external_id="o1")
    assert post.author_key == pseudonym.author_key(source.name, RAW_AUTHOR)
    # The raw account id is nowhere in clear in the stored row (only sealed).
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM pipeline_post WHERE id = %s", [post.pk])
        row = cursor.fetchone()
    assert row is not None
    assert not [cell for cell in row if RAW_AUTHOR in str(cell)]
    assert pseudonym.unseal(post.author_sealed) == RAW_AUTHOR
    assert ApiToken.objects.get(source=source).last_used_at is not None


def test_replay_changes_nothing(source: Source, token: str) -> None:
    assert _push(token, {"records": _records()}).status_code == 200
    counts = (Post.objects.count(), ScanRecord.objects.count(), DeadLetter.objects.count())
    body = _push(token, {"records": _records()}).json()
    assert (body["accepted"], body["duplicates"], body["alerts_opened"]) == (0, 5, 0)
    assert {r["status"] for r in body["results"]} == {"duplicate"}
    assert (Post.objects.count(), ScanRecord.objects.count(), DeadLetter.objects.count()) == counts


def test_bad_records_go_to_dead_letters_with_reasons(source: Source, token: str) -> None:
    records: list[Any] = [
        {"id": "ok-1", "text": "今天天气不错"}, {"id": "no-text"}, 5, None, "a string",
        {"id": {"nested": 1}, "text": "x"}, {"id": "long", "text": "字" * 20_001},
        {"id": "time", "text": "x", "created_at": "yesterday-ish"}, {"id": "nan", "text": "x", "author": 1.5},
    ]
    body = _push(token, {"records": records}).json()
    assert (body["read"], body["accepted"], body["dead_letters"]) == (9, 1, 8)
    by_position = {r["position"]: r for r in body["results"]}
    assert by_position["1"]["status"] == "accepted"
    assert by_position["2"]["reason"] == "missing text"
    assert by_position["3"]["reason"] == "record is not a JSON object"
    assert "created_at" in by_position["8"]["reason"]
    letters = DeadLetter.objects.filter(source=source, channel="http")
    assert letters.count() == 8
    assert all(d.reason for d in letters)


def test_token_problems(source: Source, token: str, make_user: Callable[..., User],
                        login: Callable[[User], Client]) -> None:
    body = {"records": [{"id": "a", "text": "x"}]}
    assert Client().post(URL, data=json.dumps(body), content_type="application/json").status_code == 401
    assert _push("ysk_00000000_" + "x" * 43, body).status_code == 401
    assert _push(token[:-2], body).status_code == 401
    # A logged-in session is not a token: no cookie-authenticated pushes (and so no CSRF exposure).
    assert _push("", body, login(make_user("administrator"))).status_code == 401
    row = ApiToken.objects.get(source=source)
    row.scopes = []
    row.save()
    assert _push(token, body).status_code == 403
    row.scopes = ["posts:push"]
    row.save()
    Source.objects.filter(pk=source.pk).update(active=False)
    assert _push(token, body).status_code == 403
    Source.objects.filter(pk=source.pk).update(active=True)
    tokens.do_revoke_token(row, actor=None)
    assert _push(token, body).status_code == 401
    assert Post.objects.count() == 0


def test_rate_limit_answers_429_with_retry_after_and_counts_exactly(
    source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    plaintext = tokens.do_create_token(source, actor=None, name="slow", rate_limit=3).plaintext
    start = tokens.window_of(timezone.now())
    monkeypatch.setattr(tokens, "window_of", lambda now: start)  # no minute boundary inside the test
    statuses = [_push(plaintext, {"records": [{"id": f"r{i}", "text": "你好"}]}).status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = _push(plaintext, {"records": [{"id": "late", "text": "你好"}]})
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert ApiToken.objects.get(source=source).window_count == 3
    assert Post.objects.filter(source=source).count() == 3


@pytest.mark.parametrize("raw", [
    b"", b"{not json", b"\xff\xfe\x00", b"[1, 2]", b'"records"', b"null", b'{"records": 5}', b'{"records": []}',
    b'{"records": {"id": 1}}', b"[" * 100_000 + b"]" * 100_000, b'{"records": [' + b"9" * 5000 + b"]}",
])
def test_odd_bodies_answer_4xx_never_5xx(source: Source, token: str, raw: bytes) -> None:
    response = _push(token, raw)
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:200])


def test_odd_records_are_dead_letters_not_errors(source: Source, token: str) -> None:
    response = _push(token, b'{"records": [1e999999, NaN, {"id": 1, "text": "\\u0000"}, [[[]]]]}')
    assert response.status_code == 200
    assert response.json()["dead_letters"] == 4


def test_oversize_bodies(source: Source, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    records = [{"id": f"r{i}", "text": "x"} for i in range(api.MAX_RECORDS + 1)]
    assert _push(token, {"records": records}).status_code == 413
    monkeypatch.setattr(api, "MAX_BODY_BYTES", 2000)
    big = {"records": [{"id": "big", "text": "字" * 3000}]}
    assert _push(token, big).status_code == 413
    assert Post.objects.count() == 0


def test_staff_reads_are_scoped_and_pseudonymous(
    source: Source, token: str, tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client]
) -> None:
    _push(token, {"records": [*_records(), {"id": "bad"}]})
    reviewer = login(make_user("reviewer", tree.north))
    sources = reviewer.get("/api/pipeline/sources").json()
    assert [(s["name"], s["posts"], s["dead_letters"]) for s in sources] == [(source.name, 5, 1)]
    letters = reviewer.get("/api/pipeline/dead-letters").json()
    assert [d["reason"] for d in letters] == ["missing text"]
    post = Post.objects.get(external_id="o1")
    detail = reviewer.get(f"/api/pipeline/posts/{post.pk}")
    assert detail.status_code == 200
    assert detail.json()["author_key"] == post.author_key
    assert RAW_AUTHOR not in detail.content.decode()
    assert detail.json()["scans"]
    trigger = Post.objects.get(external_id="t1")
    assert reviewer.get(f"/api/pipeline/posts/{trigger.pk}").json()["alert_id"] is not None
    sibling = login(make_user("reviewer", tree.south))
    assert sibling.get("/api/pipeline/sources").json() == []
    assert sibling.get("/api/pipeline/dead-letters").json() == []
    assert sibling.get(f"/api/pipeline/posts/{post.pk}").status_code == 404
