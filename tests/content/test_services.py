"""Items, evidence, takedown instructions and escalation through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import Tree
from tests.content import factories
from youthsafe.content import evidence, services
from youthsafe.content.models import ContentItem, Evidence, InstructionStatus, ItemStatus
from youthsafe.core.models import AuditEvent, StatusChange, User
from youthsafe.core.referrals import ReferralRequest, referral_requested

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("administrator")


@pytest.fixture
def referrals(no_supervision_receiver: None) -> Iterator[list[dict[str, Any]]]:
    """A stand-in for the supervision app: records each referral and answers with a reference."""
    received: list[dict[str, Any]] = []

    def receiver(sender: object, referral: ReferralRequest, actor: User, **kw: Any) -> str:
        received.append({"referral": referral, "actor": actor})
        return f"supervision.referral:{len(received)}"

    referral_requested.connect(receiver, dispatch_uid="test-content-referrals")
    yield received
    referral_requested.disconnect(dispatch_uid="test-content-referrals")


def test_record_scans_text_and_keeps_text_evidence(tree: Tree, admin: User) -> None:
    target = factories.platform(admin, tree.north)
    item = factories.item(admin, tree.north, target)
    assert item.scan is not None
    assert {c["id"] for c in item.scan["categories"] if c["flagged"]} >= {"A02"}
    assert any(e["text"] == "萝莉资源" for e in item.scan["evidence"])
    assert item.scan["model_version"]
    assert item.scan["rules_version"]
    assert item.tier == "A"
    row = item.evidence.get()
    assert row.kind == Evidence.Kind.TEXT
    assert evidence.read(row.sha256) == factories.HARMFUL.encode()
    assert AuditEvent.objects.filter(object_type="content.contentitem", object_id=str(item.pk)).exists()


def test_welfare_category_is_refused(tree: Tree, admin: User) -> None:
    with pytest.raises(ValidationError, match="welfare"):
        factories.item(admin, tree.north, None, text="我不想活了", categories=["W01"])
    assert not ContentItem.objects.exists()


def test_district_user_cannot_record_in_sibling(tree: Tree, make_user: Callable[..., User]) -> None:
    analyst = make_user("analyst", tree.north)
    with pytest.raises(PermissionDenied):
        factories.item(analyst, tree.south, None)
    viewer = make_user("readonly", tree.north)
    with pytest.raises(PermissionDenied):
        factories.item(viewer, tree.north, None)


def test_near_duplicates_form_one_campaign(tree: Tree, admin: User) -> None:
    ad = "低价出售游戏账号，未成年也能买，加V：{} 立刻到账，先付款后发货"
    first = factories.item(admin, tree.north, None, location="https://a.example/1", text=ad.format("jc2023"),
                           categories=["A15"])
    second = factories.item(admin, tree.south, None, location="https://b.example/2",
                            text=ad.format("jc2024") + "🔥🔥", categories=["A15"])
    other = factories.item(admin, tree.north, None, location="https://c.example/3",
                           text="网赌平台充值返利，学生党也能玩，日入过千", categories=["A06"])
    assert first.group_id is None
    assert second.group_id == first.pk
    assert other.group_id is None
    assert second.group_head == first


def test_takedown_confirm_verify_counts_as_handled(tree: Tree, admin: User) -> None:
    target = factories.platform(admin, tree.north)
    item = factories.item(admin, tree.north, target)
    instruction = services.do_instruct(item, actor=admin, note="删除")
    assert instruction.action == "remove"
    assert instruction.deadline > instruction.issued_at
    with pytest.raises(ValidationError):  # not confirmed yet
        services.do_verify(instruction, actor=admin, done=True, note="查看")
    services.do_confirm(instruction, actor=admin, confirmation="已删除")
    services.do_verify(instruction, actor=admin, done=True, note="链接失效")
    item.refresh_from_db()
    instruction.refresh_from_db()
    assert item.status == ItemStatus.HANDLED
    assert item.handling == "remove"
    assert item.handled_at is not None
    assert instruction.status == InstructionStatus.VERIFIED
    assert instruction.verified_by == admin
    # every move has its history row (the kernel's) with who and why
    moves = StatusChange.objects.filter(machine="item", object_id=item.pk)
    assert [(m.from_status, m.to_status) for m in moves] == [
        ("recorded", "instructed"), ("instructed", "confirmed"), ("confirmed", "handled")]
    assert [m.reason for m in moves][-1] == "链接失效"
    assert list(StatusChange.objects.filter(machine="instruction", object_id=instruction.pk)
                .values_list("to_status", "actor")) == [("confirmed", admin.pk), ("verified", admin.pk)]
    assert AuditEvent.objects.filter(object_type="content.takedowninstruction", object_id=str(instruction.pk),
                                     action="transition", jurisdiction=tree.north).count() == 2


def test_failed_verification_needs_a_new_instruction(tree: Tree, admin: User) -> None:
    target = factories.platform(admin, tree.north)
    item = factories.item(admin, tree.north, target)
    first = services.do_instruct(item, actor=admin)
    services.do_confirm(first, actor=admin, confirmation="已删除")
    services.do_verify(first, actor=admin, done=False, note="仍可访问")
    item.refresh_from_db()
    assert item.status == ItemStatus.RECORDED
    assert item.handled_at is None
    second = services.do_instruct(item, actor=admin)
    assert second.pk != first.pk


def test_tier_b_item_gets_a_label_instruction(tree: Tree, admin: User) -> None:
    target = factories.platform(admin, tree.north)
    item = factories.item(admin, tree.north, target, text="挑战一口气喝完十瓶能量饮料", categories=["B01"])
    instruction = services.do_instruct(item, actor=admin)
    assert instruction.action == "label"
    services.do_confirm(instruction, actor=admin, confirmation="已加标识")
    services.do_verify(instruction, actor=admin, done=True, note="已显示提示")
    item.refresh_from_db()
    assert item.handling == "label"


def test_escalation_of_an_ignored_instruction(tree: Tree, admin: User, referrals: list[dict[str, Any]]) -> None:
    target = factories.platform(admin, tree.north)
    item = factories.item(admin, tree.north, target)
    instruction = services.do_instruct(item, actor=admin, now=timezone.now() - dt.timedelta(days=3))
    services.do_escalate(instruction, actor=admin, reason="逾期未处置")
    instruction.refresh_from_db()
    item.refresh_from_db()
    assert instruction.status == InstructionStatus.ESCALATED
    assert instruction.escalation_reference == "supervision.referral:1"
    assert item.status == ItemStatus.ESCALATED
    sent = referrals[0]["referral"]
    assert sent.platform_id == target.pk
    assert sent.kind == "inspection"
    assert sent.reason == "逾期未处置"
    assert item.reference in sent.source_label
    assert sent.source_url == f"/content/{item.pk}/"
    assert referrals[0]["actor"] == admin
    # the platform answers late: the escalated item can still be confirmed and handled
    services.do_confirm(instruction, actor=admin, confirmation="已删除")
    item.refresh_from_db()
    assert item.status == ItemStatus.CONFIRMED


def test_escalation_refused_before_deadline(tree: Tree, admin: User, referrals: list[dict[str, Any]]) -> None:
    target = factories.platform(admin, tree.north)
    instruction = services.do_instruct(factories.item(admin, tree.north, target), actor=admin)
    with pytest.raises(ValidationError, match="逾期"):
        services.do_escalate(instruction, actor=admin, reason="催办")
    assert referrals == []


@pytest.mark.usefixtures("no_supervision_receiver")
def test_escalation_without_supervision_gives_a_clear_message(tree: Tree, admin: User) -> None:
    target = factories.platform(admin, tree.north)
    item = factories.item(admin, tree.north, target)
    instruction = services.do_instruct(item, actor=admin, now=timezone.now() - dt.timedelta(days=3))
    with pytest.raises(ValidationError, match="监督"):
        services.do_escalate(instruction, actor=admin, reason="逾期未处置")
    instruction.refresh_from_db()
    item.refresh_from_db()
    assert instruction.status == InstructionStatus.PENDING  # nothing changed
    assert item.status == ItemStatus.INSTRUCTED


def test_evidence_is_content_addressed_and_immutable(tree: Tree, admin: User) -> None:
    item = factories.item(admin, tree.north, None)
    row = services.do_add_evidence(item, SimpleUploadedFile("shot.png", PNG, "image/png"), actor=admin)
    again = services.do_add_evidence(item, SimpleUploadedFile("other-name.png", PNG, "image/png"), actor=admin)
    assert row.sha256 == again.sha256
    path = evidence.path_for(row.sha256)
    assert path.read_bytes() == PNG
    assert path.stat().st_mode & 0o222 == 0  # read-only on disk
    row.note = "changed"
    with pytest.raises(ValueError, match="immutable"):
        row.save()


def test_evidence_refuses_wrong_type_and_oversize(tree: Tree, admin: User, settings: Any) -> None:
    item = factories.item(admin, tree.north, None)
    with pytest.raises(ValidationError, match="PNG"):
        services.do_add_evidence(item, SimpleUploadedFile("x.png", b"<script>alert(1)</script>", "image/png"),
                                 actor=admin)
    settings.YOUTHSAFE_EVIDENCE_MAX_BYTES = 32
    with pytest.raises(ValidationError, match="超过"):
        services.do_add_evidence(item, SimpleUploadedFile("big.png", PNG, "image/png"), actor=admin)


def test_altered_evidence_file_is_refused(tree: Tree, admin: User) -> None:
    item = factories.item(admin, tree.north, None)
    row = item.evidence.get()
    path = evidence.path_for(row.sha256)
    path.chmod(0o640)
    path.write_bytes(b"tampered")
    with pytest.raises(OSError, match="altered"):
        services.evidence_for_download(row, actor=admin)
