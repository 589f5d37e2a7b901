"""Supervisory interviews (约谈, CSL Art. 56) and risk notes (风险隐患/督促指导, MPS Order 151): the records that
put a platform on R1 and R2 of the ladder (regulatory-reference 4.1), and the platform's stage they move."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.registry.models import Platform
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import Interview, InterviewKind, PlatformStage, RectificationOrder
from youthsafe.supervision.services import files
from youthsafe.supervision.services.common import check_upload, file_fields, place, step_ladder

P = Permission
# Where the stage of each record comes from (cited in the record when the person gives no other basis).
DEFAULT_BASIS = {InterviewKind.RISK_NOTE: "《公安机关互联网安全监督检查规定》",
                 InterviewKind.INTERVIEW: "《网络安全法》第五十六条"}


def locked_stage(platform: Platform) -> PlatformStage:
    """The platform's stage row, created at R0 the first time, locked for the rest of the transaction."""
    row, _made = PlatformStage.objects.get_or_create(platform=platform)
    return kernel.lock(row)


def stage_of(platform: Platform) -> str:
    row = PlatformStage.objects.filter(platform=platform).first()
    return row.stage if row is not None else wf.R0


def raise_platform(platform: Platform, target: str, *, actor: User | None, now: dt.datetime, reason: str) -> str:
    """Move the platform up to ``target`` through the ladder table; a record of a lower stage (a risk note on a
    platform already interviewed) leaves the stage where it is. Returns the stage after."""
    row = locked_stage(platform)
    if wf.ladder_above(target, row.stage):
        step_ladder(row, target, machine=wf.PLATFORM_LADDER, actor=actor, now=now, refused=False, reason=reason,
                    subject=platform)
    return row.stage


def settle_platform(platform: Platform, *, actor: User | None, now: dt.datetime, reason: str) -> None:
    """Back to R0 once no order of the platform is open any more (the last one rectified or withdrawn)."""
    if RectificationOrder.objects.filter(platform=platform, status__in=wf.ORDER_OPEN).exists():
        return
    row = locked_stage(platform)
    if row.stage != wf.R0 and wf.LADDER.can(row.stage, wf.R0):
        step_ladder(row, wf.R0, machine=wf.PLATFORM_LADDER, actor=actor, now=now, refused=False, reason=reason,
                    subject=platform)


@kernel.service(P.ORDER_ISSUE, scope=place)
def do_record_interview(platform: Platform, *, actor: User, kind: str, held_on: dt.date, attendees: str,
                        matters: str, commitments: str = "", legal_basis: str = "",
                        upload: File[bytes] | None = None, now: dt.datetime | None = None) -> Interview:
    """Record a risk note (R1) or an interview (R2) and move the platform's ladder stage up to it."""
    if kind not in InterviewKind.values:
        raise ValidationError({"kind": [_("Choose a risk note or an interview.")]})
    people = kernel.require_text(attendees, "attendees", _("Name who attended."))
    raised = kernel.require_text(matters, "matters", _("Write the matters raised."))
    check_upload(upload)
    now = kernel.now_or(now)
    if held_on > now.date():
        raise ValidationError({"held_on": [_("The date cannot be in the future.")]})
    record = Interview.objects.create(
        platform=platform, jurisdiction=platform.jurisdiction, kind=kind, held_on=held_on, attendees=people,
        matters=raised, commitments=commitments.strip(),
        legal_basis=legal_basis.strip() or DEFAULT_BASIS[InterviewKind(kind)], recorded_by=actor, recorded_at=now,
        stage_before=locked_stage(platform).stage, **file_fields(files.KINDS[files.INTERVIEW], upload))
    record.stage_after = raise_platform(platform, kind, actor=actor, now=now, reason=f"interview:{record.pk}")
    record.save(update_fields=["stage_after"])
    audit.record(AuditAction.CREATE, actor=actor, obj=record, at=now, after={
        **audit.snapshot(record, ["kind", "held_on", "attendees", "matters", "commitments", "legal_basis",
                                  "stage_before", "stage_after"]),
        "file": record.file_name, "sha256": record.sha256})
    return record
