"""A reviewer claims, acknowledges and dispatches an alert to another city's unit (HZ-WA); that unit's responder
acknowledges and resolves with "reached and safe"; an overdue alert escalates and shows first for the leader."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.alerts.factories import RECRUIT, feed, source
from tests.conftest import Tree
from tests.e2e.helpers import login
from youthsafe.alerts.models import Alert, Dispatch, FollowUp
from youthsafe.alerts.services import escalate_overdue
from youthsafe.core.models import Jurisdiction, JurisdictionKind, User

pytestmark = pytest.mark.django_db(transaction=True)


def _logout(page: Any) -> None:
    page.click("button:has-text('退出')")


def test_claim_dispatch_across_cities_and_resolve(
    page: Any, live_server: Any, tree: Tree, make_user: Callable[..., User],
) -> None:
    hz_wa = Jurisdiction.objects.create(code="HZ-WA", name="海州市公安局网安支队", kind=JurisdictionKind.UNIT,
                                        parent=tree.other_city)
    reviewer = make_user("reviewer", tree.north)
    responder = make_user("responder", hz_wa, username="responder-hz")
    alert = feed(source(tree.north), RECRUIT, author="e2e", thread="e2e")
    assert alert is not None
    base = live_server.url

    login(page, base, reviewer)
    page.click("nav >> a:text-is('预警')")
    page.wait_for_selector(f"tr[data-alert='{alert.pk}']")
    page.click(f"tr[data-alert='{alert.pk}'] button:has-text('认领')")
    page.wait_for_selector("text=已完成：认领")
    assert Alert.objects.get().claimed_by == reviewer
    assert page.locator("mark").count() > 0  # evidence highlighted
    page.click("a.button:has-text('确认')")
    page.fill("#id_reason", "已阅，核实中")
    page.click("button:has-text('确认')")
    page.wait_for_selector("text=已完成：确认")
    page.click("a:has-text('下发处置单位')")
    page.select_option("#id_to_jurisdiction", str(hz_wa.pk))
    page.fill("#id_shared_note", "发帖人IP属地海州，请落地核查并联系监护人")
    page.click("button:has-text('下发处置单位')")
    page.wait_for_selector("text=已完成：下发处置单位")
    assert Alert.objects.get().status == "dispatched"
    _logout(page)

    login(page, base, responder)
    page.goto(f"{base}/alerts/received/")
    page.wait_for_selector("text=请落地核查")
    page.click("tr[data-dispatch] button:has-text('确认')")
    page.wait_for_selector("text=已完成：签收")
    assert Dispatch.objects.get().acknowledged_by == responder
    assert "已阅，核实中" not in page.content()  # the sender's internal reason is not shared
    page.click("a:has-text('记录处置结果')")
    page.select_option("#id_kind", "reached_safe")
    page.fill("#id_note", "已联系监护人并当面确认，本人安全")
    page.click("button:has-text('记录处置结果')")
    page.wait_for_selector("text=已完成：记录处置结果")
    done = Alert.objects.get()
    assert done.status == "resolved"
    assert done.outcomes.get().kind == "reached_safe"
    assert FollowUp.objects.filter(alert=done).count() == 2


def test_overdue_alert_escalates_and_shows_first_for_the_leader(
    page: Any, live_server: Any, tree: Tree, make_user: Callable[..., User],
) -> None:
    src = source(tree.north)
    early = timezone.now() - dt.timedelta(hours=30)
    late = feed(src, "活着好累，想从天台跳下去，时间还没定", author="late", thread="l", now=early, posted_at=early)
    fresh = feed(src, RECRUIT, author="fresh", thread="f")
    assert late is not None
    assert fresh is not None
    report = escalate_overdue(timezone.now() + dt.timedelta(minutes=1))
    assert late.pk in report.alerts
    leader = make_user("leader", tree.city)
    login(page, live_server.url, leader)
    page.goto(f"{live_server.url}/alerts/")
    first = page.locator("table.queue tbody tr").first
    assert first.get_attribute("data-alert") == str(late.pk)
    assert "已上报" in first.inner_text()
    page.click("a:has-text('超时与上报')")
    page.wait_for_selector(f"tr[data-alert='{late.pk}']")
