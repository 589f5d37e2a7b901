"""Sanctions on a rectification order: proposed with the findings that justify them, approved by another
person who holds ``sanction:approve`` in the sanction's jurisdiction (four eyes), then carried out and, for a
disconnection or suspension, lifted at reconnection. A criminal referral (R8, the top of the ladder) is decided,
and its approval revoked, only by holders of ``sanction:approve_referral`` as well. Each step moves the order
along the ladder (R5-R8 need the recorded refusal or serious circumstances; R8 needs the refusal)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.registry.models import Platform, PlatformStatus
from youthsafe.supervision import config
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import Finding, OrderStatus, RectificationOrder, Sanction, SanctionKind
from youthsafe.supervision.services.common import NAMES, PLACED, day_or, place, step_ladder
from youthsafe.supervision.services.numbering import next_number

P = Permission
K = SanctionKind
STATES = NAMES[wf.SANCTION.name]
# What carrying out a sanction does to the platform's status in the registry (and lifting undoes).
_PLATFORM_STATUS = {K.SUSPENSION: PlatformStatus.SUSPENDED, K.DISCONNECTION: PlatformStatus.DISCONNECTED,
                    K.WEBSITE_SHUTDOWN: PlatformStatus.CLOSED}


def _validate_terms(kind: str, data: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0912  (one check per kind)
    errors: dict[str, list[str]] = {}
    terms: dict[str, Any] = {}
    if kind == K.FINE:
        amount = data.get("amount")
        if amount is None or Decimal(str(amount)) <= 0:
            errors["amount"] = [_("Give the amount of the fine.")]
        else:
            terms["amount"] = Decimal(str(amount))
    if kind in wf.TIMED_KINDS:
        start, end = data.get("start_date"), data.get("end_date")
        if start is None:
            errors["start_date"] = [_("Give the start date.")]
        else:
            try:
                terms["end_date"] = wf.disconnection_end(start, end, config.disconnect_max_months())
                terms["start_date"] = start
            except ValueError:
                errors["end_date"] = [_("Give an end date after the start and at most %(n)d months later.") % {
                    "n": config.disconnect_max_months()}]
    if kind == K.APP_REMOVAL:
        for field, message in (("app_store", _("Name the app store.")),
                               ("app_id", _("Give the app's id in the store."))):
            if not str(data.get(field) or "").strip():
                errors[field] = [message]
            terms[field] = str(data.get(field) or "").strip()
    if kind == K.WEBSITE_SHUTDOWN:
        if not str(data.get("website") or "").strip():
            errors["website"] = [_("Give the website to shut down.")]
        terms["website"] = str(data.get("website") or "").strip()
    if kind == K.CRIMINAL_REFERRAL:
        if not str(data.get("receiving_organ") or "").strip():
            errors["receiving_organ"] = [_("Name the organ the case is referred to.")]
        terms["receiving_organ"] = str(data.get("receiving_organ") or "").strip()
    if errors:
        raise ValidationError(errors)
    return terms


def _check_proposal(order: RectificationOrder, kind: str, serious: bool, chosen: list[Finding]) -> None:
    if kind not in K.values:
        raise ValidationError({"kind": [_("Choose a sanction.")]})
    if order.status in {OrderStatus.DRAFT, OrderStatus.WITHDRAWN}:
        raise ValidationError(_("Sanctions follow an issued order."))
    if not wf.sanction_allowed(kind, refused=order.refused, serious=serious):
        if wf.SANCTION_STAGE[kind] in wf.NEEDS_REFUSAL:
            raise ValidationError(_("A criminal referral needs the platform's refusal to rectify on record."))
        raise ValidationError(_("This sanction needs the refusal to rectify on record, or serious circumstances."))
    allowed = set(order.findings.values_list("pk", flat=True))
    if any(f.pk not in allowed for f in chosen):
        raise ValidationError({"findings": [_("Choose findings of this order.")]})


@kernel.service(P.SANCTION_PROPOSE, scope=place)
def do_propose(order: RectificationOrder, *, actor: User, kind: str, statute: str, reason: str, serious: bool = False,
               findings: Iterable[Finding] | None = None, now: dt.datetime | None = None,
               **terms: Any) -> Sanction:
    """Propose a sanction on an issued order, linked to the findings that justify it."""
    chosen = list(findings) if findings is not None else list(order.findings.all())
    _check_proposal(order, kind, serious, chosen)
    statute_text = kernel.require_text(statute, "statute", _("Give the statute."))
    reason_text = kernel.require_text(reason, "reason", _("Give the reasons."))
    valid = _validate_terms(kind, terms)
    now = kernel.now_or(now)
    sanction = Sanction.objects.create(
        order=order, platform=order.platform, jurisdiction=order.jurisdiction, kind=kind, statute=statute_text,
        reason=reason_text, serious=serious, proposed_by=actor, proposed_at=now, **valid)
    sanction.findings.set(chosen)
    audit.record(AuditAction.CREATE, actor=actor, obj=sanction, at=now,
                 after={**audit.snapshot(sanction), "findings": [f.pk for f in chosen]})
    return sanction


def _approver(sanction: Sanction, *args: Any, actor: User, **kwargs: Any) -> None:
    """For a criminal referral also ``sanction:approve_referral`` (kept apart so that granting
    ``sanction:approve`` never grants it)."""
    if sanction.kind == K.CRIMINAL_REFERRAL and not actor.has_perm_name(P.SANCTION_APPROVE_REFERRAL):
        raise PermissionDenied(_("Only a holder of the authority to decide criminal referrals may decide on this "
                                 "one."))


def _decider(sanction: Sanction, *args: Any, actor: User, **kwargs: Any) -> None:
    """An approver, and never the sanction's proposer (four eyes)."""
    _approver(sanction, actor=actor)
    if sanction.proposed_by_id == actor.pk:
        raise PermissionDenied(_("The person who proposed a sanction cannot decide on it."))


