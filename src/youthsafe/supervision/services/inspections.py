"""Inspection plans, the due/overdue calendar and inspections (checklist, evidence, findings, sign-off)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, Jurisdiction, StatusChange, User
from youthsafe.core.roles import Permission
from youthsafe.registry.controls import CONTROLS, CONTROLS_BY_ID, Control
from youthsafe.registry.models import Platform, PlatformKind
from youthsafe.supervision import config
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import (
    ChecklistItem,
    Evidence,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    ItemResult,
    OrderStatus,
    RectificationOrder,
    Referral,
    ReferralStatus,
    Severity,
)
from youthsafe.supervision.services import files
from youthsafe.supervision.services.common import NAMES, PLACED, check_upload, file_fields, place, refuse_unless
from youthsafe.supervision.services.numbering import next_number

P = Permission
STATES = NAMES[wf.INSPECTION.name]
PLAN_FIELDS = ("name", "jurisdiction", "kind", "risk", "interval_months", "start_date", "joint_department")


def _plan_place(*args: Any, data: dict[str, Any], **kwargs: Any) -> Jurisdiction | None:
    place_of_plan: Jurisdiction | None = data.get("jurisdiction")
    return place_of_plan


@kernel.service(P.INSPECTION_PLAN, scope=_plan_place)
def do_create_plan(*, actor: User, data: dict[str, Any], now: dt.datetime | None = None) -> InspectionPlan:
    """A periodic schedule (e.g. education platforms every quarter) for a jurisdiction subtree."""
    plan = InspectionPlan(created_by=actor, **{k: data[k] for k in PLAN_FIELDS if k in data})
    plan.full_clean()
    if plan.interval_months <= 0:
        raise ValidationError({"interval_months": [_("At least one month.")]})
    plan.save()
    audit.record(AuditAction.CREATE, actor=actor, obj=plan, after=audit.snapshot(plan), at=kernel.now_or(now))
    return plan


@dataclass(frozen=True)
class Due:
    plan: InspectionPlan
    platform: Platform
    last_inspected: dt.date | None
    due: dt.date
    state: str  # workflow.DUE_OK / DUE_SOON / DUE_OVERDUE
    risk: str


def _risks(platforms: QuerySet[Platform]) -> dict[int, str]:
    high, medium = config.risk_thresholds()
    open_orders = dict(RectificationOrder.objects.filter(platform__in=platforms, status__in=wf.ORDER_OPEN)
                       .values_list("platform").annotate(n=Count("id")).values_list("platform", "n"))
    return {p.pk: wf.platform_risk(p.minor_users, public_opinion=p.public_opinion, open_orders=open_orders.get(p.pk, 0),
                                   high_minors=high, medium_minors=medium) for p in platforms}


def plan_platforms(plan: InspectionPlan) -> QuerySet[Platform]:
    qs = Platform.objects.filter(jurisdiction__path__startswith=plan.jurisdiction.path).exclude(status="closed")
    if plan.kind:
        qs = qs.filter(kind=plan.kind)
    return qs.order_by("name", "id")


def calendar(plans: QuerySet[InspectionPlan], today: dt.date) -> list[Due]:
    """Every platform under every active plan with its next due date, overdue first, then by date."""
    rows: list[Due] = []
    soon = config.due_soon_days()
    for plan in plans.filter(active=True).select_related("jurisdiction"):
        platforms = plan_platforms(plan)
        risks = _risks(platforms)
        last = dict(Inspection.objects.filter(platform__in=platforms, status=InspectionStatus.SIGNED)
                    .values_list("platform").annotate(d=Max("inspected_on")).values_list("platform", "d"))
        for platform in platforms:
            if plan.risk and risks[platform.pk] != plan.risk:
                continue
            due = wf.next_inspection_due(last.get(platform.pk), plan.start_date, plan.interval_months)
            rows.append(Due(plan, platform, last.get(platform.pk), due, wf.schedule_state(due, today, soon),
                            risks[platform.pk]))
    order = {wf.DUE_OVERDUE: 0, wf.DUE_SOON: 1, wf.DUE_OK: 2}
    rows.sort(key=lambda r: (order[r.state], r.due, r.platform.name))
    return rows


def checklist_item(inspection: Inspection, control: Control, kind: str) -> ChecklistItem:
    """A new checklist row: unchecked, or pre-marked not applicable (with the reason) when the control is
    limited to other kinds of platform; the inspector may still record it otherwise."""
    if control.applies_to(kind):
        return ChecklistItem(inspection=inspection, control_id=control.id)
    return ChecklistItem(inspection=inspection, control_id=control.id, result=ItemResult.NOT_APPLICABLE,
                         note=not_applicable_note(control))


def not_applicable_note(control: Control) -> str:
    kinds = dict(PlatformKind.choices)
    return _("Applies only to: %(kinds)s.") % {"kinds": ", ".join(str(kinds.get(k, k)) for k in sorted(control.kinds))}


@kernel.service(P.INSPECTION_CONDUCT, scope=place)
def do_create_inspection(platform: Platform, *, actor: User, inspected_on: dt.date, plan: InspectionPlan | None = None,
                         joint_department: str = "", inspectors: str = "", referral: Referral | None = None,
                         now: dt.datetime | None = None) -> Inspection:
    """Open an inspection of ``platform`` with the full checklist of the registry's control catalogue; controls
    limited to other kinds of platform are pre-marked not applicable."""
    now = kernel.now_or(now)
    inspection = Inspection.objects.create(
        platform=platform, jurisdiction=platform.jurisdiction, plan=plan, referral=referral,
        inspected_on=inspected_on, joint_department=joint_department or (plan.joint_department if plan else ""),
        inspectors=inspectors or str(actor), created_by=actor)
    ChecklistItem.objects.bulk_create([checklist_item(inspection, c, platform.kind) for c in CONTROLS])
    audit.record(AuditAction.CREATE, actor=actor, obj=inspection, at=now, after={
        **audit.snapshot(inspection),
        "not_applicable": [c.id for c in CONTROLS if not c.applies_to(platform.kind)]})
    if referral is not None:
        take_referral(referral, actor, now, f"inspection:{inspection.pk}")
    return inspection


def take_referral(referral: Referral, actor: User, now: dt.datetime, note: str) -> None:
    """The referral is taken up by the inspection or order ``note`` names (part of opening that record)."""
    locked = kernel.lock(referral)
    if locked.status != ReferralStatus.OPEN:
        raise ValidationError(_("This referral was already decided."))
    kernel.transition(locked, wf.TAKEN, actor=actor, now=now, reason=note, locked=True, names=NAMES[wf.REFERRAL.name],
                      changes={"decided_by": actor, "decided_at": now, "decision_note": note})


@kernel.service(P.INSPECTION_CONDUCT, scope=place)
def do_start(inspection: Inspection, *, actor: User, now: dt.datetime | None = None) -> Inspection:
    kernel.transition(inspection, wf.IN_PROGRESS, actor=actor, now=kernel.now_or(now), names=STATES)
    return inspection


def _editable(inspection: Inspection, actor: User, now: dt.datetime) -> Inspection:
    """The inspection, locked, in progress (a planned one starts with its first recorded step)."""
    locked = kernel.lock(inspection, related=PLACED)
    if locked.status == InspectionStatus.PLANNED:
        kernel.transition(locked, wf.IN_PROGRESS, actor=actor, now=now, locked=True, names=STATES)
    if locked.status != InspectionStatus.IN_PROGRESS:
        raise ValidationError(_("Only an inspection in progress can be changed."))
    return locked


def _check_item(control_id: str, result: str, note: str, severity: str) -> Control:
    if result not in ItemResult.values or result == ItemResult.UNCHECKED:
        raise ValidationError({"result": [_("Choose passed, failed or not applicable.")]})
    control = CONTROLS_BY_ID.get(control_id)
    if control is None:
        raise ValidationError(_("No such checklist item."))
    if result == ItemResult.FAILED:
        kernel.require_text(note, "note", _("Describe what failed."))
        if severity not in Severity.values:
            raise ValidationError({"severity": [_("Choose the severity of the finding.")]})
    return control


@kernel.service(P.INSPECTION_CONDUCT, scope=place)
def do_record_item(inspection: Inspection, control_id: str, *, actor: User, result: str, note: str = "",
                   severity: str = "", now: dt.datetime | None = None) -> ChecklistItem:
    """Record one checklist item. A failed item needs a note and a severity; it becomes (or updates) a finding."""
    control = _check_item(control_id, result, note, severity)
    now = kernel.now_or(now)
    _editable(inspection, actor, now)
    item = ChecklistItem.objects.select_for_update(no_key=True).get(inspection=inspection, control_id=control_id)
    before = audit.snapshot(item, ["result", "note"])
    item.result, item.note, item.checked_by, item.checked_at = result, note.strip(), actor, now
    item.save()
    linked = Finding.objects.filter(item=item)
    if result == ItemResult.FAILED:
        if not linked.update(severity=severity, description=note.strip()):
            Finding.objects.create(inspection=inspection, item=item, severity=severity, description=note.strip(),
                                   legal_basis=control.basis, created_by=actor, created_at=now)
    else:
        linked.delete()  # the item passed after all: its finding goes (the audit row keeps the history)
    audit.record(AuditAction.CHANGE, actor=actor, obj=inspection, object_repr=f"{inspection} {control_id}",
                 before=before, after=audit.snapshot(item, ["result", "note"]), at=now)
    return item


@kernel.service(P.INSPECTION_CONDUCT, scope=place)
def do_pass_unchecked(inspection: Inspection, *, actor: User, note: str = "",
                      now: dt.datetime | None = None) -> int:
    """Record every item not checked yet as passed (the inspector has gone through them), in one step with
    one audit row listing the items. Returns how many items it recorded."""
    now = kernel.now_or(now)
    _editable(inspection, actor, now)
    items = ChecklistItem.objects.select_for_update(no_key=True).filter(inspection=inspection,
                                                                        result=ItemResult.UNCHECKED)
    ids = list(items.values_list("control_id", flat=True))
    ChecklistItem.objects.filter(inspection=inspection, control_id__in=ids).update(
        result=ItemResult.PASSED, note=note.strip(), checked_by=actor, checked_at=now)
    if ids:
        audit.record(AuditAction.CHANGE, actor=actor, obj=inspection, object_repr=f"{inspection} checklist",
                     after={"passed": ids}, at=now)
    return len(ids)


def _item_place(item: ChecklistItem, *args: Any, **kwargs: Any) -> Jurisdiction:
    return item.inspection.jurisdiction


@kernel.service(P.INSPECTION_CONDUCT, scope=_item_place)
def do_add_evidence(item: ChecklistItem, *, actor: User, upload: File[bytes] | None = None, note: str = "",
                    now: dt.datetime | None = None) -> Evidence:
    inspection = item.inspection
    if upload is None and not note.strip():
        raise ValidationError(_("Attach a file or write a note."))
    check_upload(upload)
    now = kernel.now_or(now)
    _editable(inspection, actor, now)
    evidence = Evidence.objects.create(item=item, note=note.strip(), added_by=actor, added_at=now,
                                       **file_fields(files.KINDS[files.EVIDENCE], upload))
    audit.record(AuditAction.CREATE, actor=actor, obj=inspection, object_repr=f"{inspection} evidence", at=now,
                 after={"item": item.control_id, "file": evidence.name, "sha256": evidence.sha256,
                        "note": evidence.note})
    return evidence


@kernel.service(P.INSPECTION_CONDUCT, scope=place)
def do_add_finding(inspection: Inspection, *, actor: User, severity: str, description: str, legal_basis: str = "",
                   now: dt.datetime | None = None) -> Finding:
    text = kernel.require_text(description, "description", _("Fill in this field."))
    if severity not in Severity.values:
        raise ValidationError({"severity": [_("Choose the severity of the finding.")]})
    now = kernel.now_or(now)
    _editable(inspection, actor, now)
    finding = Finding.objects.create(inspection=inspection, severity=severity, description=text,
                                     legal_basis=legal_basis.strip(), created_by=actor, created_at=now)
    audit.record(AuditAction.CREATE, actor=actor, obj=finding, jurisdiction=inspection.jurisdiction,
                 after=audit.snapshot(finding), at=now)
    return finding


@kernel.service(P.INSPECTION_CONDUCT, scope=place)
def do_complete(inspection: Inspection, *, actor: User, summary: str, now: dt.datetime | None = None) -> Inspection:
    """Checklist done: every item answered, the result written; it waits for the signature."""
    text = kernel.require_text(summary, "summary", _("Write the result of the inspection."))
    locked = kernel.lock(inspection, related=PLACED)
    open_items = locked.items.filter(result=ItemResult.UNCHECKED).count()
    if open_items:
        raise ValidationError(_("%(n)d checklist items are not checked yet.") % {"n": open_items})
    kernel.transition(locked, wf.COMPLETED, actor=actor, now=kernel.now_or(now), locked=True, names=STATES,
                      changes={"summary": text})
    return locked


def took_part(inspection: Inspection, user: User) -> bool:
    """Whether ``user`` conducted ``inspection``: opened it, started it, recorded a checklist item, added a
    finding or evidence, or submitted it for signature (one query). Sending it back for correction is the
    signer's step, not taking part."""
    here = OuterRef("pk")
    steps = StatusChange.objects.filter(machine=wf.INSPECTION.name, object_id=here, actor=user).filter(
        Q(from_status=wf.PLANNED, to_status=wf.IN_PROGRESS) | Q(to_status=wf.COMPLETED))
    return Inspection.objects.filter(pk=inspection.pk).filter(
        Q(created_by=user)
        | Exists(ChecklistItem.objects.filter(inspection=here, checked_by=user))
        | Exists(Finding.objects.filter(inspection=here, created_by=user))
        | Exists(Evidence.objects.filter(item__inspection=here, added_by=user))
        | Exists(steps)).exists()


