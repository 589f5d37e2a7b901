"""Ingestion pages: index, post detail with the reveal form, dead letters, tokens per source."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import Tree
from tests.pipeline.conftest import RECRUITMENT_THREAD
from youthsafe.core.models import AuditAction, AuditEvent, User
from youthsafe.pipeline import tokens
from youthsafe.pipeline.models import ApiToken, DeadLetter, Post, Source
from youthsafe.pipeline.services import ingest_batch

RAW = "qq_123456789"
XSS = "<script>alert(1)</script>"


@pytest.fixture
def fed(source: Source) -> Source:
    records = [*RECRUITMENT_THREAD, {"id": "x1", "text": f"看这个 {XSS}", "author": RAW},
               {"id": "bad", "author": RAW, "thread": XSS}]
    ingest_batch(source, records, channel="file")
    return source


def test_index_lists_sources_and_pseudonymous_escaped_posts(
    fed: Source, tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client]
) -> None:
    page = login(make_user("reviewer", tree.north)).get("/pipeline/").content.decode()
    assert fed.name in page
    assert "有没有人一起走" in page
    assert XSS not in page
    assert "&lt;script&gt;" in page
    assert RAW not in page
    assert login(make_user("reviewer", tree.south)).get("/pipeline/").content.decode().count(fed.name) == 0


def test_nav_shows_ingestion_to_post_viewers(
    fed: Source, make_user: Callable[..., User], login: Callable[[User], Client]
) -> None:
    assert 'href="/pipeline/"' in login(make_user("reviewer")).get("/dashboard/").content.decode()
    assert 'href="/pipeline/"' not in login(make_user("auditor")).get("/dashboard/").content.decode()


def test_post_detail_shows_scans_and_alert_and_reveals_once(
    fed: Source, tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client]
) -> None:
    trigger = Post.objects.get(external_id="t1")
    responder = login(make_user("responder", tree.north))
    page = responder.get(f"/pipeline/posts/{trigger.pk}/").content.decode()
    assert "/alerts/" in page
    assert "<mark>" in page  # evidence highlighted
    assert f"/pipeline/posts/{trigger.pk}/reveal/" in page
    post = Post.objects.get(external_id="x1")
    detail = responder.get(f"/pipeline/posts/{post.pk}/").content.decode()
    assert RAW not in detail
    assert XSS not in detail
    refused = responder.post(f"/pipeline/posts/{post.pk}/reveal/", {"reason": ""})
    assert refused.status_code == 200
    assert RAW not in refused.content.decode()
    shown = responder.post(f"/pipeline/posts/{post.pk}/reveal/", {"reason": "需要联系家长"})
    assert RAW in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL, object_id=str(post.pk)).count() == 1
    assert RAW not in responder.get(f"/pipeline/posts/{post.pk}/").content.decode()  # shown once
    analyst = login(make_user("analyst", tree.north))
    assert "/reveal/" not in analyst.get(f"/pipeline/posts/{post.pk}/").content.decode()
    assert analyst.post(f"/pipeline/posts/{post.pk}/reveal/", {"reason": "x"}).status_code == 403


def test_dead_letters_escaped_and_resolved_with_audit(
    fed: Source, tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_user("reviewer", tree.north))
    page = client.get("/pipeline/dead-letters/").content.decode()
    assert "missing text" in page
    assert XSS not in page
    assert "&lt;script&gt;" in page
    letter = DeadLetter.objects.get(source=fed)
    response = client.post(f"/pipeline/dead-letters/{letter.pk}/resolve/", {"note": "已让平台重发"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.resolved_at is not None
    event = AuditEvent.objects.get(object_type="pipeline.deadletter", object_id=str(letter.pk))
    assert event.reason == "已让平台重发"
    assert "missing text" not in client.get("/pipeline/dead-letters/").content.decode()
    assert "missing text" in client.get("/pipeline/dead-letters/?resolved=1").content.decode()
    sibling = login(make_user("reviewer", tree.south))
    assert sibling.post(f"/pipeline/dead-letters/{letter.pk}/resolve/").status_code == 404


def test_tokens_page_shows_a_new_token_once_and_revokes(
    fed: Source, tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_user("analyst", tree.north))
    created = client.post(f"/pipeline/sources/{fed.pk}/tokens/",
                          {"name": "collector-7", "scopes": ["posts:push"], "rate_limit": "120"})
    assert created.status_code == 200
    token = ApiToken.objects.get(source=fed)
    plaintext = next(w for w in created.content.decode().split("<code>")
                     if w.startswith(f"ysk_{token.prefix}_") and "…" not in w.split("</code>")[0]).split("</code>")[0]
    assert tokens.verify(plaintext) == token
    listing = client.get(f"/pipeline/sources/{fed.pk}/tokens/").content.decode()
    assert token.prefix in listing
    assert plaintext not in listing
    assert client.post(f"/pipeline/tokens/{token.pk}/revoke/", {"note": "换机器"}).status_code == 302
    assert tokens.verify(plaintext) is None
    assert AuditEvent.objects.filter(object_type="pipeline.apitoken", action=AuditAction.CHANGE).count() == 1
    sibling = login(make_user("analyst", tree.south))
    assert sibling.get(f"/pipeline/sources/{fed.pk}/tokens/").status_code == 404
    assert login(make_user("reviewer", tree.north)).get(f"/pipeline/sources/{fed.pk}/tokens/").status_code == 403
