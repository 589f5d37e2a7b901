"""Takedown instructions: the platform is told to remove (tier A/C) or label (tier B only) an item by a
deadline, its confirmation is recorded, a person verifies the result, and an instruction the platform ignored
is escalated to supervision. Each step moves the instruction and its item through their machines
(``kernel.transition``: history row and audit row for both, in the service's transaction)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from youthsafe.content import config, workflow
from youthsafe.content.models import ContentItem, TakedownInstruction
from youthsafe.content.services.common import ITEM_NAMES, instruction_place, item_place
from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, User
from youthsafe.core.referrals import NoReceiverError, ReferralRequest, request_referral
from youthsafe.core.roles import Permission
from youthsafe.registry.models import Platform


def item_url(item: ContentItem) -> str:
    return reverse("content:item_detail", args=[item.pk])


def _locked(instruction: TakedownInstruction, target: str, refusal: str) -> TakedownInstruction:
    """The instruction's row, locked, when it may move to ``target``; the step's own refusal otherwise."""
    locked = kernel.lock(instruction, related=("item__jurisdiction", "platform"))
    if not workflow.INSTRUCTION.can(locked.status, target):
        raise ValidationError(refusal)
    return locked


@kernel.service(Permission.CONTENT_HANDLE, scope=item_place)
def do_instruct(item: ContentItem, *, actor: User, note: str = "", platform: Platform | None = None,
                now: dt.datetime | None = None) -> TakedownInstruction:
    """Instruct the platform to remove the item (tier A/C) or to label it (tier B only) by a deadline."""
    now = kernel.now_or(now)
    target = platform or item.platform
    if target is None:
        raise ValidationError({"platform": [_("Choose the platform that must act.")]})
    changes = {} if item.platform_id else {"platform": target}
    kernel.transition(item, workflow.INSTRUCTED, actor=actor, now=now, changes=changes, names=ITEM_NAMES)
    action = workflow.action_for(item.categories)
    instruction = TakedownInstruction.objects.create(
        item=item, platform=target, action=action, issued_at=now, issued_by=actor, note=note,
        deadline=workflow.deadline(now, action, remove_hours=config.remove_hours(),
                                   label_hours=config.label_hours()))
    audit.record(AuditAction.CREATE, actor=actor, obj=instruction, jurisdiction=item.jurisdiction,
                 after=audit.snapshot(instruction, ["item", "platform", "action", "deadline"]), reason=note, at=now)
    return instruction


@kernel.service(Permission.CONTENT_HANDLE, scope=instruction_place)
def do_confirm(instruction: TakedownInstruction, *, actor: User, confirmation: str,
               confirmed_at: dt.datetime | None = None, now: dt.datetime | None = None) -> TakedownInstruction:
    """Record the platform's confirmation (what it did and when)."""
    confirmation = kernel.require_text(confirmation, "confirmation", _("Record what the platform confirmed."))
    now = kernel.now_or(now)
    confirmed_at = confirmed_at or now
    if confirmed_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"confirmed_at": [_("The confirmation time is in the future.")]})
    instruction = _locked(instruction, workflow.I_CONFIRMED, _("This instruction is not awaiting the platform."))
    kernel.transition(instruction.item, workflow.CONFIRMED, actor=actor, now=now, reason=confirmation,
                      names=ITEM_NAMES)
    kernel.transition(instruction, workflow.I_CONFIRMED, actor=actor, now=now, reason=confirmation, locked=True,
                      changes={"confirmed_at": confirmed_at, "confirmation": confirmation})
    return instruction


@kernel.service(Permission.CONTENT_HANDLE, scope=instruction_place)
def do_verify(instruction: TakedownInstruction, *, actor: User, done: bool, note: str,
              now: dt.datetime | None = None) -> TakedownInstruction:
    """A person checks the location: gone (or labelled) → the item is handled; still there → back to recorded
    for a new instruction."""
    note = kernel.require_text(note, "note", _("Say how it was checked."))
    now = kernel.now_or(now)
    instruction = _locked(instruction, workflow.I_VERIFIED, _("Only a confirmed instruction can be verified."))
    if done:
        kernel.transition(instruction.item, workflow.HANDLED, actor=actor, now=now, reason=note, names=ITEM_NAMES,
                          changes={"handled_at": now, "handling": instruction.action})
    else:
        kernel.transition(instruction.item, workflow.RECORDED, actor=actor, now=now, reason=note, names=ITEM_NAMES)
    kernel.transition(instruction, workflow.I_VERIFIED if done else workflow.I_FAILED, actor=actor, now=now,
                      reason=note, locked=True,
                      changes={"verified_at": now, "verified_by": actor, "verification": note})
    return instruction


@kernel.service(Permission.CONTENT_HANDLE, scope=instruction_place)
def do_escalate(instruction: TakedownInstruction, *, actor: User, reason: str,
                now: dt.datetime | None = None) -> TakedownInstruction:
    """Hand an ignored instruction (pending past its deadline) to supervision. Raises ValidationError when
    the instruction is not overdue or when no supervision module receives referrals."""
    reason = kernel.require_text(reason, "reason", _("Say why the platform's handling needs supervision."))
    now = kernel.now_or(now)
    instruction = kernel.lock(instruction, related=("item__jurisdiction", "platform"))
    clock = workflow.InstructionClock(instruction.status, instruction.deadline, instruction.confirmed_at)
    if not workflow.may_escalate(clock, now):
        raise ValidationError(_("Only an instruction the platform ignored past its deadline is escalated."))
    kernel.transition(instruction.item, workflow.ESCALATED, actor=actor, now=now, reason=reason, names=ITEM_NAMES)
    references = _refer(instruction, actor=actor, reason=reason)
    kernel.transition(instruction, workflow.I_ESCALATED, actor=actor, now=now, reason=reason, locked=True,
                      changes={"escalated_at": now, "escalation_reference": ", ".join(references)[:200]})
    return instruction


def _refer(instruction: TakedownInstruction, *, actor: User, reason: str) -> list[str]:
    """File the referral to supervision in this transaction (an inspection of the platform); its references."""
    item = instruction.item
    referral = ReferralRequest(
        platform_id=instruction.platform_id, kind="inspection", reason=reason,
        source_label=f"有害信息 {item.reference}", source_url=item_url(item),
        jurisdiction_id=instruction.platform.jurisdiction_id)
    try:
        return request_referral(referral, actor=actor)
    except NoReceiverError as exc:
        raise ValidationError(_("The supervision module is not installed, so nothing can receive the "
                                "escalation. Contact the platform directly and record the outcome.")) from exc
