"""Every route of the pipeline app for the shared access matrix (tests/core/test_access_matrix.py).

``make_objects`` creates, in district ``tree.north``: a source (``pipeline_source``) with a post
(``pipeline_post``), a dead letter (``pipeline_deadletter``) and an API token (``pipeline_token``); and in the
sibling district a source, post and dead letter carrying the other marker, which lists must not show.
"""

from __future__ import annotations

from typing import Any

from tests.access import Route
from tests.conftest import Tree
from youthsafe.core.models import Jurisdiction, User
from youthsafe.core.roles import Permission
from youthsafe.pipeline import pseudonym, tokens
from youthsafe.pipeline.models import DeadLetter, Post, Source

P = Permission
MINE = "本辖区接入"
OTHER = "兄弟辖区接入"


def _html(name: str, path: str, permission: Permission, **kw: Any) -> Route:
    return Route(f"pipeline:{name}", path, permission, marker=MINE, other_marker=OTHER, **kw)


def _api(method: str, schema_path: str, path: str, permission: Permission, **kw: Any) -> Route:
    return Route(f"{method.upper()} {schema_path}", path, permission, method, marker=MINE, other_marker=OTHER, **kw)


A = "/api/pipeline"
ROUTES: list[Route] = [
    _html("index", "/pipeline/", P.POST_VIEW, lists=True),
    _html("post_detail", "/pipeline/posts/{pipeline_post}/", P.POST_VIEW, scoped=True),
    _html("post_reveal", "/pipeline/posts/{pipeline_post}/reveal/", P.IDENTITY_REVEAL, scoped=True),
    _html("versions", "/pipeline/versions/", P.POST_VIEW, lists=True),
    _html("model_card", "/pipeline/versions/card/", P.POST_VIEW),
    _html("dead_letters", "/pipeline/dead-letters/", P.DEADLETTER_VIEW, lists=True),
    _html("dead_letter_resolve", "/pipeline/dead-letters/{pipeline_deadletter}/resolve/", P.DEADLETTER_VIEW,
          scoped=True),
    _html("source_tokens", "/pipeline/sources/{pipeline_source}/tokens/", P.SOURCE_MANAGE, scoped=True),
    _html("token_revoke", "/pipeline/tokens/{pipeline_token}/revoke/", P.SOURCE_MANAGE, scoped=True),
    _api("get", f"{A}/sources", f"{A}/sources", P.POST_VIEW, lists=True),
    _api("get", f"{A}/dead-letters", f"{A}/dead-letters", P.DEADLETTER_VIEW, lists=True),
    _api("get", f"{A}/posts/{{post_id}}", f"{A}/posts/{{pipeline_post}}", P.POST_VIEW, scoped=True),
    # The push API: a bearer token with the posts:push scope, not a role permission (the permission named
    # here is not used for token routes); anonymous callers get 401.
    _api("post", f"{A}/posts", f"{A}/posts", P.SOURCE_MANAGE, token_auth=True, body='{"records": []}'),
]


def _objects(where: Jurisdiction, name: str, marker: str) -> tuple[Source, Post, DeadLetter]:
    # Whole values (description, reason): the matrix matches markers in JSON lists as quoted strings.
    source = Source.objects.create(name=name, jurisdiction=where, description=marker)
    post = Post.objects.create(
        source=source, external_id=f"{name}-1", text=f"{marker}的帖子", jurisdiction=where,
        author_key=pseudonym.author_key(name, "acct-1"), author_sealed=pseudonym.seal("acct-1"),
    )
    letter = DeadLetter.objects.create(source=source, source_name=name, channel="http", position="1",
                                       reason=marker, payload='{"id": 1}')
    return source, post, letter


def make_objects(*, tree: Tree, admin: User, own: object, other: object) -> dict[str, int]:
    source, post, letter = _objects(tree.north, "pl-north", MINE)
    _objects(tree.south, "pl-south", OTHER)
    token = tokens.do_create_token(source, actor=admin, name="matrix").token
    return {"pipeline_source": source.pk, "pipeline_post": post.pk, "pipeline_deadletter": letter.pk,
            "pipeline_token": token.pk}
