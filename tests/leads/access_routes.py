"""Every route of the leads app for the shared access matrix (tests/core/test_access_matrix.py).

``make_objects`` creates in district ``tree.north`` a verified lead dispatched to the police station under
north (``lead_dispatch``) and a case; in the sibling district a lead dispatched within it and a case, so lists
can be checked for what they must not show.
"""

from __future__ import annotations

from typing import Any

from tests.access import Route
from tests.conftest import Tree
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.leads import services
from youthsafe.registry.models import Platform

P = Permission
MINE = "本辖区线索"
OTHER = "兄弟辖区线索"


def _html(name: str, path: str, permission: Permission, **kw: Any) -> Route:
    kw.setdefault("marker", MINE)
    kw.setdefault("other_marker", OTHER)
    return Route(f"leads:{name}", path, permission, **kw)


def _api(method: str, schema_path: str, path: str, permission: Permission, **kw: Any) -> Route:
    kw.setdefault("marker", MINE)
    kw.setdefault("other_marker", OTHER)
    return Route(f"{method.upper()} {schema_path}", path, permission, method, **kw)


A = "/api/leads"
ROUTES: list[Route] = [
    _html("index", "/leads/", P.LEAD_VIEW, lists=True),
    _html("create", "/leads/new/", P.LEAD_HANDLE),
    _html("received", "/leads/received/", P.LEAD_RESPOND, lists=True),
    _html("dispatch_list", "/leads/dispatches/", P.LEAD_VIEW, lists=True),
    _html("case_list", "/leads/cases/", P.CASE_VIEW, lists=True, marker="本辖区案件", other_marker="兄弟辖区案件"),
    _html("case_detail", "/leads/cases/{lead_case}/", P.CASE_VIEW, scoped=True),
    _html("case_check", "/leads/cases/{lead_case}/check/", P.CASE_HANDLE, scoped=True),
    _html("detail", "/leads/{lead}/", P.LEAD_VIEW, scoped=True),
    _html("verify", "/leads/{lead}/verify/", P.LEAD_HANDLE, scoped=True),
    _html("report_upward", "/leads/{lead}/report-upward/", P.LEAD_HANDLE, scoped=True),
    _html("dispatch", "/leads/{lead}/dispatch/", P.LEAD_DISPATCH, scoped=True),
    _html("close", "/leads/{lead}/close/", P.LEAD_HANDLE, scoped=True),
    _html("merge", "/leads/{lead}/merge/", P.LEAD_HANDLE, scoped=True),
    _html("link", "/leads/{lead}/link/", P.LEAD_HANDLE, scoped=True),
    _html("to_item", "/leads/{lead}/item/", P.CONTENT_HANDLE, scoped=True),
    _html("open_case", "/leads/{lead}/case/", P.CASE_HANDLE, scoped=True),
    _html("dispatch_ack", "/leads/dispatch/{lead_dispatch}/acknowledge/", P.LEAD_RESPOND, scoped=True),
    _html("dispatch_feedback", "/leads/dispatch/{lead_dispatch}/feedback/", P.LEAD_RESPOND, scoped=True),
    _api("get", f"{A}/leads", f"{A}/leads", P.LEAD_VIEW, lists=True),
    _api("post", f"{A}/leads", f"{A}/leads", P.LEAD_HANDLE,
         body='{"jurisdiction": {north}, "source": "own_work", "title": "新线索", "summary": "摘要"}'),
    _api("get", f"{A}/leads/{{lead_id}}", f"{A}/leads/{{lead}}", P.LEAD_VIEW, scoped=True),
    _api("get", f"{A}/cases", f"{A}/cases", P.CASE_VIEW, lists=True, marker="本辖区案件", other_marker="兄弟辖区案件"),
]


def make_objects(*, tree: Tree, admin: User, own: Platform, other: Platform) -> dict[str, int]:
    made: dict[str, int] = {}
    for place, to, title, case_title, target in ((tree.north, tree.station, MINE, "本辖区案件", own),
                                                 (tree.south, tree.south, OTHER, "兄弟辖区案件", other)):
        lead = services.do_create_lead({"jurisdiction": place, "source": "superior", "title": title,
                                        "summary": "摘要", "platform": target}, actor=admin)
        services.do_verify(lead, actor=admin, founded=True, note="属实")
        if to != place:
            dispatch = services.do_dispatch(lead, actor=admin, to=to, instructions="请核查")
            made.setdefault("lead_dispatch", dispatch.pk)
        case = services.do_open_case(lead, {"jurisdiction": place, "title": case_title, "offender": "某账号",
                                            "summary": "经过", "platform": target, "platform_failure": "未处置"},
                                     actor=admin)
        made.setdefault("lead", lead.pk)
        made.setdefault("lead_case", case.pk)
    return made
