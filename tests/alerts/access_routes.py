"""Every route of the alerts app for the shared access matrix (tests/core/test_access_matrix.py).

``make_objects`` creates, in district ``tree.north``: an open alert (``alert``), a second alert dispatched to
the police station under north (``alert_dispatch``) with an identity request and a follow-up, and in the
sibling district an alert dispatched there, so lists can be checked for what they must not show.
"""

from __future__ import annotations

from typing import Any

from tests.access import Route
from tests.alerts.factories import RECRUIT, feed, source
from tests.conftest import Tree
from youthsafe.alerts import services
from youthsafe.core.models import User
from youthsafe.core.roles import Permission

P = Permission
MINE = "本辖区预警"
OTHER = "兄弟辖区预警"


def _html(name: str, path: str, permission: Permission, **kw: Any) -> Route:
    return Route(f"alerts:{name}", path, permission, marker=MINE, other_marker=OTHER, **kw)


def _api(method: str, path: str, permission: Permission, *, body: str | None = None, **kw: Any) -> Route:
    schema_path = path.replace("{alert}", "{alert_id}").replace("{alert_dispatch}", "{dispatch_id}")
    schema_path = schema_path.replace("{alert_identity}", "{request_id}").replace("{alert_followup}", "{follow_up_id}")
    schema_path = schema_path.replace("{alert_post}", "{post_id}")
    kw.setdefault("marker", MINE)
    kw.setdefault("other_marker", OTHER)
    return Route(f"{method.upper()} {schema_path}", path, permission, method, body=body, **kw)


