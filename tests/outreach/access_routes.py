"""Every route of the outreach app for the shared access matrix (tests/core/test_access_matrix.py).

``make_objects`` records a planned event with a photo in district ``tree.north`` and a held one in the
sibling district, so lists can be checked for what they must not show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.access import Route
from tests.conftest import Tree
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.outreach import services

P = Permission
MINE = "本辖区活动"
OTHER = "兄弟辖区活动"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _html(name: str, path: str, permission: Permission, **kw: Any) -> Route:
    return Route(f"outreach:{name}", path, permission, marker=MINE, other_marker=OTHER, **kw)


ROUTES: list[Route] = [
    _html("index", "/outreach/", P.OUTREACH_VIEW, lists=True),
    _html("create", "/outreach/new/", P.OUTREACH_RECORD),
    _html("detail", "/outreach/{outreach_event}/", P.OUTREACH_VIEW, scoped=True),
    _html("edit", "/outreach/{outreach_event}/edit/", P.OUTREACH_RECORD, scoped=True),
    _html("mark_held", "/outreach/{outreach_event}/held/", P.OUTREACH_RECORD, method="post", scoped=True),
    _html("cancel", "/outreach/{outreach_event}/cancel/", P.OUTREACH_RECORD, method="post", scoped=True),
    _html("follow_up", "/outreach/{outreach_event}/follow-up/", P.OUTREACH_RECORD, method="post", scoped=True),
    _html("attach", "/outreach/{outreach_event}/attach/", P.OUTREACH_RECORD, method="post", scoped=True),
    _html("attachment", "/outreach/attachments/{outreach_attachment}/", P.OUTREACH_VIEW, scoped=True),
    Route("GET /api/outreach/events", "/api/outreach/events", P.OUTREACH_VIEW, lists=True, marker="江北区",
          other_marker="江南区"),
    Route("GET /api/outreach/events/{event_id}", "/api/outreach/events/{outreach_event}", P.OUTREACH_VIEW,
          scoped=True),
    Route("POST /api/outreach/events", "/api/outreach/events", P.OUTREACH_RECORD, "post",
          body='{"kind": "school_lecture", "title": "矩阵讲座", "held_on": "2023-03-01", "jurisdiction": {north}, '
               '"audience": 100, "materials": [{"kind": "brochure", "quantity": 50}]}'),
]


def make_objects(*, tree: Tree, admin: User, own: object, other: object) -> dict[str, int]:
    event = services.do_create_event(actor=admin, data={
        "kind": "school_lecture", "title": f"网络安全进校园（{MINE}）", "held_on": dt.date(2030, 1, 1),
        "jurisdiction": tree.north})
    services.do_create_event(actor=admin, held=True, data={
        "kind": "online_campaign", "title": f"网上宣传（{OTHER}）", "held_on": dt.date(2023, 1, 1),
        "jurisdiction": tree.south})
    photo = services.do_add_attachment(event, actor=admin, name="photo.png", data=PNG)
    return {"outreach_event": event.pk, "outreach_attachment": photo.pk}
