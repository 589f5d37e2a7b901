"""Script from a public report cannot run on the lead pages: the lead's title and summary come from it."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from tests.conftest import Tree
from youthsafe.content.models import PublicReport
from youthsafe.core.models import User
from youthsafe.leads import services
from youthsafe.leads.models import Lead

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_script_from_a_public_report_is_escaped_on_the_lead_pages(client: Client, tree: Tree,
                                                                  make_user: Callable[..., User],
                                                                  login: Callable[[User], Client]) -> None:
    sent = client.post("/content/report/", {"reason": "A15", "location": SCRIPT, "platform_name": SCRIPT,
                                            "explanation": SCRIPT, "good_faith": "on"})
    assert sent.status_code == 201
    report = PublicReport.objects.get()
    admin = make_user("administrator")
    lead = services.do_lead_from_report(report, actor=admin, note="转线索")
    services.do_verify(lead, actor=admin, founded=True, note=SCRIPT)
    services.do_dispatch(lead, actor=admin, to=tree.north, instructions=SCRIPT)
    lead = Lead.objects.get()
    assert SCRIPT in lead.summary
    for user in (make_user("analyst"), make_user("responder", tree.north)):
        staff = login(user)
        for url in (f"/leads/{lead.pk}/", "/leads/", "/leads/received/" if user.jurisdiction == tree.north
                    else "/leads/dispatches/"):
            page = staff.get(url)
            assert page.status_code == 200, url
            html = page.content.decode()
            assert "<script>alert" not in html, url
            assert "<img src=x" not in html, url
        detail = staff.get(f"/leads/{lead.pk}/").content.decode()
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in detail
