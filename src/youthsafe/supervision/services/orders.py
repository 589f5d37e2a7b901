"""Rectification orders (责令限期改正): drafted from findings, issued with a number, delivered (the deadline
runs from delivery), the platform's evidence, the re-check, and the refusal recorded as the fact it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.registry.models import Platform
from youthsafe.supervision import config
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import (
    Assessment,
    AssessmentStatus,
    Finding,
    Inspection,
    InspectionStatus,
    RectificationOrder,
    Referral,
)
from youthsafe.supervision.services import files
from youthsafe.supervision.services.common import (
    NAMES,
    PLACED,
    check_upload,
    day_or,
    file_fields,
    place,
    refuse_unless,
    step_ladder,
)
from youthsafe.supervision.services.inspections import take_referral
from youthsafe.supervision.services.interviews import raise_platform, settle_platform
from youthsafe.supervision.services.numbering import next_number

P = Permission
STATES = NAMES[wf.ORDER.name]


def _sources(platform: Platform, chosen: list[Finding], inspection: Inspection | None,
             assessment: Assessment | None) -> None:
    """An order follows from the findings of a signed inspection of the platform or its failed assessment."""
    if inspection is not None:
        if inspection.platform_id != platform.pk:
            raise ValidationError(_("The inspection is of another platform."))
        if inspection.status != InspectionStatus.SIGNED:
            raise ValidationError(_("Orders follow from a signed-off inspection."))
        if any(f.inspection_id != inspection.pk for f in chosen):
            raise ValidationError({"findings": [_("Choose findings of this inspection.")]})
    elif chosen:
        raise ValidationError({"findings": [_("Findings come with their inspection.")]})
    if assessment is not None and assessment.platform_id != platform.pk:
        raise ValidationError(_("The assessment is of another platform."))
    if assessment is not None and assessment.status != AssessmentStatus.FAILED:
        raise ValidationError(_("An order follows only from a failed assessment."))


@kernel.service(P.ORDER_ISSUE, scope=place)
def do_draft_order(platform: Platform, *, actor: User, problems: str, legal_basis: str, requirements: str = "",
                   period_days: int | None = None, inspection: Inspection | None = None,
                   findings: Iterable[Finding] = (), assessment: Assessment | None = None,
                   referral: Referral | None = None, now: dt.datetime | None = None) -> RectificationOrder:
    """Draft an order for ``platform`` from the findings of a signed inspection, a failed assessment or a
    referral. The period defaults to the configured one (YOUTHSAFE_SUPERVISION_RECTIFY_DAYS)."""
    chosen = list(findings)
    _sources(platform, chosen, inspection, assessment)
    days = config.rectify_days() if period_days is None else int(period_days)
    if days <= 0:
        raise ValidationError({"period_days": [_("The rectification period must be at least one day.")]})
    text = kernel.require_text(problems, "problems", _("Name the problems to rectify."))
    basis = kernel.require_text(legal_basis, "legal_basis", _("Give the legal basis."))
    now = kernel.now_or(now)
    order = RectificationOrder.objects.create(
        platform=platform, jurisdiction=platform.jurisdiction, inspection=inspection, assessment=assessment,
        referral=referral, problems=text, legal_basis=basis, requirements=requirements.strip(), period_days=days,
        created_by=actor, created_at=now, stage=wf.R3A if assessment is not None else wf.R3)
    order.findings.set(chosen)
    audit.record(AuditAction.CREATE, actor=actor, obj=order, at=now, after={
        **audit.snapshot(order), "findings": [f.pk for f in chosen]})
    raise_platform(platform, wf.R3, actor=actor, now=now, reason=f"order:{order.pk}")
    if referral is not None:
        take_referral(referral, actor, now, f"order:{order.pk}")
    return order


@kernel.service(P.ORDER_ISSUE, scope=place)
def do_issue(order: RectificationOrder, *, actor: User, issued_on: dt.date | None = None,
             now: dt.datetime | None = None) -> RectificationOrder:
    """Issue the order: it gets its notice number from the configured scheme."""
    now = kernel.now_or(now)
    day = day_or(issued_on, now)
    locked = kernel.lock(order, related=PLACED)
    refuse_unless(locked, wf.ISSUED)
    number = locked.number or next_number("notice", locked.jurisdiction, day.year)
    kernel.transition(locked, wf.ISSUED, actor=actor, now=now, locked=True, names=STATES,
                      changes={"issued_on": day, "number": number})
    return locked


@kernel.service(P.ORDER_ISSUE, scope=place)
def do_deliver(order: RectificationOrder, *, actor: User, delivered_on: dt.date, method: str = "",
               now: dt.datetime | None = None) -> RectificationOrder:
    """Record service on the platform; the deadline is ``period_days`` after delivery."""
    locked = kernel.lock(order, related=PLACED)
    if locked.issued_on and delivered_on < locked.issued_on:
        raise ValidationError({"delivered_on": [_("Delivery cannot precede the issue date.")]})
    deadline = wf.rectification_deadline(delivered_on, locked.period_days)
    kernel.transition(locked, wf.DELIVERED, actor=actor, now=kernel.now_or(now), locked=True, names=STATES,
                      changes={"delivered_on": delivered_on, "delivery_method": method.strip(), "deadline": deadline})
    return locked


@kernel.service(P.ORDER_ISSUE, scope=place)
def do_receive_evidence(order: RectificationOrder, *, actor: User, evidence_on: dt.date, text: str,
                        upload: File[bytes] | None = None, now: dt.datetime | None = None) -> RectificationOrder:
    """The platform's evidence of rectification arrived: a re-check is due."""
    body = kernel.require_text(text, "text", _("Describe the evidence the platform submitted."))
    check_upload(upload)
    kernel.transition(order, wf.EVIDENCE, actor=actor, now=kernel.now_or(now), names=STATES, changes={
        "evidence_on": evidence_on, "evidence_text": body, **file_fields(files.KINDS[files.RECTIFICATION], upload)})
    return order


