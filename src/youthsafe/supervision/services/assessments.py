"""Security assessments of services with public-opinion attributes (2018 Provisions, reference section 3):
the trigger, the provider's self-assessment report, the item-by-item review, the verdict."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.registry.controls import CONTROLS, GROUP_ASSESSMENT
from youthsafe.registry.models import Platform
from youthsafe.supervision import config
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import (
    Assessment,
    AssessmentItem,
    AssessmentStatus,
    AssessmentTrigger,
    ItemResult,
)
from youthsafe.supervision.services import files
from youthsafe.supervision.services.common import NAMES, PLACED, check_upload, file_fields, place

P = Permission
STATES = NAMES[wf.ASSESSMENT.name]
ITEMS = tuple(c for c in CONTROLS if c.group == GROUP_ASSESSMENT)


def report_due(requested_on: dt.date) -> dt.date:
    """The configured number of working days after the request (YOUTHSAFE_SUPERVISION_ASSESSMENT_REPORT_WORKING_
    DAYS; 2018 Provisions Art. 7, regulatory-reference 3.5)."""
    return wf.assessment_report_due(requested_on, config.assessment_report_working_days())


@kernel.service(P.ASSESSMENT_REVIEW, scope=place)
def do_request(platform: Platform, *, actor: User, trigger: str, note: str = "", requested_on: dt.date,
               due_on: dt.date | None = None, now: dt.datetime | None = None) -> Assessment:
    """Open an assessment on a trigger (T1-T5). Only services with public-opinion attributes are in scope,
    unless the authority itself requires one in writing (T5). The report is due ``due_on`` when the person
    sets it (for T1/T2: before the service goes live), otherwise the configured working days after the
    request."""
    if trigger not in AssessmentTrigger.values:
        raise ValidationError({"trigger": [_("Choose the trigger.")]})
    if not platform.public_opinion and trigger != AssessmentTrigger.T5:
        raise ValidationError(_("This platform has no public-opinion attributes in the registry; only a written "
                                "requirement (T5) brings it into scope."))
    due = due_on if due_on is not None else report_due(requested_on)
    if due < requested_on:
        raise ValidationError({"due_on": [_("The report cannot be due before the request.")]})
    assessment = Assessment.objects.create(platform=platform, jurisdiction=platform.jurisdiction, trigger=trigger,
                                           trigger_note=note.strip(), requested_on=requested_on, created_by=actor,
                                           report_due=due)
    AssessmentItem.objects.bulk_create([AssessmentItem(assessment=assessment, control_id=c.id) for c in ITEMS])
    audit.record(AuditAction.CREATE, actor=actor, obj=assessment, after=audit.snapshot(assessment),
                 at=kernel.now_or(now))
    return assessment


@kernel.service(P.ASSESSMENT_REVIEW, scope=place)
def do_receive_report(assessment: Assessment, *, actor: User, received_on: dt.date, summary: str,
                      upload: File[bytes] | None = None, now: dt.datetime | None = None) -> Assessment:
    text = kernel.require_text(summary, "summary", _("Summarise the provider's report."))
    check_upload(upload)
    kernel.transition(assessment, wf.RECEIVED, actor=actor, now=kernel.now_or(now), names=STATES, changes={
        "report_received_on": received_on, "report_summary": text,
        **file_fields(files.KINDS[files.ASSESSMENT_REPORT], upload)})
    assessment.items.update(result=ItemResult.UNCHECKED)  # a new report is reviewed afresh
    return assessment


@kernel.service(P.ASSESSMENT_REVIEW, scope=place)
def do_review_item(assessment: Assessment, control_id: str, *, actor: User, result: str, note: str = "",
                   now: dt.datetime | None = None) -> AssessmentItem:
    if result not in ItemResult.values or result == ItemResult.UNCHECKED:
        raise ValidationError({"result": [_("Choose passed, failed or not applicable.")]})
    if result == ItemResult.FAILED:
        kernel.require_text(note, "note", _("Describe what failed."))
    if kernel.lock(assessment, related=PLACED).status != AssessmentStatus.RECEIVED:
        raise ValidationError(_("Items are reviewed once the report is in."))
    item = AssessmentItem.objects.select_for_update(no_key=True).get(assessment=assessment, control_id=control_id)
    before = audit.snapshot(item, ["result", "note"])
    item.result, item.note = result, note.strip()
    item.save()
    audit.record(AuditAction.CHANGE, actor=actor, obj=assessment, object_repr=f"{assessment} {control_id}",
                 before=before, after=audit.snapshot(item, ["result", "note"]), at=kernel.now_or(now))
    return item


def _check_verdict(verdict: str, items: list[AssessmentItem]) -> None:
    if verdict not in {wf.PASSED, wf.FAILED, wf.REASSESS}:
        raise ValidationError({"verdict": [_("Choose a verdict.")]})
    if verdict != wf.REASSESS and any(i.result == ItemResult.UNCHECKED for i in items):
        raise ValidationError(_("Review every item before the verdict."))
    if verdict == wf.PASSED and any(i.result == ItemResult.FAILED for i in items):
        raise ValidationError(_("An assessment with failed items cannot pass."))
    if verdict == wf.FAILED and not any(i.result == ItemResult.FAILED for i in items):
        raise ValidationError(_("A failed verdict needs at least one failed item."))


@kernel.service(P.ASSESSMENT_REVIEW, scope=place)
def do_verdict(assessment: Assessment, *, actor: User, verdict: str, note: str, on: dt.date,
               now: dt.datetime | None = None) -> Assessment:
    """passed / failed (a follow-up order goes out) / reassess (限期重新评估: a new report is due the configured
    working days after ``on``)."""
    text = kernel.require_text(note, "note", _("Write the verdict."))
    locked = kernel.lock(assessment, related=PLACED)
    _check_verdict(verdict, list(locked.items.all()))
    changes: dict[str, object] = {"verdict_note": text, "reviewed_by": actor}
    if verdict != wf.REASSESS:
        changes["verdict_on"] = on
    else:
        changes.update(report_due=report_due(on), report_late_at=None)
    kernel.transition(locked, verdict, actor=actor, now=kernel.now_or(now), reason=text, locked=True, names=STATES,
                      changes=changes)
    return locked


@kernel.service(P.ASSESSMENT_REVIEW, scope=place)
def do_cancel(assessment: Assessment, *, actor: User, reason: str, now: dt.datetime | None = None) -> Assessment:
    """Cancel an assessment still waiting for its report (requested or re-assessment ordered), with the reason
    (e.g. the service never went live, or the written requirement was withdrawn)."""
    text = kernel.require_text(reason, "reason", _("Give the reason for cancelling."))
    kernel.transition(assessment, wf.CANCELLED, actor=actor, now=kernel.now_or(now), reason=text, names=STATES)
    return assessment