@kernel.service(P.INSPECTION_SIGN, scope=place)
def do_sign(inspection: Inspection, *, actor: User, now: dt.datetime | None = None) -> Inspection:
    """Sign off the result (a leader): the record gets its number and becomes final. Four eyes: whoever took
    part in the inspection cannot sign it (an administrator holds both rights; another person signs)."""
    now = kernel.now_or(now)
    locked = kernel.lock(inspection, related=PLACED)
    refuse_unless(locked, wf.SIGNED)
    if took_part(locked, actor):
        raise ValidationError(_("You took part in this inspection, so you cannot sign it: another person with "
                                "the right to sign must do so."))
    number = locked.number or next_number("record", locked.jurisdiction, locked.inspected_on.year)
    kernel.transition(locked, wf.SIGNED, actor=actor, now=now, locked=True, names=STATES,
                      changes={"signed_by": actor, "signed_at": now, "number": number})
    return locked


@kernel.service(P.INSPECTION_SIGN, scope=place)
def do_return(inspection: Inspection, *, actor: User, reason: str, now: dt.datetime | None = None) -> Inspection:
    """The signer sends an inspection back for correction."""
    text = kernel.require_text(reason, "reason")
    kernel.transition(inspection, wf.IN_PROGRESS, actor=actor, now=kernel.now_or(now), reason=text, names=STATES)
    return inspection


@kernel.service(P.INSPECTION_CONDUCT, scope=place)
def do_cancel(inspection: Inspection, *, actor: User, reason: str, now: dt.datetime | None = None) -> Inspection:
    text = kernel.require_text(reason, "reason")
    kernel.transition(inspection, wf.CANCELLED, actor=actor, now=kernel.now_or(now), reason=text, names=STATES)
    return inspection


def open_findings(inspection: Inspection) -> QuerySet[Finding]:
    """Findings not yet covered by an order that is still alive."""
    live = Q(orders__status__in=[s for s in OrderStatus.values if s != OrderStatus.WITHDRAWN])
    return inspection.findings.exclude(live).distinct()
