"""Every change to leads, their dispatches and linked investigations (一案双查)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.alerts.models import Alert
from youthsafe.content import services as content_services
from youthsafe.content.models import ContentItem, FoundVia, PublicReport, ReportStatus
from youthsafe.core import audit
from youthsafe.core.access import require, require_write_in
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.referrals import NoReceiverError, ReferralKind, ReferralRequest, request_referral
from youthsafe.core.roles import Permission
from youthsafe.leads import workflow
from youthsafe.leads.models import Case, CheckStatus, DispatchStatus, Lead, LeadDispatch, LeadSource
from youthsafe.registry.models import Platform


def _hours(name: str, default: int) -> int:
    try:
        return int(getattr(settings, name, None) or default)
    except (TypeError, ValueError):
        return default


def _move(lead: Lead, target: str) -> str:
    try:
        workflow.check_transition(lead.status, target)
    except workflow.InvalidTransition as exc:
        raise ValidationError(_("This step is not possible now (the lead is %(status)s).")
                              % {"status": lead.get_status_display()}) from exc
    before = lead.status
    lead.status = target
    return before


def _locked(lead: Lead) -> Lead:
    return Lead.objects.select_for_update(no_key=True).get(pk=lead.pk)


def _need(text: str, field: str, message: str) -> None:
    if not text.strip():
        raise ValidationError({field: [message]})


def do_create_lead(data: dict[str, Any], *, actor: User, report: PublicReport | None = None,
                   now: dt.datetime | None = None) -> Lead:
    require(actor, Permission.LEAD_HANDLE)
    jurisdiction: Jurisdiction = data["jurisdiction"]
    require_write_in(actor, jurisdiction)
    now = now or timezone.now()
    if data["source"] not in LeadSource.values:
        raise ValidationError({"source": [_("Choose where the lead came from.")]})
    with transaction.atomic():
        lead = Lead.objects.create(
            jurisdiction=jurisdiction, source=data["source"], source_detail=data.get("source_detail", ""),
            title=data["title"].strip(), summary=data["summary"].strip(), received_at=data.get("received_at") or now,
            received_by=actor, platform=data.get("platform"), report=report)
        audit.record(AuditAction.CREATE, actor=actor, obj=lead,
                     after=audit.snapshot(lead, ["jurisdiction", "source", "title", "platform", "report"]))
    return lead


def do_lead_from_report(report: PublicReport, *, actor: User, note: str) -> Lead:
    """Triage a public report into a lead (both happen or neither)."""
    require(actor, Permission.LEAD_HANDLE)
    with transaction.atomic():
        content_services.do_triage_report(report, actor=actor, outcome=ReportStatus.LEAD, note=note,
                                          reply=_("Your report was taken up for checking."))
        title = f"{_('Public report')} {report.ack_number}: {report.get_reason_display()}"[:200]
        summary = f"{report.location}\n{report.explanation}"
        platform = Platform.objects.filter(name=report.platform_name).first() if report.platform_name else None
        return do_create_lead({"jurisdiction": report.jurisdiction, "source": LeadSource.PUBLIC_REPORT,
                               "source_detail": report.ack_number, "title": title, "summary": summary,
                               "platform": platform}, actor=actor, report=report)


def do_verify(lead: Lead, *, actor: User, founded: bool, note: str) -> Lead:
    """A person checks the lead: founded → verified; unfounded → rejected."""
    require(actor, Permission.LEAD_HANDLE)
    require_write_in(actor, lead.jurisdiction)
    _need(note, "note", _("Say what was checked."))
    with transaction.atomic():
        lead = _locked(lead)
        before = _move(lead, workflow.VERIFIED if founded else workflow.REJECTED)
        lead.verified_at = timezone.now()
        lead.verification = note
        lead.save(update_fields=["status", "verified_at", "verification"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=lead, before={"status": before},
                     after={"status": lead.status}, reason=note)
    return lead


def do_reopen(lead: Lead, *, actor: User, reason: str) -> Lead:
    require(actor, Permission.LEAD_HANDLE)
    require_write_in(actor, lead.jurisdiction)
    _need(reason, "reason", _("Say why."))
    with transaction.atomic():
        lead = _locked(lead)
        before = _move(lead, workflow.NEW)
        lead.save(update_fields=["status"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=lead, before={"status": before},
                     after={"status": lead.status}, reason=reason)
    return lead


def do_report_upward(lead: Lead, *, actor: User, note: str, now: dt.datetime | None = None) -> Lead:
    """Report a verified lead to the superior unit (上报)."""
    require(actor, Permission.LEAD_HANDLE)
    require_write_in(actor, lead.jurisdiction)
    _need(note, "note", _("Say what was reported and to whom."))
    with transaction.atomic():
        lead = _locked(lead)
        if lead.status not in workflow.REPORTABLE:
            raise ValidationError(_("Only a verified lead is reported upward."))
        if lead.reported_upward_at is not None:
            raise ValidationError(_("This lead was already reported upward."))
        lead.reported_upward_at = now or timezone.now()
        lead.reported_upward_note = note
        lead.save(update_fields=["reported_upward_at", "reported_upward_note"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=lead, after={"reported_upward_at":
                     lead.reported_upward_at}, reason=note)
    return lead


def do_dispatch(lead: Lead, *, actor: User, to: Jurisdiction, instructions: str,
                now: dt.datetime | None = None) -> LeadDispatch:
    """Push the lead to the jurisdiction responsible (推送属地), which acknowledges by the deadline."""
    require(actor, Permission.LEAD_DISPATCH)
    require_write_in(actor, lead.jurisdiction)
    _need(instructions, "instructions", _("Say what the unit should do."))
    if to.pk == lead.jurisdiction_id:
        raise ValidationError({"to": [_("Dispatch to another unit, not to the lead's own.")]})
    now = now or timezone.now()
    with transaction.atomic():
        lead = _locked(lead)
        before = _move(lead, workflow.DISPATCHED)
        dispatch = LeadDispatch.objects.create(
            lead=lead, to_jurisdiction=to, sent_at=now, sent_by=actor, instructions=instructions,
            ack_due_at=workflow.ack_due(now, _hours("YOUTHSAFE_LEAD_ACK_HOURS", workflow.DEFAULT_ACK_HOURS)),
            feedback_due_at=workflow.feedback_due(now, _hours("YOUTHSAFE_LEAD_FEEDBACK_DAYS",
                                                               workflow.DEFAULT_FEEDBACK_DAYS)))
        lead.save(update_fields=["status"])
        audit.record(AuditAction.CREATE, actor=actor, obj=dispatch, jurisdiction=lead.jurisdiction,
                     after={"lead": lead.pk, "to": to.pk, "ack_due_at": dispatch.ack_due_at}, reason=instructions)
        audit.record(AuditAction.TRANSITION, actor=actor, obj=lead, before={"status": before},
                     after={"status": lead.status})
    return dispatch


def _receiver(dispatch: LeadDispatch, actor: User) -> None:
    require(actor, Permission.LEAD_RESPOND)
    if actor.jurisdiction is None or not dispatch.to_jurisdiction.is_within(actor.jurisdiction):
        raise PermissionDenied(_("Only the unit the lead was dispatched to can answer it."))


def do_acknowledge(dispatch: LeadDispatch, *, actor: User, note: str = "") -> LeadDispatch:
    _receiver(dispatch, actor)
    with transaction.atomic():
        dispatch = LeadDispatch.objects.select_for_update(no_key=True).get(pk=dispatch.pk)
        if dispatch.status != DispatchStatus.SENT:
            raise ValidationError(_("This dispatch was already acknowledged."))
        lead = _locked(dispatch.lead)
        before = _move(lead, workflow.ACKNOWLEDGED)
        dispatch.status = DispatchStatus.ACKNOWLEDGED
        dispatch.acknowledged_at = timezone.now()
        dispatch.acknowledged_by = actor
        dispatch.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        lead.save(update_fields=["status"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=dispatch, jurisdiction=dispatch.to_jurisdiction,
                     after={"status": dispatch.status}, reason=note)
        audit.record(AuditAction.TRANSITION, actor=actor, obj=lead, before={"status": before},
                     after={"status": lead.status})
    return dispatch


def do_feedback(dispatch: LeadDispatch, *, actor: User, feedback: str) -> LeadDispatch:
    """The receiving unit reports what it did (反馈)."""
    _receiver(dispatch, actor)
    _need(feedback, "feedback", _("Say what was done."))
    with transaction.atomic():
        dispatch = LeadDispatch.objects.select_for_update(no_key=True).get(pk=dispatch.pk)
        if dispatch.status != DispatchStatus.ACKNOWLEDGED:
            raise ValidationError(_("Acknowledge the dispatch before feeding back."))
        lead = _locked(dispatch.lead)
        before = _move(lead, workflow.FED_BACK)
        dispatch.status = DispatchStatus.FED_BACK
        dispatch.fed_back_at = timezone.now()
        dispatch.feedback = feedback
        dispatch.save(update_fields=["status", "fed_back_at", "feedback"])
        lead.save(update_fields=["status"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=dispatch, jurisdiction=dispatch.to_jurisdiction,
                     after={"status": dispatch.status}, reason=feedback)
        audit.record(AuditAction.TRANSITION, actor=actor, obj=lead, before={"status": before},
                     after={"status": lead.status})
    return dispatch


def do_close(lead: Lead, *, actor: User, outcome: str) -> Lead:
    require(actor, Permission.LEAD_HANDLE)
    require_write_in(actor, lead.jurisdiction)
    _need(outcome, "outcome", _("Record the outcome."))
    with transaction.atomic():
        lead = _locked(lead)
        before = _move(lead, workflow.CLOSED)
        lead.closed_at = timezone.now()
        lead.outcome = outcome
        lead.save(update_fields=["status", "closed_at", "outcome"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=lead, before={"status": before},
                     after={"status": lead.status}, reason=outcome)
    return lead


def do_merge(duplicate: Lead, *, into: Lead, actor: User, reason: str) -> Lead:
    """Merge a duplicate into the lead it repeats: links move over, the duplicate is closed as merged."""
    require(actor, Permission.LEAD_HANDLE)
    require_write_in(actor, duplicate.jurisdiction)
    require_write_in(actor, into.jurisdiction)
    _need(reason, "reason", _("Say why these are the same lead."))
    if duplicate.pk == into.pk:
        raise ValidationError({"into": [_("A lead cannot be merged into itself.")]})
    with transaction.atomic():
        duplicate = _locked(duplicate)
        into = _locked(into)
        if into.status == workflow.MERGED:
            raise ValidationError({"into": [_("That lead was itself merged; merge into the lead it went to.")]})
        before = _move(duplicate, workflow.MERGED)
        duplicate.merged_into = into
        into.content_items.add(*duplicate.content_items.all())
        into.alerts.add(*duplicate.alerts.all())
        cases = list(Case.objects.filter(lead=duplicate).values_list("pk", flat=True))
        Case.objects.filter(pk__in=cases).update(lead=into)
        dispatches = list(LeadDispatch.objects.filter(lead=duplicate).values_list("pk", flat=True))
        LeadDispatch.objects.filter(pk__in=dispatches).update(lead=into)
        changed: list[str] = []
        if into.platform_id is None and duplicate.platform_id is not None:
            into.platform_id = duplicate.platform_id
            changed.append("platform")
        report_moved = into.report_id is None and duplicate.report_id is not None
        if report_moved:  # the kept lead answers the public report; a lead has one report, so a second stays
            into.report_id = duplicate.report_id  # linked to its duplicate, which links to the kept lead
            duplicate.report = None
            changed.append("report")
        if changed:
            into.save(update_fields=changed)
        duplicate.save(update_fields=["status", "merged_into", "report"])
        moved = {"cases": cases, "dispatches": dispatches, "report": into.report_id if report_moved else None}
        audit.record(AuditAction.TRANSITION, actor=actor, obj=duplicate, before={"status": before},
                     after={"status": duplicate.status, "merged_into": into.pk, **moved}, reason=reason)
        audit.record(AuditAction.CHANGE, actor=actor, obj=into, after={"merged": duplicate.pk, **moved},
                     reason=reason)
    return into


def do_link(lead: Lead, *, actor: User, items: Iterable[ContentItem] = (), alerts: Iterable[Alert] = (),
            platform: Platform | None = None) -> Lead:
    """Link content items, alerts and a platform to the lead (only records the actor may see)."""
    require(actor, Permission.LEAD_HANDLE)
    require_write_in(actor, lead.jurisdiction)
    items, alerts = list(items), list(alerts)
    visible_items = set(ContentItem.objects.visible_to(actor).filter(pk__in=[i.pk for i in items])
                        .values_list("pk", flat=True))
    visible_alerts = set(Alert.objects.visible_to(actor).filter(pk__in=[a.pk for a in alerts])
                         .values_list("pk", flat=True))
    if len(visible_items) != len(items) or len(visible_alerts) != len(alerts):
        raise ValidationError(_("Some of the records are outside your jurisdiction."))
    with transaction.atomic():
        lead.content_items.add(*items)
        lead.alerts.add(*alerts)
        if platform is not None:
            lead.platform = platform
            lead.save(update_fields=["platform"])
        audit.record(AuditAction.CHANGE, actor=actor, obj=lead, after={
            "items": sorted(visible_items), "alerts": sorted(visible_alerts),
            "platform": platform.pk if platform else None})
    return lead


def do_item_from_lead(lead: Lead, data: dict[str, Any], *, actor: User) -> ContentItem:
    """Record a content item found through the lead, in the actor's jurisdiction (the owner's unit or the unit
    the lead was dispatched to), and link it."""
    require(actor, Permission.CONTENT_HANDLE)
    if not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
        raise PermissionDenied(_("This record belongs to a jurisdiction outside yours."))
    with transaction.atomic():
        found_via = FoundVia.PUBLIC_REPORT if lead.source == LeadSource.PUBLIC_REPORT else FoundVia.SUPERIOR \
            if lead.source == LeadSource.SUPERIOR else FoundVia.PATROL
        item = content_services.do_record_item({"found_via": found_via, **data}, actor=actor, report=lead.report)
        if lead.report is not None:  # the receiving unit needs the reporter's screenshots with the item
            content_services.do_copy_report_evidence(lead.report, item, actor=actor)
        lead.content_items.add(item)
        audit.record(AuditAction.CHANGE, actor=actor, obj=lead, jurisdiction=lead.jurisdiction,
                     after={"items": [item.pk]})
    return item


def do_open_case(lead: Lead | None, data: dict[str, Any], *, actor: User, now: dt.datetime | None = None) -> Case:
    """Open a case against an offender with its linked platform check (一案双查)."""
    require(actor, Permission.CASE_HANDLE)
    jurisdiction: Jurisdiction = data["jurisdiction"]
    require_write_in(actor, jurisdiction)
    for field in ("title", "offender", "summary", "platform_failure"):
        _need(str(data.get(field) or ""), field, _("Fill in this field."))
    if data.get("platform") is None:
        raise ValidationError({"platform": [_("Name the platform or access provider that enabled it.")]})
    with transaction.atomic():
        case = Case.objects.create(
            lead=lead, jurisdiction=jurisdiction, title=data["title"], offender=data["offender"],
            summary=data["summary"], opened_at=now or timezone.now(), opened_by=actor, platform=data["platform"],
            platform_failure=data["platform_failure"])
        audit.record(AuditAction.CREATE, actor=actor, obj=case,
                     after=audit.snapshot(case, ["lead", "title", "platform", "platform_failure"]))
    return case


def do_platform_check(case: Case, *, actor: User, kind: str, note: str) -> Case:
    """Decide the platform check: ``no_issue``, or refer to supervision for an ``inspection`` or a
    ``rectification`` order (a person in supervision decides what to open)."""
    require(actor, Permission.CASE_HANDLE)
    require_write_in(actor, case.jurisdiction)
    _need(note, "note", _("Say what was checked and why."))
    if kind not in {"no_issue", "inspection", "rectification"}:
        raise ValidationError({"kind": [_("Choose the result of the check.")]})
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",), no_key=True).select_related("platform").get(pk=case.pk)
        if case.check_status != CheckStatus.PENDING:
            raise ValidationError(_("The platform check was already decided."))
        if kind == "no_issue":
            case.check_status = CheckStatus.NO_ISSUE
        else:
            referral_kind: ReferralKind = "inspection" if kind == "inspection" else "rectification"
            referral = ReferralRequest(
                platform_id=case.platform_id, kind=referral_kind, reason=f"{case.platform_failure}\n{note}",
                source_label=f"一案双查 {case.reference}", source_url=reverse("leads:case_detail", args=[case.pk]),
                jurisdiction_id=case.platform.jurisdiction_id)
            try:
                references = request_referral(referral, actor=actor)
            except NoReceiverError as exc:
                raise ValidationError(_("The supervision module is not installed, so the platform check cannot be "
                                        "referred. Record the check as a note and contact supervision directly.")) \
                    from exc
            case.check_status = CheckStatus.REFERRED
            case.check_reference = ", ".join(references)[:200]
        case.check_kind = kind
        case.check_note = note
        case.checked_at = timezone.now()
        case.save(update_fields=["check_status", "check_kind", "check_reference", "check_note", "checked_at"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=case, after={
            "check_status": case.check_status, "reference": case.check_reference}, reason=note)
    return case
