"""Referrals from other modules, the nightly command, and who may approve a sanction (every role)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction

from tests.conftest import Tree
from tests.supervision.factories import delivered_order, inspected, platform, second_signer
from youthsafe.core.models import AuditEvent, User
from youthsafe.core.referrals import ReferralRequest, request_referral
from youthsafe.core.roles import ROLE_PERMISSIONS, Permission, Role
from youthsafe.supervision.models import Inspection, RectificationOrder, Referral, Sanction
from youthsafe.supervision.services import inspections, orders, referrals, sanctions

pytestmark = pytest.mark.django_db


def test_request_referral_files_one_in_the_queue_and_a_person_decides(tree: Tree,
                                                                      make_user: Callable[..., User]) -> None:
    admin = make_user("administrator")
    target = platform(tree.north, admin)
    reviewer = make_user("reviewer", tree.north)
    refs = request_referral(ReferralRequest(platform_id=target.pk, kind="inspection", reason="删除指令三次未执行",
                                            source_label="有害信息 HI-2026-0012", source_url="/content/items/12/",
                                            jurisdiction_id=tree.north.pk), actor=reviewer)
    referral = Referral.objects.get()
    assert refs == [f"supervision.referral:{referral.pk}"]
    assert (referral.platform, referral.kind, referral.requested_by, referral.status) == (
        target, "inspection", reviewer, "open")
    assert Inspection.objects.count() == 0  # nothing opens by itself
    analyst = make_user("analyst", tree.north)
    opened = inspections.do_create_inspection(target, actor=analyst, inspected_on=dt.date(2026, 3, 2),
                                              referral=referral)
    referral.refresh_from_db()
    assert (referral.status, referral.decided_by, opened.referral) == ("taken", analyst, referral)
    with pytest.raises(ValidationError):
        referrals.do_dismiss(referral, actor=analyst, note="重复")


def test_referral_to_an_order_and_bad_referrals(tree: Tree, make_user: Callable[..., User]) -> None:
    admin = make_user("administrator")
    target = platform(tree.north, admin)
    ref = request_referral(ReferralRequest(platform_id=target.pk, kind="rectification", reason="一案双查",
                                           source_label="案件 AJ-1", source_url="", jurisdiction_id=tree.north.pk),
                           actor=admin)[0]
    referral = Referral.objects.get(pk=int(ref.rsplit(":", 1)[1]))
    order = orders.do_draft_order(target, actor=make_user("analyst", tree.north), referral=referral,
                                  problems=referral.reason, legal_basis="《网络安全法》第四十七条")
    assert order.referral == referral
    for bad in (ReferralRequest(platform_id=999_999, kind="inspection", reason="x", source_label="s",
                                source_url="", jurisdiction_id=tree.north.pk),
                ReferralRequest(platform_id=target.pk, kind="closure", reason="x",  # type: ignore[arg-type]
                                source_label="s", source_url="", jurisdiction_id=tree.north.pk),
                ReferralRequest(platform_id=target.pk, kind="inspection", reason=" ", source_label="s",
                                source_url="", jurisdiction_id=tree.north.pk)):
        with pytest.raises(ValidationError), transaction.atomic():
            request_referral(bad, actor=admin)
    assert Referral.objects.count() == 1


def test_a_south_user_cannot_dismiss_a_north_referral(tree: Tree, make_user: Callable[..., User]) -> None:
    admin = make_user("administrator")
    referral = referrals.file_referral(ReferralRequest(
        platform_id=platform(tree.north, admin).pk, kind="inspection", reason="r", source_label="s", source_url="",
        jurisdiction_id=tree.north.pk), actor=admin)
    with pytest.raises(PermissionDenied):
        referrals.do_dismiss(referral, actor=make_user("analyst", tree.south), note="不归我们")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("where", ["city", "north", "south", "other_city"])
def test_only_approvers_in_the_jurisdiction_can_approve(role: Role, where: str, tree: Tree,
                                                        make_user: Callable[..., User]) -> None:
    admin = make_user("administrator", username="proposer-admin")
    order = delivered_order(inspected(platform(tree.north, admin), admin, second_signer(tree.city)), admin)
    proposed = sanctions.do_propose(order, actor=admin, kind="warning", statute="条例第五十六条", reason="警告")
    approver = make_user(role, getattr(tree, where), username=f"{role}-{where}")
    may = Permission.SANCTION_APPROVE in ROLE_PERMISSIONS[role] and (
        role == Role.ADMINISTRATOR or where in {"city", "north"})
    assert may == (role in {Role.ADMINISTRATOR, Role.LEADER} and (role == Role.ADMINISTRATOR
                                                                  or where in {"city", "north"}))
    if may:
        assert sanctions.do_approve(proposed, actor=approver).decided_by == approver
    else:
        with pytest.raises(PermissionDenied):
            sanctions.do_approve(proposed, actor=approver)
        assert Sanction.objects.get(pk=proposed.pk).status == "proposed"


def test_nightly_command_flags_and_reports(tree: Tree, make_user: Callable[..., User]) -> None:
    admin = make_user("administrator")
    order = delivered_order(inspected(platform(tree.north, admin), admin, second_signer(tree.city)), admin, days=5)
    assert order.deadline is not None
    out = io.StringIO()
    call_command("supervision_nightly", "--today", (order.deadline + dt.timedelta(days=1)).isoformat(), stdout=out)
    assert "flagged 1 overdue orders" in out.getvalue()
    assert RectificationOrder.objects.get().status == "overdue"
    out = io.StringIO()
    call_command("supervision_nightly", "--today", (order.deadline + dt.timedelta(days=1)).isoformat(), stdout=out)
    assert "flagged 0 overdue orders" in out.getvalue()
    assert AuditEvent.objects.filter(reason="deadline passed").count() == 1
    with pytest.raises(CommandError, match="not a date"):
        call_command("supervision_nightly", "--today", "next tuesday")
