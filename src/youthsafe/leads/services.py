"""Every change to leads, their dispatches and linked investigations (一案双查): one ``do_*`` service each
(``core.kernel.service`` declares who may call it and where), every status change through
``kernel.transition`` (history and audit row in the same transaction), and a dispatch as a ``core.handoff``
hand-off whose steps move the lead in step with it. ``now`` is the time of the step (the clock by default)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from youthsafe.alerts.models import Alert
from youthsafe.content import services as content_services
from youthsafe.content.models import ContentItem, FoundVia, PublicReport, ReportStatus
from youthsafe.core import audit, handoff, kernel
from youthsafe.core.access import require_write_in
from youthsafe.core.handoff import HandoffStatus
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.referrals import NoReceiverError, ReferralKind, ReferralRequest, request_referral
from youthsafe.core.roles import Permission
from youthsafe.leads import workflow
from youthsafe.leads.models import Case, CheckStatus, Lead, LeadDispatch, LeadSource, LeadStatus
from youthsafe.registry.models import Platform

STATES = dict(LeadStatus.choices)
CHECKS = dict(CheckStatus.choices)
CHECK_KINDS = ("no_issue", "inspection", "rectification")


def _lead_place(lead: Lead, *_args: Any, **_kw: Any) -> Jurisdiction:
    return lead.jurisdiction


def _chosen_place(*args: Any, **kw: Any) -> Jurisdiction:
    """The jurisdiction chosen in the new record's ``data`` (the service's last positional argument)."""
    data: dict[str, Any] = kw.get("data", args[-1] if args else {})
    place: Jurisdiction = data["jurisdiction"]
    return place


def _configured(name: str, default: int) -> int:
    try:
        return int(getattr(settings, name, None) or default)
    except (TypeError, ValueError):
        return default


@kernel.service(Permission.LEAD_HANDLE, scope=_chosen_place)
def do_create_lead(data: dict[str, Any], *, actor: User, report: PublicReport | None = None,
                   now: dt.datetime | None = None) -> Lead:
    now = kernel.now_or(now)
    if data["source"] not in LeadSource.values:
        raise ValidationError({"source": [_("Choose where the lead came from.")]})
    lead = Lead.objects.create(
        jurisdiction=data["jurisdiction"], source=data["source"], source_detail=data.get("source_detail", ""),
        title=data["title"].strip(), summary=data["summary"].strip(), received_at=data.get("received_at") or now,
        received_by=actor, platform=data.get("platform"), report=report)
    audit.record(AuditAction.CREATE, actor=actor, obj=lead, at=now,
                 after=audit.snapshot(lead, ["jurisdiction", "source", "title", "platform", "report"]))
    return lead


@kernel.service(Permission.LEAD_HANDLE, scope=lambda report, **_kw: report.jurisdiction)
def do_lead_from_report(report: PublicReport, *, actor: User, note: str, now: dt.datetime | None = None) -> Lead:
    """Triage a public report into a lead (both happen or neither)."""
    content_services.do_triage_report(report, actor=actor, outcome=ReportStatus.LEAD, note=note,
                                      reply=_("Your report was taken up for checking."))
    title = f"{_('Public report')} {report.ack_number}: {report.get_reason_display()}"[:200]
    summary = f"{report.location}\n{report.explanation}"
    platform = Platform.objects.filter(name=report.platform_name).first() if report.platform_name else None
    return do_create_lead({"jurisdiction": report.jurisdiction, "source": LeadSource.PUBLIC_REPORT,
                           "source_detail": report.ack_number, "title": title, "summary": summary,
                           "platform": platform}, actor=actor, report=report, now=now)


@kernel.service(Permission.LEAD_HANDLE, scope=_lead_place)
def do_verify(lead: Lead, *, actor: User, founded: bool, note: str, now: dt.datetime | None = None) -> Lead:
    """A person checks the lead: founded → verified; unfounded → rejected."""
    text = kernel.require_text(note, "note", _("Say what was checked."))
    kernel.transition(lead, workflow.VERIFIED if founded else workflow.REJECTED, actor=actor, now=now,
                      reason=text, changes={"verification": text}, names=STATES)
    return lead


@kernel.service(Permission.LEAD_HANDLE, scope=_lead_place)
def do_reopen(lead: Lead, *, actor: User, reason: str, now: dt.datetime | None = None) -> Lead:
    text = kernel.require_text(reason, "reason", _("Say why."))
    kernel.transition(lead, workflow.NEW, actor=actor, now=now, reason=text, names=STATES)
    return lead


@kernel.service(Permission.LEAD_HANDLE, scope=_lead_place)
def do_report_upward(lead: Lead, *, actor: User, note: str, now: dt.datetime | None = None) -> Lead:
    """Report a verified lead to the superior unit (上报): a fact of the lead, not a state."""
    text = kernel.require_text(note, "note", _("Say what was reported and to whom."))
    now = kernel.now_or(now)
    lead = kernel.lock(lead)
    if lead.status not in workflow.REPORTABLE:
        raise ValidationError(_("Only a verified lead is reported upward."))
    if lead.reported_upward_at is not None:
        raise ValidationError(_("This lead was already reported upward."))
    lead.reported_upward_at = now
    lead.reported_upward_note = text
    lead.save(update_fields=["reported_upward_at", "reported_upward_note"])
    audit.record(AuditAction.TRANSITION, actor=actor, obj=lead, after={"reported_upward_at": now}, reason=text,
                 at=now)
    return lead


@kernel.service(Permission.LEAD_DISPATCH, scope=_lead_place)
def do_dispatch(lead: Lead, *, actor: User, to: Jurisdiction, instructions: str,
                now: dt.datetime | None = None) -> LeadDispatch:
    """Push the lead to the jurisdiction responsible (推送属地), which acknowledges by the deadline."""
    text = kernel.require_text(instructions, "instructions", _("Say what the unit should do."))
    if to.pk == lead.jurisdiction_id:
        raise ValidationError({"to": [_("Dispatch to another unit, not to the lead's own.")]})
    now = kernel.now_or(now)
    kernel.transition(lead, workflow.DISPATCHED, actor=actor, now=now, names=STATES)
    return handoff.send(
        LeadDispatch, lead, to=to, note=text, actor=actor, now=now,
        ack_due_at=workflow.ack_due(now, _configured("YOUTHSAFE_LEAD_ACK_HOURS", workflow.DEFAULT_ACK_HOURS)),
        report_due_at=workflow.feedback_due(now, _configured("YOUTHSAFE_LEAD_FEEDBACK_DAYS",
                                                             workflow.DEFAULT_FEEDBACK_DAYS)))


def _receiver(dispatch: LeadDispatch, **kw: Any) -> None:
    handoff.require_receiver(kw["actor"], dispatch)


def _answer(dispatch: LeadDispatch, *, expect: str, refused: str, step: Callable[[LeadDispatch], LeadDispatch],
            lead_to: str, actor: User, now: dt.datetime, reason: str = "") -> LeadDispatch:
    """The receiving unit's step on its dispatch, and the lead's move in step with it."""
    locked = kernel.lock(dispatch)
    if locked.status != expect:
        raise ValidationError(refused)
    done = step(locked)
    kernel.transition(done.lead, lead_to, actor=actor, now=now, reason=reason, names=STATES)
    return done


@kernel.service(Permission.LEAD_RESPOND, check=_receiver)
def do_acknowledge(dispatch: LeadDispatch, *, actor: User, note: str = "",
                   now: dt.datetime | None = None) -> LeadDispatch:
    """The receiving unit confirms it has the lead (签收); the note goes with the lead's move."""
    when = kernel.now_or(now)
    return _answer(dispatch, expect=HandoffStatus.SENT, refused=_("This dispatch was already acknowledged."),
                   step=lambda d: handoff.acknowledge(d, actor=actor, now=when), lead_to=workflow.ACKNOWLEDGED,
                   actor=actor, now=when, reason=(note or "").strip())


