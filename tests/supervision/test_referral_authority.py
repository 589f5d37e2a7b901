"""Criminal referral (R8, 刑法 Art. 286-1) is decided only with ``sanction:approve_referral``: holding
``sanction:approve``, which decides a warning, is not enough (regulatory-reference section 4.1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import translation

from tests.conftest import Tree
from tests.supervision.factories import DAY, delivered_order, inspected, platform, second_signer
from youthsafe.core.models import User
from youthsafe.core.roles import ROLE_PERMISSIONS, Permission, Role
from youthsafe.supervision.models import RectificationOrder, Sanction, SanctionStatus
from youthsafe.supervision.services import orders, sanctions

pytestmark = pytest.mark.django_db
P = Permission


def _refused_order(tree: Tree, admin: User) -> RectificationOrder:
    order = delivered_order(inspected(platform(tree.north, admin), admin, second_signer(tree.city)), admin)
    return orders.do_record_refusal(order, actor=admin, refused_on=DAY, evidence="书面答复拒不改正")


def _referral(order: RectificationOrder, admin: User) -> Sanction:
    return sanctions.do_propose(order, actor=admin, kind="criminal_referral", statute="刑法第二百八十六条之一",
                                reason="拒不改正，致使违法信息大量传播", receiving_organ="市公安局网安支队")


def test_only_leader_and_administrator_hold_the_referral_authority() -> None:
    holders = {role for role, granted in ROLE_PERMISSIONS.items() if P.SANCTION_APPROVE_REFERRAL in granted}
    assert holders == {Role.ADMINISTRATOR, Role.LEADER}
    # Least privilege: nobody decides a referral who could not decide a warning.
    assert all(P.SANCTION_APPROVE in ROLE_PERMISSIONS[role] for role in holders)


def test_sanction_approve_alone_decides_a_warning_but_not_a_referral(
        tree: Tree, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch) -> None:
    admin = make_user("administrator", username="proposer-admin")
    order = _refused_order(tree, admin)
    referral = _referral(order, admin)
    # A role given the warning-level authority but not the referral one (a district head, say).
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.ANALYST, ROLE_PERMISSIONS[Role.ANALYST] | {P.SANCTION_APPROVE})
    approver = make_user("analyst", tree.north, username="district-head")
    for decide in (lambda: sanctions.do_approve(referral, actor=approver, note="同意移送"),
                   lambda: sanctions.do_reject(referral, actor=approver, note="证据不足")):
        with pytest.raises(PermissionDenied, match="criminal referrals"):
            decide()
    assert Sanction.objects.get(pk=referral.pk).status == SanctionStatus.PROPOSED
    assert RectificationOrder.objects.get(pk=order.pk).stage != "R8"
    warning = sanctions.do_propose(order, actor=admin, kind="warning", statute="条例第五十六条", reason="警告")
    assert sanctions.do_approve(warning, actor=approver).status == SanctionStatus.APPROVED
    # The leader, who holds both, decides the referral; then the analyst cannot revoke that approval either.
    leader = make_user("leader", tree.city, username="city-leader")
    assert sanctions.do_approve(referral, actor=leader, note="同意移送").status == SanctionStatus.APPROVED
    assert RectificationOrder.objects.get(pk=order.pk).stage == "R8"
    with pytest.raises(PermissionDenied):
        sanctions.do_revoke(referral, actor=approver, note="撤回")
    assert Sanction.objects.get(pk=referral.pk).status == SanctionStatus.APPROVED


def test_the_refusal_is_localized() -> None:
    with translation.override("zh-hans"):
        message = translation.gettext("Only a holder of the authority to decide criminal referrals may decide on "
                                      "this one.")
    assert message != "Only a holder of the authority to decide criminal referrals may decide on this one."
    assert "移送" in message


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("where", ["city", "north", "south", "other_city"])
def test_only_referral_approvers_in_the_jurisdiction_can_approve_a_referral(
        role: Role, where: str, tree: Tree, make_user: Callable[..., User]) -> None:
    admin = make_user("administrator", username="proposer-admin")
    referral = _referral(_refused_order(tree, admin), admin)
    approver = make_user(role, getattr(tree, where), username=f"{role}-{where}")
    may = role == Role.ADMINISTRATOR or (role == Role.LEADER and where in {"city", "north"})
    if may:
        assert sanctions.do_approve(referral, actor=approver).decided_by == approver
    else:
        with pytest.raises(PermissionDenied):
            sanctions.do_approve(referral, actor=approver)
        assert Sanction.objects.get(pk=referral.pk).status == SanctionStatus.PROPOSED


def test_the_sanction_page_offers_the_decision_only_to_referral_approvers(
        tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client],
        monkeypatch: pytest.MonkeyPatch) -> None:
    admin = make_user("administrator", username="proposer-admin")
    referral = _referral(_refused_order(tree, admin), admin)
    url = f"/supervision/sanctions/{referral.pk}/"
    approve = f"/supervision/step/sanction_approve/{referral.pk}/"
    leader_page = login(make_user("leader", tree.city, username="city-leader")).get(url).content.decode()
    assert approve in leader_page
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.ANALYST, ROLE_PERMISSIONS[Role.ANALYST] | {P.SANCTION_APPROVE})
    client = login(make_user("analyst", tree.north, username="district-head"))
    page = client.get(url).content.decode()
    assert approve not in page
    assert 'id="referral-reserved"' in page
    before = Sanction.objects.get(pk=referral.pk).version
    response = client.post(approve, {"note": "同意"})
    assert response.status_code in {200, 403}
    assert Sanction.objects.get(pk=referral.pk).version == before
