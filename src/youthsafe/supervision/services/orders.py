"""Rectification orders (责令限期改正): drafted from findings, issued with a number, delivered (the deadline
runs from delivery), the platform's evidence, the re-check, and the refusal recorded as the fact it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from youthsafe.core import audit
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
from youthsafe.supervision.services.common import (
    LADDER_ORDER,
    apply,
    authorise,
    check_upload,
    digest,
    lock,
    now_or,
    require_text,
    step_ladder,
    to_validation,
    today_or,
)
from youthsafe.supervision.services.inspections import _take_referral
from youthsafe.supervision.services.interviews import raise_platform, settle_platform
from youthsafe.supervision.services.numbering import next_number

P = Permission


def do_draft_order(platform: Platform, *, actor: User, problems: str, legal_basis: str, requirements: str = "",
                   period_days: int | None = None, inspection: Inspection | None = None,
                   findings: Iterable[Finding] = (), assessment: Assessment | None = None,
                   referral: Referral | None = None, now: dt.datetime | None = None) -> RectificationOrder:
    """Draft an order for ``platform`` from the findings of a signed inspection, a failed assessment or a
    referral. The period defaults to the configured one (YOUTHSAFE_SUPERVISION_RECTIFY_DAYS)."""
    authorise(actor, P.ORDER_ISSUE, platform.jurisdiction)
    chosen = list(findings)
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
    days = config.rectify_days() if period_days is None else int(period_days)
    if days <= 0:
        raise ValidationError({"period_days": [_("The rectification period must be at least one day.")]})
    text = require_text(problems, "problems", _("Name the problems to rectify."))
    basis = require_text(legal_basis, "legal_basis", _("Give the legal basis."))
    now = now_or(now)
    with transaction.atomic():
        order = RectificationOrder.objects.create(
            platform=platform, jurisdiction=platform.jurisdiction, inspection=inspection, assessment=assessment,
            referral=referral, problems=text, legal_basis=basis, requirements=requirements.strip(), period_days=days,
            created_by=actor, created_at=now, stage=wf.R3A if assessment is not None else wf.R3)
        order.findings.set(chosen)
        audit.record(AuditAction.CREATE, actor=actor, obj=order, after={
            **audit.snapshot(order), "findings": [f.pk for f in chosen]})
        raise_platform(platform, wf.R3, actor=actor, now=now, reason=f"order:{order.pk}")
        if referral is not None:
            _take_referral(referral, actor, now, f"order:{order.pk}")
    return order


def do_issue(order: RectificationOrder, *, actor: User, issued_on: dt.date | None = None,
             now: dt.datetime | None = None) -> RectificationOrder:
    """Issue the order: it gets its notice number from the configured scheme."""
    authorise(actor, P.ORDER_ISSUE, order.jurisdiction)
    day = today_or(issued_on)
    with transaction.atomic():
        locked: RectificationOrder = lock(RectificationOrder, order.pk)
        if not wf.ORDER.can(locked.status, wf.ISSUED):
            raise to_validation(wf.InvalidTransition("order", locked.status, wf.ISSUED))
        number = locked.number or next_number("notice", locked.jurisdiction, day.year)
        apply(wf.ORDER, locked, wf.ISSUED, actor=actor, now=now_or(now),
              changes={"issued_on": day, "number": number})
    return locked


def do_deliver(order: RectificationOrder, *, actor: User, delivered_on: dt.date, method: str = "",
               now: dt.datetime | None = None) -> RectificationOrder:
    """Record service on the platform; the deadline is ``period_days`` after delivery."""
    authorise(actor, P.ORDER_ISSUE, order.jurisdiction)
    with transaction.atomic():
        locked: RectificationOrder = lock(RectificationOrder, order.pk)
        if locked.issued_on and delivered_on < locked.issued_on:
            raise ValidationError({"delivered_on": [_("Delivery cannot precede the issue date.")]})
        deadline = wf.rectification_deadline(delivered_on, locked.period_days)
        apply(wf.ORDER, locked, wf.DELIVERED, actor=actor, now=now_or(now),
              changes={"delivered_on": delivered_on, "delivery_method": method.strip(), "deadline": deadline})
    return locked


def do_receive_evidence(order: RectificationOrder, *, actor: User, evidence_on: dt.date, text: str,
                        upload: File[bytes] | None = None, now: dt.datetime | None = None) -> RectificationOrder:
    """The platform's evidence of rectification arrived: a re-check is due."""
    authorise(actor, P.ORDER_ISSUE, order.jurisdiction)
    body = require_text(text, "text", _("Describe the evidence the platform submitted."))
    check_upload(upload)
    with transaction.atomic():
        locked: RectificationOrder = lock(RectificationOrder, order.pk)
        changes: dict[str, object] = {"evidence_on": evidence_on, "evidence_text": body}
        if upload is not None:
            changes.update(evidence_sha256=digest(upload), evidence_file_name=(upload.name or "file")[:200],
                           evidence_file=upload)
        apply(wf.ORDER, locked, wf.EVIDENCE, actor=actor, now=now_or(now), changes=changes)
    return locked