@kernel.service(Permission.LEAD_RESPOND, check=_receiver)
def do_feedback(dispatch: LeadDispatch, *, actor: User, feedback: str,
                now: dt.datetime | None = None) -> LeadDispatch:
    """The receiving unit reports what it did (反馈)."""
    text = kernel.require_text(feedback, "feedback", _("Say what was done."))
    when = kernel.now_or(now)
    return _answer(dispatch, expect=HandoffStatus.ACKNOWLEDGED,
                   refused=_("Acknowledge the dispatch before feeding back."),
                   step=lambda d: handoff.report_back(d, actor=actor, text=text, now=when),
                   lead_to=workflow.FED_BACK, actor=actor, now=when)


@kernel.service(Permission.LEAD_HANDLE, scope=_lead_place)
def do_close(lead: Lead, *, actor: User, outcome: str, now: dt.datetime | None = None) -> Lead:
    text = kernel.require_text(outcome, "outcome", _("Record the outcome."))
    kernel.transition(lead, workflow.CLOSED, actor=actor, now=now, reason=text, changes={"outcome": text},
                      names=STATES)
    return lead


def _into_writable(duplicate: Lead, **kw: Any) -> None:
    require_write_in(kw["actor"], kw["into"].jurisdiction)


def _move_links(duplicate: Lead, into: Lead) -> tuple[dict[str, Any], bool]:
    """Give the kept lead the duplicate's items, alerts, cases, dispatches, platform and (when it has none)
    public report. Returns what moved, and whether the report did."""
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
    # The kept lead answers the public report; a lead has one report, so a second stays linked to its
    # duplicate, which links to the kept lead.
    report_moved = into.report_id is None and duplicate.report_id is not None
    if report_moved:
        into.report_id = duplicate.report_id
        changed.append("report")
    if changed:
        into.save(update_fields=changed)
    return {"cases": cases, "dispatches": dispatches, "report": into.report_id if report_moved else None}, \
        report_moved