def recheck_due(order: RectificationOrder) -> dt.date | None:
    if order.deadline is None:
        return None
    return wf.recheck_due(order.deadline, order.evidence_on, config.recheck_working_days())


@kernel.service(P.ORDER_ISSUE, scope=place)
def do_recheck(order: RectificationOrder, *, actor: User, passed: bool, result: str, recheck_on: dt.date,
               now: dt.datetime | None = None) -> RectificationOrder:
    """Re-check (复查): passed closes the order and takes it back to R0 (from R3-R6; a closure R7 or a criminal
    referral R8 is not undone by rectifying, so those stay); failed sends it back to wait on its deadline and
    to R4 when it was not that far yet. Every stage change goes through ``ladder_step``."""
    text = kernel.require_text(result, "result", _("Write the re-check result."))
    now = kernel.now_or(now)
    locked = kernel.lock(order, related=PLACED)
    kernel.transition(locked, wf.RECTIFIED if passed else wf.DELIVERED, actor=actor, now=now, reason=text,
                      locked=True, names=STATES, changes={"recheck_on": recheck_on, "recheck_result": text})
    if passed:
        if wf.LADDER.can(locked.stage, wf.R0):
            step_ladder(locked, wf.R0, actor=actor, now=now, refused=locked.refused, reason=text)
        settle_platform(locked.platform, actor=actor, now=now, reason=f"order:{locked.pk}")
    elif wf.ladder_above(wf.R4, locked.stage):
        step_ladder(locked, wf.R4, actor=actor, now=now, refused=locked.refused, reason=text)
    return locked


@kernel.service(P.ORDER_ISSUE, scope=place)
def do_record_refusal(order: RectificationOrder, *, actor: User, refused_on: dt.date, evidence: str,
                      upload: File[bytes] | None = None, now: dt.datetime | None = None) -> RectificationOrder:
    """Record the refusal to rectify (拒不改正) with its evidence, and optionally the file it is in (kept with its
    SHA-256): every later step of the ladder hinges on it (刑法 Art. 286-1 for R8). An order at R3/R3a moves
    to R4 through ``ladder_step``."""
    text = kernel.require_text(evidence, "evidence",
                               _("Record the evidence of the refusal (what was said, done or not done)."))
    check_upload(upload)
    now = kernel.now_or(now)
    locked = kernel.lock(order, related=PLACED)
    kernel.transition(locked, wf.REFUSED, actor=actor, now=now, reason=text, locked=True, names=STATES, changes={
        "refused_on": refused_on, "refusal_evidence": text, **file_fields(files.KINDS[files.REFUSAL], upload)})
    if wf.ladder_above(wf.R4, locked.stage):
        step_ladder(locked, wf.R4, actor=actor, now=now, refused=True, reason=text)
    return locked


@kernel.service(P.ORDER_ISSUE, scope=place)
def do_withdraw(order: RectificationOrder, *, actor: User, reason: str,
                now: dt.datetime | None = None) -> RectificationOrder:
    text = kernel.require_text(reason, "reason")
    now = kernel.now_or(now)
    kernel.transition(order, wf.WITHDRAWN, actor=actor, now=now, reason=text, names=STATES)
    settle_platform(order.platform, actor=actor, now=now, reason=f"order:{order.pk}")
    return order
