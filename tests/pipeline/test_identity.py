"""The audited reveal of an author's account id."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import Tree
from youthsafe.core.models import AuditAction, AuditEvent, User
from youthsafe.pipeline.identity import do_reveal_author
from youthsafe.pipeline.models import Post, Source
from youthsafe.pipeline.services import ingest_batch

RAW = "wx_id_secret_42"


@pytest.fixture
def post(source: Source) -> Post:
    ingest_batch(source, [{"id": "p1", "text": "今天好累", "author": RAW}], channel="test")
    return Post.objects.get(external_id="p1")


def _audit_text(event: AuditEvent) -> str:
    return " ".join(str(v) for v in (event.object_repr, event.object_id, event.before, event.after, event.reason))


def test_reveal_returns_the_id_and_audits_the_reason_not_the_id(
    post: Post, tree: Tree, make_user: Callable[..., User]
) -> None:
    responder = make_user("responder", tree.north)
    assert do_reveal_author(post, actor=responder, reason="  紧急联系监护人  ") == RAW
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert (event.actor, event.object_type, event.object_id) == (responder, "pipeline.post", str(post.pk))
    assert event.reason == "紧急联系监护人"
    assert event.jurisdiction == tree.north
    assert RAW not in _audit_text(event)


def test_refused_without_permission(post: Post, tree: Tree, make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDenied):
        do_reveal_author(post, actor=make_user("analyst", tree.north), reason="想看看")
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_refused_from_another_jurisdiction(post: Post, tree: Tree, make_user: Callable[..., User]) -> None:
    for where in (tree.south, tree.other_city):
        with pytest.raises(PermissionDenied):
            do_reveal_author(post, actor=make_user("responder", where), reason="协查")
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_refused_without_reason(post: Post, tree: Tree, make_user: Callable[..., User]) -> None:
    responder = make_user("responder", tree.north)
    for reason in ("", "   "):
        with pytest.raises(ValidationError):
            do_reveal_author(post, actor=responder, reason=reason)
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_inactive_account_is_refused(post: Post, tree: Tree, make_user: Callable[..., User]) -> None:
    leader = make_user("leader", tree.city)
    leader.is_active = False
    leader.save()
    with pytest.raises(PermissionDenied):
        do_reveal_author(post, actor=leader, reason="x")