@kernel.service(P.SANCTION_APPROVE, scope=place, check=_decider)
def do_approve(sanction: Sanction, *, actor: User, note: str = "", now: dt.datetime | None = None) -> Sanction:
    now = kernel.now_or(now)
    locked = kernel.lock(sanction, related=PLACED)
    order = kernel.lock(locked.order, related=PLACED)
    target = wf.SANCTION_STAGE[locked.kind]
    if wf.ladder_above(target, order.stage):
        if not wf.LADDER.can(order.stage, target):
            raise ValidationError(_("The order is at stage %(stage)s: this sanction cannot follow yet.")
                                  % {"stage": order.stage})
        step_ladder(order, target, actor=actor, now=now, refused=order.refused, serious=locked.serious,
                    reason=f"sanction:{locked.pk}")
    number = locked.number or next_number("sanction", locked.jurisdiction, now.year)
    kernel.transition(locked, wf.APPROVED, actor=actor, now=now, reason=note.strip(), locked=True, names=STATES,
                      changes={"decided_by": actor, "decided_at": now, "decision_note": note.strip(),
                               "number": number})
    return locked


@kernel.service(P.SANCTION_APPROVE, scope=place, check=_decider)
def do_reject(sanction: Sanction, *, actor: User, note: str, now: dt.datetime | None = None) -> Sanction:
    text = kernel.require_text(note, "note", _("Give the reason for rejecting."))
    now = kernel.now_or(now)
    kernel.transition(sanction, wf.REJECTED, actor=actor, now=now, reason=text, names=STATES,
                      changes={"decided_by": actor, "decided_at": now, "decision_note": text})
    return sanction


@kernel.service(P.SANCTION_APPROVE, scope=place, check=_approver)
def do_revoke(sanction: Sanction, *, actor: User, note: str, now: dt.datetime | None = None) -> Sanction:
    text = kernel.require_text(note, "note")
    kernel.transition(sanction, wf.REVOKED, actor=actor, now=kernel.now_or(now), reason=text, names=STATES)
    return sanction


@kernel.service(P.SANCTION_PROPOSE, scope=place)
def do_withdraw(sanction: Sanction, *, actor: User, note: str, now: dt.datetime | None = None) -> Sanction:
    text = kernel.require_text(note, "note")
    kernel.transition(sanction, wf.WITHDRAWN, actor=actor, now=kernel.now_or(now), reason=text, names=STATES)
    return sanction


def _set_platform_status(platform: Platform, status: str, actor: User, reason: str, now: dt.datetime) -> None:
    before = platform.status
    if before == status:
        return
    Platform.objects.filter(pk=platform.pk).update(status=status)
    audit.record(AuditAction.CHANGE, actor=actor, obj=platform, before={"status": before}, after={"status": status},
                 reason=reason, at=now)


@kernel.service(P.SANCTION_PROPOSE, scope=place)
def do_carry_out(sanction: Sanction, *, actor: User, on: dt.date | None = None, note: str = "",
                 now: dt.datetime | None = None) -> Sanction:
    """Record that an approved sanction was carried out (site shut, app removed, disconnection started). A
    disconnection or suspension cannot start after its approved end date: the decision covers that period only
    (MPS measures Arts. 20-21: at most 6 months), so a later start needs a new decision."""
    now = kernel.now_or(now)
    day = day_or(on, now)
    locked = kernel.lock(sanction, related=PLACED)
    if locked.kind in wf.TIMED_KINDS and locked.end_date is not None and day > locked.end_date:
        raise ValidationError({"on": [_("The sanction ended on %(end)s: it cannot be carried out after that; "
                                        "propose a new one.") % {"end": locked.end_date.isoformat()}]})
    kernel.transition(locked, wf.IN_EFFECT, actor=actor, now=now, reason=note.strip(), locked=True, names=STATES,
                      changes={"carried_out_on": day})
    if locked.kind in _PLATFORM_STATUS:
        _set_platform_status(locked.platform, _PLATFORM_STATUS[K(locked.kind)], actor, f"sanction:{locked.pk}", now)
    return locked


@kernel.service(P.SANCTION_PROPOSE, scope=place)
def do_lift(sanction: Sanction, *, actor: User, on: dt.date | None = None, note: str = "",
            now: dt.datetime | None = None) -> Sanction:
    """End a disconnection or suspension (reconnection)."""
    if sanction.kind not in wf.TIMED_KINDS:
        raise ValidationError(_("Only a disconnection or a suspension is lifted."))
    now = kernel.now_or(now)
    day = day_or(on, now)
    locked = kernel.lock(sanction, related=PLACED)
    if locked.carried_out_on and day < locked.carried_out_on:
        raise ValidationError({"on": [_("Reconnection cannot precede the start.")]})
    kernel.transition(locked, wf.LIFTED, actor=actor, now=now, reason=note.strip(), locked=True, names=STATES,
                      changes={"lifted_on": day})
    _set_platform_status(locked.platform, PlatformStatus.UNDER_RECTIFICATION, actor, f"sanction:{locked.pk}", now)
    return locked