A = "/api/alerts"
ROUTES: list[Route] = [
    _html("index", "/alerts/", P.ALERT_VIEW, lists=True),
    _html("escalated", "/alerts/escalated/", P.ALERT_VIEW),
    _html("received", "/alerts/received/", P.ALERT_RESPOND, lists=True),
    _html("export", "/alerts/export.json", P.ALERT_EXPORT),
    _html("detail", "/alerts/{alert}/", P.ALERT_VIEW, scoped=True),
    _html("claim", "/alerts/{alert}/claim/", P.ALERT_REVIEW, scoped=True),
    _html("release", "/alerts/{alert}/release/", P.ALERT_REVIEW, scoped=True),
    _html("acknowledge", "/alerts/{alert}/acknowledge/", P.ALERT_REVIEW, scoped=True),
    _html("dispatch", "/alerts/{alert}/dispatch/", P.ALERT_DISPATCH, scoped=True),
    _html("intervene", "/alerts/{alert}/intervene/", P.ALERT_OUTCOME, scoped=True),
    _html("outcome", "/alerts/{alert}/outcome/", P.ALERT_OUTCOME, scoped=True),
    _html("resolve", "/alerts/{alert}/resolve/", P.ALERT_OUTCOME, scoped=True),
    _html("close", "/alerts/{alert}/close/", P.ALERT_REVIEW, scoped=True),
    _html("reopen", "/alerts/{alert}/reopen/", P.ALERT_REVIEW, scoped=True),
    _html("identity", "/alerts/{alert}/identity/", P.ALERT_DISPATCH, scoped=True),
    _html("label", "/alerts/{alert}/label/", P.ALERT_REVIEW, scoped=True),
    _html("age_band", "/alerts/{alert}/age_band/", P.ALERT_OUTCOME, scoped=True),
    _html("identity_response", "/alerts/identity/{alert_identity}/identity_response/", P.ALERT_DISPATCH,
          scoped=True),
    _html("dispatch_ack", "/alerts/dispatch/{alert_dispatch}/dispatch_ack/", P.ALERT_RESPOND, scoped=True),
    _html("report", "/alerts/dispatch/{alert_dispatch}/report/", P.ALERT_RESPOND, scoped=True),
    _html("follow_up", "/alerts/followup/{alert_followup}/follow_up/", P.ALERT_OUTCOME, scoped=True),
    _api("get", f"{A}/alerts", P.ALERT_VIEW, lists=True, marker="江北区", other_marker="江南区"),
    _api("get", f"{A}/alerts/{{alert}}", P.ALERT_VIEW, scoped=True),
    _api("post", f"{A}/alerts/{{alert}}/claim", P.ALERT_REVIEW, scoped=True),
    _api("post", f"{A}/alerts/{{alert}}/release", P.ALERT_REVIEW, scoped=True),
    _api("post", f"{A}/alerts/{{alert}}/acknowledge", P.ALERT_REVIEW, scoped=True, body="{}"),
    _api("post", f"{A}/alerts/{{alert}}/dispatch", P.ALERT_DISPATCH, scoped=True,
         body='{"to_jurisdiction": {north}, "shared_note": "请核查"}'),
    _api("post", f"{A}/alerts/{{alert}}/intervene", P.ALERT_OUTCOME, scoped=True, body='{"reason": "联系"}'),
    _api("post", f"{A}/alerts/{{alert}}/resolve", P.ALERT_OUTCOME, scoped=True, body='{"reason": "已处置"}'),
    _api("post", f"{A}/alerts/{{alert}}/close", P.ALERT_REVIEW, scoped=True, body='{"reason": "重复"}'),
    _api("post", f"{A}/alerts/{{alert}}/reopen", P.ALERT_REVIEW, scoped=True, body='{"reason": "新情况"}'),
    _api("post", f"{A}/alerts/{{alert}}/outcomes", P.ALERT_OUTCOME, scoped=True,
         body='{"kind": "reached_safe", "note": "已联系"}'),
    _api("post", f"{A}/alerts/{{alert}}/identity-requests", P.ALERT_DISPATCH, scoped=True,
         body='{"legal_basis": "《网络安全法》第28条", "platform_name": "某平台"}'),
    _api("post", f"{A}/identity-requests/{{alert_identity}}/response", P.ALERT_DISPATCH, scoped=True,
         body='{"response": "已提供"}'),
    _api("post", f"{A}/alerts/{{alert}}/posts/{{alert_post}}/labels", P.ALERT_REVIEW, scoped=True,
         body='{"kind": "level", "value": "7"}'),
    _api("get", f"{A}/dispatches", P.ALERT_RESPOND, lists=True),
    _api("post", f"{A}/dispatches/{{alert_dispatch}}/acknowledge", P.ALERT_RESPOND, scoped=True),
    _api("post", f"{A}/dispatches/{{alert_dispatch}}/report", P.ALERT_RESPOND, scoped=True,
         body='{"report": "已见面"}'),
    _api("post", f"{A}/follow-ups/{{alert_followup}}/complete", P.ALERT_OUTCOME, scoped=True,
         body='{"result": "状态稳定"}'),
    _api("get", f"{A}/export", P.ALERT_EXPORT, lists=True, marker="江北区", other_marker="江南区"),
]


def make_objects(*, tree: Tree, admin: User, own: object, other: object) -> dict[str, int]:
    src = source(tree.north, "matrix-src")
    alert = feed(src, f"{RECRUIT}（{MINE}）", author="m1", thread="m-t1", jurisdiction=tree.north)
    sent = feed(src, f"我已经买好了安眠药，今晚就走，再见了大家 {MINE}", author="m2", thread="m-t2",
                jurisdiction=tree.north)
    far = feed(src, f"我已经买好了安眠药，今晚就走，再见了大家 {OTHER}", author="m3", thread="m-t3",
               jurisdiction=tree.south)
    assert alert is not None
    assert sent is not None
    assert far is not None
    dispatch = services.do_dispatch(sent, actor=admin, to=tree.station, shared_note=MINE)
    services.do_dispatch(far, actor=admin, to=tree.south, shared_note=OTHER)
    identity = services.do_request_identity(sent, actor=admin, legal_basis="《网络安全法》第28条",
                                            platform_name="某平台")
    services.do_record_outcome(sent, actor=admin, kind="reached_safe", note="已联系")
    follow_up = sent.follow_ups.order_by("id").first()
    assert follow_up is not None
    post = alert.posts.get(is_trigger=True)
    return {"alert": alert.pk, "alert_dispatch": dispatch.pk, "alert_identity": identity.pk,
            "alert_followup": follow_up.pk, "alert_post": post.post_id}