def recheck_due(order: RectificationOrder) -> dt.date | None:
    if order.deadline is None:
        return None
    return wf.recheck_due(order.deadline, order.evidence_on, config.recheck_working_days())


def do_recheck(order: RectificationOrder, *, actor: User, passed: bool, result: str, recheck_on: dt.date,
               now: dt.datetime | None = None) -> RectificationOrder:
    """Re-check (复查): passed closes the order and takes it back to R0 (from R3-R6; a closure R7 or a criminal
    referral R8 is not undone by rectifying, so those stay); failed sends it back to wait on its deadline and
    to R4 when it was not that far yet. Every stage change goes through ``ladder_step``."""
    authorise(actor, P.ORDER_ISSUE, order.jurisdiction)
    text = require_text(result, "result", _("Write the re-check result."))
    now = now_or(now)
    with transaction.atomic():
        locked: RectificationOrder = lock(RectificationOrder, order.pk)
        target = wf.RECTIFIED if passed else wf.DELIVERED
        apply(wf.ORDER, locked, target, actor=actor, now=now, reason=text,
              changes={"recheck_on": recheck_on, "recheck_result": text})
        if passed:
            if wf.LADDER.can(locked.stage, wf.R0):
                step_ladder(locked, wf.R0, machine=LADDER_ORDER, actor=actor, now=now, refused=locked.refused,
                            reason=text)
            settle_platform(locked.platform, actor=actor, now=now, reason=f"order:{locked.pk}")
        elif wf.ladder_above(wf.R4, locked.stage):
            step_ladder(locked, wf.R4, machine=LADDER_ORDER, actor=actor, now=now, refused=locked.refused,
                        reason=text)
    return locked


def do_record_refusal(order: RectificationOrder, *, actor: User, refused_on: dt.date, evidence: str,
                      upload: File[bytes] | None = None, now: dt.datetime | None = None) -> RectificationOrder:
    """Record the refusal to rectify (拒不改正) with its evidence, and optionally the file it is in (kept with its
    SHA-256): every later step of the ladder hinges on it (刑法 Art. 286-1 for R8). An order at R3/R3a moves
    to R4 through ``ladder_step``."""
    authorise(actor, P.ORDER_ISSUE, order.jurisdiction)
    text = require_text(evidence, "evidence",
                        _("Record the evidence of the refusal (what was said, done or not done)."))
    check_upload(upload)
    now = now_or(now)
    with transaction.atomic():
        locked: RectificationOrder = lock(RectificationOrder, order.pk)
        changes: dict[str, object] = {"refused_on": refused_on, "refusal_evidence": text}
        if upload is not None:
            changes.update(refusal_sha256=digest(upload), refusal_file_name=(upload.name or "file")[:200],
                           refusal_file=upload)
        apply(wf.ORDER, locked, wf.REFUSED, actor=actor, now=now, reason=text, changes=changes)
        if wf.ladder_above(wf.R4, locked.stage):
            step_ladder(locked, wf.R4, machine=LADDER_ORDER, actor=actor, now=now, refused=True, reason=text)
    return locked


def do_withdraw(order: RectificationOrder, *, actor: User, reason: str,
                now: dt.datetime | None = None) -> RectificationOrder:
    authorise(actor, P.ORDER_ISSUE, order.jurisdiction)
    text = require_text(reason, "reason")
    with transaction.atomic():
        locked: RectificationOrder = lock(RectificationOrder, order.pk)
        apply(wf.ORDER, locked, wf.WITHDRAWN, actor=actor, now=now_or(now), reason=text)
        settle_platform(locked.platform, actor=actor, now=now_or(now), reason=f"order:{locked.pk}")
    return locked
