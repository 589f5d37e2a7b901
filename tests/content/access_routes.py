"""Every route of the content app for the shared access matrix (tests/core/test_access_matrix.py).

``make_objects`` creates in district ``tree.north`` an item with a text evidence file and a takedown
instruction, and a public report; the sibling district gets the same, so lists can be checked for what they
must not show. The public report form, its lookup page and the public API are marked ``public``.
"""

from __future__ import annotations

from typing import Any

from tests.access import Route
from tests.conftest import Tree
from tests.content import factories
from youthsafe.content import services
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.registry.models import Platform

P = Permission
MINE = "本辖区有害信息"
OTHER = "兄弟辖区有害信息"
ACK = 7000001  # the own report's acknowledgement number (digits, so it fits the path placeholders)


def _html(name: str, path: str, permission: Permission, **kw: Any) -> Route:
    kw.setdefault("marker", MINE)
    kw.setdefault("other_marker", OTHER)
    return Route(f"content:{name}", path, permission, **kw)


def _api(method: str, schema_path: str, path: str, permission: Permission, **kw: Any) -> Route:
    kw.setdefault("marker", MINE)
    kw.setdefault("other_marker", OTHER)
    return Route(f"{method.upper()} {schema_path}", path, permission, method, **kw)


REPORT_BODY = ('{"reason": "A15", "location": "https://x.example/p/9", "explanation": "诈骗", '
               '"good_faith": true}')
A = "/api/content"
ROUTES: list[Route] = [
    _html("index", "/content/", P.CONTENT_VIEW, lists=True),
    _html("item_create", "/content/new/", P.CONTENT_HANDLE),
    _html("item_detail", "/content/{content_item}/", P.CONTENT_VIEW, scoped=True),
    _html("item_instruct", "/content/{content_item}/instruct/", P.CONTENT_HANDLE, scoped=True),
    _html("item_dismiss", "/content/{content_item}/dismiss/", P.CONTENT_HANDLE, scoped=True),
    _html("evidence_add", "/content/{content_item}/evidence/", P.CONTENT_HANDLE, scoped=True),
    _html("evidence_download", "/content/evidence/{content_evidence}/", P.EVIDENCE_DOWNLOAD, scoped=True),
    _html("instruction_list", "/content/instructions/", P.CONTENT_VIEW, lists=True, marker="本辖区平台",
          other_marker="兄弟辖区平台"),
    _html("instruction_confirm", "/content/instructions/{content_instruction}/confirm/", P.CONTENT_HANDLE,
          scoped=True),
    _html("instruction_verify", "/content/instructions/{content_instruction}/verify/", P.CONTENT_HANDLE,
          scoped=True),
    _html("instruction_escalate", "/content/instructions/{content_instruction}/escalate/", P.CONTENT_HANDLE,
          scoped=True),
    _html("report_list", "/content/reports/", P.REPORT_TRIAGE, lists=True),
    _html("report_detail", "/content/reports/{content_report}/", P.REPORT_TRIAGE, scoped=True),
    _html("public_report", "/content/report/", P.DASHBOARD_VIEW, public=True),
    _html("public_lookup", "/content/report/lookup/?ack_number={content_ack}", P.DASHBOARD_VIEW, public=True),
    _api("post", f"{A}/public/reports", f"{A}/public/reports", P.DASHBOARD_VIEW, public=True, body=REPORT_BODY),
    _api("get", f"{A}/public/reports/{{ack_number}}", f"{A}/public/reports/{{content_ack}}", P.DASHBOARD_VIEW,
         public=True),
    _api("get", f"{A}/items", f"{A}/items", P.CONTENT_VIEW, lists=True, marker="本辖区平台",
         other_marker="兄弟辖区平台"),
    _api("get", f"{A}/items/{{item_id}}", f"{A}/items/{{content_item}}", P.CONTENT_VIEW, scoped=True),
    _api("get", f"{A}/reports", f"{A}/reports", P.REPORT_TRIAGE, lists=True),
]


def make_objects(*, tree: Tree, admin: User, own: Platform, other: Platform) -> dict[str, int]:
    mine = factories.item(admin, tree.north, own, location=f"https://x.example/{MINE}")
    theirs = factories.item(admin, tree.south, other, location=f"https://x.example/{OTHER}",
                            text="另一条完全不同的内容：网赌充值返利日入过千")
    instruction = services.do_instruct(mine, actor=admin)
    services.do_instruct(theirs, actor=admin)
    report = factories.report(tree.north, location=f"https://x.example/{MINE}", ack=str(ACK), platform_name=MINE)
    factories.report(tree.south, location=f"https://x.example/{OTHER}", platform_name=OTHER)
    return {"content_item": mine.pk, "content_evidence": mine.evidence.get().pk,
            "content_instruction": instruction.pk, "content_report": report.pk, "content_ack": ACK}
