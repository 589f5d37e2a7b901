"""A report from the public becomes a lead, is verified and dispatched to a district, acknowledged there,
turned into a content item with a takedown instruction, confirmed, verified, and counted."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import Tree
from tests.content import factories
from tests.e2e.helpers import login
from youthsafe.content.models import ContentItem, PublicReport
from youthsafe.core import indicators
from youthsafe.core.models import User
from youthsafe.leads.models import Lead, LeadDispatch

pytestmark = pytest.mark.django_db(transaction=True)
SUBMIT = "form.form button[type=submit]"


def _logout(page: Any) -> None:
    page.click("header.topbar form.inline button.link >> nth=-1")
    page.wait_for_url(re.compile(r".*/login/.*"))


def test_public_report_to_counted_takedown(page: Any, live_server: Any, tree: Tree,
                                            make_user: Callable[..., User]) -> None:
    admin = make_user("administrator", username="e2e-admin")
    platform = factories.platform(admin, tree.north, name="江北短视频")
    analyst = make_user("analyst", tree.city, username="city-analyst")
    responder = make_user("responder", tree.north, username="north-responder")
    district = make_user("analyst", tree.north, username="north-analyst")
    base = live_server.url

    # 1. Anyone reports, without an account.
    page.goto(f"{base}/content/report/")
    page.select_option("#id_reason", "A15")
    page.fill("#id_location", "https://video.example/v/123")
    page.fill("#id_platform_name", "江北短视频")
    page.fill("#id_explanation", "视频评论区以免费领皮肤为名骗学生扫码付款")
    page.check("#id_good_faith")
    page.click(SUBMIT)
    ack = page.locator("#ack-number").inner_text().strip()
    report = PublicReport.objects.get(ack_number=ack)

    # 2. The city unit takes it up as a lead, verifies it and dispatches it to the district.
    login(page, base, analyst)
    page.goto(f"{base}/content/reports/")
    page.click(f"a:text-is('{ack}')")
    page.select_option("#id_outcome", "lead")
    page.fill("#id_note", "链接有效，转线索核查")
    page.click(SUBMIT)
    page.wait_for_url(re.compile(r".*/leads/\d+/$"))
    lead = Lead.objects.get(report=report)
    assert lead.platform == platform
    page.click(f"a[href='/leads/{lead.pk}/verify/']")
    page.select_option("#id_founded", "yes")
    page.fill("#id_note", "截图固定，情况属实")
    page.click(SUBMIT)
    page.click(f"a[href='/leads/{lead.pk}/dispatch/']")
    page.select_option("#id_to", str(tree.north.pk))
    page.fill("#id_instructions", "请江北区核查并责令平台删除")
    page.click(SUBMIT)
    page.wait_for_url(f"{base}/leads/{lead.pk}/")
    dispatch = LeadDispatch.objects.get(lead=lead)
    assert dispatch.status == "sent"
    _logout(page)

    # 3. The district acknowledges the dispatch.
    login(page, base, responder)
    page.goto(f"{base}/leads/received/")
    page.click(f"a[href='/leads/dispatch/{dispatch.pk}/acknowledge/']")
    page.click(SUBMIT)
    page.wait_for_url(f"{base}/leads/{lead.pk}/")
    dispatch.refresh_from_db()
    assert dispatch.status == "acknowledged"
    assert dispatch.acknowledged_by == responder
    _logout(page)

    # 4. The district's analyst records the item, instructs the platform, records its confirmation, verifies.
    login(page, base, district)
    page.goto(f"{base}/leads/{lead.pk}/")
    page.click(f"a[href='/leads/{lead.pk}/item/']")
    page.select_option("#id_jurisdiction", str(tree.north.pk))
    page.select_option("#id_platform", str(platform.pk))
    page.fill("#id_location", "https://video.example/v/123")
    page.fill("#id_text", "免费领皮肤，扫码付款九块九，学生党专属，加微信领取")
    page.check("input[name=categories][value=A15]")
    page.click(SUBMIT)
    page.wait_for_url(re.compile(r".*/content/\d+/$"))
    item = ContentItem.objects.get()
    assert list(lead.content_items.all()) == [item]
    page.click(f"a[href='/content/{item.pk}/instruct/']")
    page.fill("#id_note", "请于24小时内删除并反馈")
    page.click(SUBMIT)
    instruction = item.instructions.get()
    page.click(f"a[href='/content/instructions/{instruction.pk}/confirm/']")
    page.fill("#id_confirmation", "平台回复：视频及评论已删除")
    page.click(SUBMIT)
    page.click(f"a[href='/content/instructions/{instruction.pk}/verify/']")
    page.select_option("#id_done", "yes")
    page.fill("#id_note", "复查链接已失效")
    page.click(SUBMIT)
    page.wait_for_url(f"{base}/content/{item.pk}/")
    item.refresh_from_db()
    assert item.status == "handled"

    # 5. Counted: the figure and the list behind it.
    today = timezone.localdate()
    figure = indicators.compute(indicators.get("harmful_items_handled"), today - dt.timedelta(days=1), today,
                                tree.north)
    assert figure == 1
    page.goto(f"{base}/content/?indicator=harmful_items_handled&jurisdiction={tree.north.pk}"
              f"&from={today.isoformat()}&to={today.isoformat()}")
    assert page.locator(f"a:text-is('{item.reference}')").count() == 1

    # 6. The lead page shows the item and the district's acknowledged dispatch.
    page.goto(f"{base}/leads/{lead.pk}/")
    assert page.locator(f"a[href='/content/{item.pk}/']").inner_text().strip() == item.reference
    dispatches = page.locator("section.card:has(h2:text-is('推送记录')) li")
    assert dispatches.count() == 1
    row = dispatches.first.inner_text()
    assert tree.north.name in row
    assert "已签收" in row
    assert "请江北区核查并责令平台删除" in row
    assert responder.display_name in row

    # 7. The dashboard shows the figure, and the figure links to the records behind it.
    page.goto(f"{base}/dashboard/?from={today.isoformat()}&to={today.isoformat()}&jurisdiction={tree.north.pk}")
    tile = page.locator('a.tile[data-indicator="harmful_items_handled"]')
    assert tile.locator("strong").inner_text().startswith("1")
    tile.click()
    page.wait_for_url(re.compile(r".*indicator=harmful_items_handled.*"))
    assert page.locator(f"a:text-is('{item.reference}')").count() == 1
