"""Leads: intake, verification, dispatch and answer, report upward, merge, links, linked investigations,
and who sees what."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tests.conftest import Tree
from tests.content import factories
from youthsafe.content import services as content
from youthsafe.content.models import ReportStatus
from youthsafe.core.handoff import HandoffStatus
from youthsafe.core.models import AuditEvent, User
from youthsafe.core.referrals import ReferralRequest, referral_requested
from youthsafe.leads import services
from youthsafe.leads.models import CheckStatus, Lead, LeadStatus


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("administrator")


@pytest.fixture
def referrals(no_supervision_receiver: None) -> Iterator[list[ReferralRequest]]:
    received: list[ReferralRequest] = []

    def receiver(sender: object, referral: ReferralRequest, actor: User, **kw: Any) -> str:
        received.append(referral)
        return f"supervision.referral:{40 + len(received)}"

    referral_requested.connect(receiver, dispatch_uid="test-leads-referrals")
    yield received
    referral_requested.disconnect(dispatch_uid="test-leads-referrals")


def _lead(actor: User, tree: Tree, title: str = "线索", place: Any = None, **extra: Any) -> Lead:
    return services.do_create_lead({"jurisdiction": place or tree.city, "source": "superior", "title": title,
                                    "summary": "摘要", **extra}, actor=actor)


def test_full_path_with_dispatch_and_answer(tree: Tree, admin: User, make_user: Callable[..., User]) -> None:
    lead = _lead(admin, tree)
    with pytest.raises(ValidationError):  # verify first
        services.do_dispatch(lead, actor=admin, to=tree.north, instructions="请核查")
    services.do_verify(lead, actor=admin, founded=True, note="属实")
    services.do_report_upward(lead, actor=admin, note="已报上级")
    with pytest.raises(ValidationError):
        services.do_report_upward(lead, actor=admin, note="再报一次")
    dispatch = services.do_dispatch(lead, actor=admin, to=tree.north, instructions="请核查")
    assert dispatch.ack_due_at > dispatch.sent_at
    responder_south = make_user("responder", tree.south)
    with pytest.raises(PermissionDenied):
        services.do_acknowledge(dispatch, actor=responder_south)
    responder = make_user("responder", tree.north)
    with pytest.raises(ValidationError):  # acknowledge before feeding back
        services.do_feedback(dispatch, actor=responder, feedback="已处置")
    services.do_acknowledge(dispatch, actor=responder, note="已签收")
    services.do_feedback(dispatch, actor=responder, feedback="已处置")
    lead.refresh_from_db()
    dispatch.refresh_from_db()
    assert dispatch.status == HandoffStatus.REPORTED
    assert dispatch.acknowledged_by == responder
    assert lead.status == LeadStatus.FED_BACK
    services.do_close(lead, actor=admin, outcome="办结")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CLOSED
    assert AuditEvent.objects.filter(object_type="leads.lead", object_id=str(lead.pk)).count() >= 6


def test_district_sees_own_and_dispatched_leads_only(tree: Tree, admin: User, make_user: Callable[..., User],
                                                      login: Callable[[User], Client]) -> None:
    city = _lead(admin, tree, "市局线索")
    services.do_verify(city, actor=admin, founded=True, note="属实")
    services.do_dispatch(city, actor=admin, to=tree.station, instructions="请核查")
    own = _lead(admin, tree, "江北自有线索", place=tree.north)
    south = _lead(admin, tree, "江南线索", place=tree.south)
    hidden = _lead(admin, tree, "市局未推送线索")
    north_user = make_user("analyst", tree.north)
    visible = set(Lead.objects.visible_to(north_user).values_list("pk", flat=True))
    assert visible == {city.pk, own.pk}
    client = login(north_user)
    page = client.get("/leads/").content.decode()
    assert "市局线索" in page
    assert "江北自有线索" in page
    assert "江南线索" not in page
    assert "市局未推送线索" not in page
    assert client.get(f"/leads/{south.pk}/").status_code == 404
    assert client.get(f"/leads/{hidden.pk}/").status_code == 404
    assert client.get(f"/api/leads/leads/{south.pk}").status_code == 404
    # a receiver sees the lead but cannot act as its owner
    assert client.get(f"/leads/{city.pk}/").status_code == 200
    assert client.get(f"/leads/{city.pk}/verify/").status_code == 403


def test_merge_moves_links(tree: Tree, admin: User) -> None:
    item = factories.item(admin, tree.city, None)
    original = _lead(admin, tree, "原线索")
    duplicate = _lead(admin, tree, "重复线索")
    services.do_link(duplicate, actor=admin, items=[item])
    services.do_merge(duplicate, into=original, actor=admin, reason="同一事件")
    duplicate.refresh_from_db()
    assert duplicate.status == LeadStatus.MERGED
    assert duplicate.merged_into == original
    assert list(original.content_items.all()) == [item]
    with pytest.raises(ValidationError):
        services.do_merge(original, into=original, actor=admin, reason="自身")


def test_link_refuses_records_outside_the_jurisdiction(tree: Tree, admin: User,
                                                       make_user: Callable[..., User]) -> None:
    foreign = factories.item(admin, tree.south, None)
    analyst = make_user("analyst", tree.north)
    lead = _lead(analyst, tree, place=tree.north)
    with pytest.raises(ValidationError):
        services.do_link(lead, actor=analyst, items=[foreign])
    assert not lead.content_items.exists()


def test_public_report_becomes_a_lead(tree: Tree, admin: User) -> None:
    report = factories.report(tree.city)
    lead = services.do_lead_from_report(report, actor=admin, note="转线索")
    report.refresh_from_db()
    assert report.status == ReportStatus.LEAD
    assert lead.report == report
    assert lead.source == "public_report"
    assert report.ack_number in lead.title


def test_distress_report_never_becomes_a_takedown_lead(tree: Tree, admin: User) -> None:
    report = factories.report(tree.city, reason="W01")
    with pytest.raises(ValidationError, match="预警"):
        services.do_lead_from_report(report, actor=admin, note="转线索")
    assert not Lead.objects.exists()
    content.do_triage_report(report, actor=admin, outcome="welfare", note="转预警")
    report.refresh_from_db()
    assert report.status == ReportStatus.WELFARE


def test_item_from_lead_by_the_receiving_district(tree: Tree, admin: User, make_user: Callable[..., User]) -> None:
    lead = _lead(admin, tree)
    services.do_verify(lead, actor=admin, founded=True, note="属实")
    services.do_dispatch(lead, actor=admin, to=tree.north, instructions="请处置")
    district = make_user("analyst", tree.north)
    item = services.do_item_from_lead(lead, {"jurisdiction": tree.north, "platform": None,
                                             "location": "https://x.example/1", "text": "", "categories": ["A15"]},
                                      actor=district)
    assert item.jurisdiction == tree.north
    assert list(lead.content_items.all()) == [item]
    stranger = make_user("analyst", tree.south)
    with pytest.raises(PermissionDenied):
        services.do_item_from_lead(lead, {"jurisdiction": tree.south, "location": "x", "categories": ["A15"]},
                                   actor=stranger)


def test_linked_investigation_refers_the_platform(tree: Tree, admin: User, referrals: list[ReferralRequest]) -> None:
    platform = factories.platform(admin, tree.north)
    lead = _lead(admin, tree)
    case = services.do_open_case(lead, {"jurisdiction": tree.city, "title": "案件", "offender": "账号A",
                                        "summary": "经过", "platform": platform, "platform_failure": "未过滤"},
                                 actor=admin)
    services.do_platform_check(case, actor=admin, kind="rectification", note="责令整改")
    case.refresh_from_db()
    assert case.check_status == CheckStatus.REFERRED
    assert case.check_reference == "supervision.referral:41"
    assert referrals[0].platform_id == platform.pk
    assert referrals[0].kind == "rectification"
    assert referrals[0].jurisdiction_id == tree.north.pk
    assert referrals[0].source_url == f"/leads/cases/{case.pk}/"
    with pytest.raises(ValidationError):
        services.do_platform_check(case, actor=admin, kind="inspection", note="再次")


@pytest.mark.usefixtures("no_supervision_receiver")
def test_platform_check_without_supervision(tree: Tree, admin: User) -> None:
    platform = factories.platform(admin, tree.north)
    case = services.do_open_case(None, {"jurisdiction": tree.city, "title": "案件", "offender": "账号A",
                                        "summary": "经过", "platform": platform, "platform_failure": "未过滤"},
                                 actor=admin)
    with pytest.raises(ValidationError, match="监督"):
        services.do_platform_check(case, actor=admin, kind="inspection", note="检查")
    case.refresh_from_db()
    assert case.check_status == CheckStatus.PENDING
    services.do_platform_check(case, actor=admin, kind="no_issue", note="平台已尽责")
    case.refresh_from_db()
    assert case.check_status == CheckStatus.NO_ISSUE