@kernel.service(Permission.LEAD_HANDLE, scope=_lead_place, check=_into_writable)
def do_merge(duplicate: Lead, *, into: Lead, actor: User, reason: str, now: dt.datetime | None = None) -> Lead:
    """Merge a duplicate into the lead it repeats: links move over, the duplicate is closed as merged."""
    text = kernel.require_text(reason, "reason", _("Say why these are the same lead."))
    if duplicate.pk == into.pk:
        raise ValidationError({"into": [_("A lead cannot be merged into itself.")]})
    now = kernel.now_or(now)
    duplicate = kernel.lock(duplicate)
    into = kernel.lock(into)
    if into.status == workflow.MERGED:
        raise ValidationError({"into": [_("That lead was itself merged; merge into the lead it went to.")]})
    moved, report_moved = _move_links(duplicate, into)
    changes: dict[str, Any] = {"merged_into": into, **({"report": None} if report_moved else {})}
    kernel.transition(duplicate, workflow.MERGED, actor=actor, now=now, reason=text, changes=changes, locked=True,
                      names=STATES)
    audit.record(AuditAction.CHANGE, actor=actor, obj=into, after={"merged": duplicate.pk, **moved}, reason=text,
                 at=now)
    return into


@kernel.service(Permission.LEAD_HANDLE, scope=_lead_place)
def do_link(lead: Lead, *, actor: User, items: Iterable[ContentItem] = (), alerts: Iterable[Alert] = (),
            platform: Platform | None = None, now: dt.datetime | None = None) -> Lead:
    """Link content items, alerts and a platform to the lead (only records the actor may see)."""
    items, alerts = list(items), list(alerts)
    visible_items = set(ContentItem.objects.visible_to(actor).filter(pk__in=[i.pk for i in items])
                        .values_list("pk", flat=True))
    visible_alerts = set(Alert.objects.visible_to(actor).filter(pk__in=[a.pk for a in alerts])
                         .values_list("pk", flat=True))
    if len(visible_items) != len(items) or len(visible_alerts) != len(alerts):
        raise ValidationError(_("Some of the records are outside your jurisdiction."))
    lead.content_items.add(*items)
    lead.alerts.add(*alerts)
    if platform is not None:
        lead.platform = platform
        lead.save(update_fields=["platform"])
    audit.record(AuditAction.CHANGE, actor=actor, obj=lead, at=kernel.now_or(now), after={
        "items": sorted(visible_items), "alerts": sorted(visible_alerts),
        "platform": platform.pk if platform else None})
    return lead


