"""Across modules, with the real receivers: an ignored takedown instruction and the platform check of a
linked investigation (一案双查) each land in supervision's referral queue, and a person there opens the
inspection. Nothing in supervision opens by itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from tests.conftest import Tree
from tests.content import factories
from youthsafe.content import services as content
from youthsafe.core.models import User
from youthsafe.leads import services as leads
from youthsafe.supervision.models import Inspection, Referral, ReferralStatus
from youthsafe.supervision.services import inspections

pytestmark = pytest.mark.django_db


def test_content_and_cases_refer_platforms_to_supervision(tree: Tree, make_user: Callable[..., User]) -> None:
    analyst = make_user("analyst", tree.city)
    platform = factories.platform(make_user("administrator"), tree.north)
    item = factories.item(analyst, tree.north, platform)
    instruction = content.do_instruct(item, actor=analyst, now=timezone.now() - dt.timedelta(days=3))
    content.do_escalate(instruction, actor=analyst, reason="逾期未删除")
    instruction.refresh_from_db()
    first = Referral.objects.get()
    assert instruction.escalation_reference == f"supervision.referral:{first.pk}"
    assert (first.platform, first.kind, first.status) == (platform, "inspection", ReferralStatus.OPEN)
    assert first.source_url == f"/content/{item.pk}/"
    assert first.requested_by == analyst
    assert not Inspection.objects.exists()  # people decide: a referral opens nothing by itself

    case = leads.do_open_case(None, {"jurisdiction": tree.city, "title": "贩卖学生信息案", "offender": "账号A",
                                     "summary": "经过", "platform": platform, "platform_failure": "未审核发布内容"},
                              actor=analyst)
    leads.do_platform_check(case, actor=analyst, kind="rectification", note="平台未落实审核义务")
    case.refresh_from_db()
    second = Referral.objects.exclude(pk=first.pk).get()
    assert case.check_reference == f"supervision.referral:{second.pk}"
    assert second.kind == "rectification"
    assert second.jurisdiction == tree.north  # filed where the platform is supervised

    inspection = inspections.do_create_inspection(platform, actor=analyst, inspected_on=timezone.localdate(),
                                                  referral=first)
    first.refresh_from_db()
    assert inspection.referral == first
    assert first.status != ReferralStatus.OPEN
