"""API tokens: format, only the hash stored, verification, revocation, the per-minute window, the command."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from tests.conftest import Tree
from youthsafe.core.models import AuditAction, AuditEvent, User
from youthsafe.pipeline import tokens
from youthsafe.pipeline.models import ApiToken, Source

TOKEN_RE = re.compile(r"^ysk_[0-9a-f]{8}_[A-Za-z0-9_-]{32,}$")


def test_create_stores_only_the_hash_and_audits_without_the_secret(
    source: Source, make_user: Callable[..., User]
) -> None:
    analyst = make_user("analyst")
    new = tokens.do_create_token(source, actor=analyst, name="collector-1")
    assert TOKEN_RE.match(new.plaintext)
    row = ApiToken.objects.get(pk=new.token.pk)
    assert row.token_hash == hashlib.sha256(new.plaintext.encode()).hexdigest()
    assert row.scopes == ["posts:push"]
    assert row.prefix == new.plaintext.split("_")[1]
    secret = new.plaintext.split("_", 2)[2]
    stored = " ".join(str(v) for v in ApiToken.objects.filter(pk=row.pk).values().first().values())  # type: ignore[union-attr]
    assert secret not in stored
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="pipeline.apitoken")
    assert secret not in str(event.after)
    assert secret not in event.object_repr
    assert event.after["prefix"] == row.prefix  # type: ignore[index]


def test_verify_accepts_the_token_and_nothing_else(source: Source) -> None:
    new = tokens.do_create_token(source, actor=None, name="t")
    assert tokens.verify(new.plaintext) == new.token
    prefix = new.token.prefix
    for wrong in (new.plaintext[:-1] + ("A" if new.plaintext[-1] != "A" else "B"), f"ysk_{prefix}_" + "x" * 43,
                  "ysk_00000000_" + "x" * 43, "garbage", "", f"Bearer {new.plaintext}", new.plaintext + "_"):
        assert tokens.verify(wrong) is None, wrong


def test_revoke_once_audited_and_the_token_stops(source: Source, make_user: Callable[..., User]) -> None:
    analyst = make_user("analyst")
    new = tokens.do_create_token(source, actor=analyst, name="t")
    assert tokens.do_revoke_token(new.token, actor=analyst, reason="leaked") is True
    assert tokens.do_revoke_token(new.token, actor=analyst) is False
    assert tokens.verify(new.plaintext) is None
    changes = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type="pipeline.apitoken")
    assert changes.count() == 1
    assert changes.get().reason == "leaked"


def test_managing_tokens_needs_the_permission_in_the_jurisdiction(
    source: Source, tree: Tree, make_user: Callable[..., User]
) -> None:
    with pytest.raises(PermissionDenied):
        tokens.do_create_token(source, actor=make_user("reviewer"), name="t")
    with pytest.raises(PermissionDenied):
        tokens.do_create_token(source, actor=make_user("analyst", tree.south), name="t")
    new = tokens.do_create_token(source, actor=make_user("analyst", tree.north), name="t")
    with pytest.raises(PermissionDenied):
        tokens.do_revoke_token(new.token, actor=make_user("analyst", tree.other_city, username="far"))
    with pytest.raises(ValidationError):
        tokens.do_create_token(source, actor=None, name="t", scopes=["admin:all"])
    with pytest.raises(ValidationError):
        tokens.do_create_token(source, actor=None, name="  ")


def test_window_counts_exactly_and_resets_next_minute(source: Source) -> None:
    token = tokens.do_create_token(source, actor=None, name="t", rate_limit=7).token
    now = timezone.now().replace(second=10, microsecond=0)
    answers = [tokens.take(token, now=now) for _ in range(10)]
    assert answers[:7] == [0] * 7
    assert all(a == 50 for a in answers[7:])  # seconds left in the window
    token.refresh_from_db()
    assert (token.window_count, token.window_start) == (7, now.replace(second=0))
    assert token.last_used_at == now
    later = now + dt.timedelta(minutes=1)
    assert tokens.take(token, now=later) == 0
    token.refresh_from_db()
    assert token.window_count == 1


def test_tokens_command_create_list_revoke(source: Source) -> None:
    out, err = StringIO(), StringIO()
    call_command("tokens", "create", "--source", source.name, "--name", "box-1", "--rate", "30", stdout=out,
                 stderr=err)
    plaintext = out.getvalue().strip()
    assert TOKEN_RE.match(plaintext)
    token = tokens.verify(plaintext)
    assert token is not None
    assert token.rate_limit_per_minute == 30
    listing = StringIO()
    call_command("tokens", "list", stdout=listing)
    assert token.prefix in listing.getvalue()
    assert plaintext not in listing.getvalue()
    call_command("tokens", "revoke", token.prefix, stdout=StringIO())
    assert tokens.verify(plaintext) is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_are_counted_exactly(tree: Tree) -> None:
    """Many threads (own connections) racing on one window: exactly the limit gets through."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (the SQLite test database is one in-memory connection)")
    source = Source.objects.create(name="race", jurisdiction=tree.north)
    token = tokens.do_create_token(source, actor=None, name="race", rate_limit=25).token
    now = timezone.now().replace(second=5, microsecond=0)

    def burst(_: int) -> list[int]:
        try:
            return [tokens.take(token, now=now) for _ in range(10)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = [a for batch in pool.map(burst, range(8)) for a in batch]
    assert answers.count(0) == 25
    token.refresh_from_db()
    assert token.window_count == 25