def _sees_lead(lead: Lead, *_args: Any, **kw: Any) -> None:
    if not Lead.objects.visible_to(kw["actor"]).filter(pk=lead.pk).exists():
        raise PermissionDenied(_("This record belongs to a jurisdiction outside yours."))


@kernel.service(Permission.CONTENT_HANDLE, check=_sees_lead)
def do_item_from_lead(lead: Lead, data: dict[str, Any], *, actor: User,
                      now: dt.datetime | None = None) -> ContentItem:
    """Record a content item found through the lead, in the actor's jurisdiction (the owner's unit or the unit
    the lead was dispatched to), and link it."""
    now = kernel.now_or(now)
    found_via = FoundVia.PUBLIC_REPORT if lead.source == LeadSource.PUBLIC_REPORT else FoundVia.SUPERIOR \
        if lead.source == LeadSource.SUPERIOR else FoundVia.PATROL
    item = content_services.do_record_item({"found_via": found_via, **data}, actor=actor, report=lead.report,
                                           now=now)
    if lead.report is not None:  # the receiving unit needs the reporter's screenshots with the item
        content_services.do_copy_report_evidence(lead.report, item, actor=actor, now=now)
    lead.content_items.add(item)
    audit.record(AuditAction.CHANGE, actor=actor, obj=lead, jurisdiction=lead.jurisdiction,
                 after={"items": [item.pk]}, at=now)
    return item


@kernel.service(Permission.CASE_HANDLE, scope=_chosen_place)
def do_open_case(lead: Lead | None, data: dict[str, Any], *, actor: User, now: dt.datetime | None = None) -> Case:
    """Open a case against an offender with its linked platform check (一案双查)."""
    for field in ("title", "offender", "summary", "platform_failure"):
        kernel.require_text(str(data.get(field) or ""), field, _("Fill in this field."))
    if data.get("platform") is None:
        raise ValidationError({"platform": [_("Name the platform or access provider that enabled it.")]})
    now = kernel.now_or(now)
    case = Case.objects.create(
        lead=lead, jurisdiction=data["jurisdiction"], title=data["title"], offender=data["offender"],
        summary=data["summary"], opened_at=now, opened_by=actor, platform=data["platform"],
        platform_failure=data["platform_failure"])
    audit.record(AuditAction.CREATE, actor=actor, obj=case, at=now,
                 after=audit.snapshot(case, ["lead", "title", "platform", "platform_failure"]))
    return case


def _refer(case: Case, kind: ReferralKind, note: str, actor: User) -> str:
    """Ask supervision to open an inspection or a rectification order; its references."""
    referral = ReferralRequest(
        platform_id=case.platform_id, kind=kind, reason=f"{case.platform_failure}\n{note}",
        source_label=f"一案双查 {case.reference}", source_url=reverse("leads:case_detail", args=[case.pk]),
        jurisdiction_id=case.platform.jurisdiction_id)
    try:
        return ", ".join(request_referral(referral, actor=actor))[:200]
    except NoReceiverError as exc:
        raise ValidationError(_("The supervision module is not installed, so the platform check cannot be "
                                "referred. Record the check as a note and contact supervision directly.")) from exc


@kernel.service(Permission.CASE_HANDLE, scope=lambda case, **_kw: case.jurisdiction)
def do_platform_check(case: Case, *, actor: User, kind: str, note: str, now: dt.datetime | None = None) -> Case:
    """Decide the platform check: ``no_issue``, or refer to supervision for an ``inspection`` or a
    ``rectification`` order (a person in supervision decides what to open)."""
    text = kernel.require_text(note, "note", _("Say what was checked and why."))
    if kind not in CHECK_KINDS:
        raise ValidationError({"kind": [_("Choose the result of the check.")]})
    case = kernel.lock(case, related=("platform",))
    if case.check_status != CheckStatus.PENDING:
        raise ValidationError(_("The platform check was already decided."))
    changes: dict[str, Any] = {"check_kind": kind, "check_note": text}
    if kind == "no_issue":
        target = workflow.NO_ISSUE
    else:
        target = workflow.REFERRED
        changes["check_reference"] = _refer(case, "inspection" if kind == "inspection" else "rectification", text,
                                            actor)
    kernel.transition(case, target, actor=actor, now=now, reason=text, changes=changes, locked=True, names=CHECKS)
    return case
