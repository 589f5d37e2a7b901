"""Public reports (举报): filed without an account, then triaged by a person."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from youthsafe.content import config, evidence
from youthsafe.content.models import PublicReport, ReportReason, ReportStatus
from youthsafe.content.services.attachments import add_row
from youthsafe.content.services.common import report_place
from youthsafe.content.services.ratelimit import client_key, take_rate_slot
from youthsafe.core import audit, kernel
from youthsafe.core.middleware import client_ip as core_client_ip
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission

OUTCOMES = frozenset({ReportStatus.LEAD, ReportStatus.WELFARE, ReportStatus.REJECTED})


def client_ip(meta: Mapping[str, Any]) -> str:
    """The client address that public reports are counted by: the same address the audit log records
    (:func:`youthsafe.core.middleware.client_ip`, X-Forwarded-For only behind trusted proxies)."""
    return core_client_ip(meta)


def record_contact_view(report: PublicReport, *, actor: User) -> None:
    """Showing a reporter's contact details (personal data) is audited; a report without any is not."""
    if report.contact:
        audit.record(AuditAction.VIEW, actor=actor, obj=report, reason="reporter contact shown")


def new_ack_number() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"JB-{body[:5]}-{body[5:]}"


def _free_ack_number() -> str:
    for _attempt in range(5):
        ack = new_ack_number()
        if not PublicReport.objects.filter(ack_number=ack).exists():
            break
    return ack


def report_jurisdiction() -> Jurisdiction:
    code = config.report_jurisdiction_code()
    found = Jurisdiction.objects.filter(code=code).first() if code else None
    found = found or Jurisdiction.objects.filter(parent__isnull=True).order_by("id").first()
    if found is None:
        raise ValidationError(_("Reports cannot be received yet: no jurisdiction is set up."))
    return found


@kernel.service()  # public: no account, so no permission; counted per client instead
def submit_report(data: dict[str, Any], *, uploads: Sequence[UploadedFile[Any]] = (), ip: str = "",
                  now: dt.datetime | None = None) -> PublicReport:
    """File a public report. ``data`` was validated by the form or the API schema. Reports about sexual
    content involving minors keep no contact details: the reporter stays anonymous by default."""
    now = kernel.now_or(now)
    if len(uploads) > config.report_max_files():
        raise ValidationError(_("At most %(n)d files.") % {"n": config.report_max_files()})
    for upload in uploads:
        evidence.check(upload)  # raises ValidationError for bad files; nothing is written yet
    place = report_jurisdiction()  # a report that cannot be filed is refused before it is counted
    contact = "" if data["reason"] == ReportReason.A02 else (data.get("contact") or "").strip()
    # The slot is counted in the report's own transaction (the service's): a submission that fails after this
    # point (in the database, on disk) rolls the count back with it, so only a filed report uses up a slot. It
    # is taken before any file is stored: a refused report leaves nothing on disk.
    take_rate_slot(client_key(ip), now=now)
    stored = [evidence.store_upload(u) for u in uploads]
    report = PublicReport.objects.create(
        ack_number=_free_ack_number(), jurisdiction=place, reporter_kind=data.get("reporter_kind") or "public",
        reason=data["reason"], location=data["location"].strip(), platform_name=data.get("platform_name", ""),
        explanation=data["explanation"].strip(), contact=contact, good_faith=bool(data["good_faith"]),
        received_at=now)
    for one in stored:
        add_row(one, actor=None, now=now, report=report)
    audit.record(AuditAction.CREATE, actor=None, obj=report, actor_label="public", at=now,
                 after={"reason": report.reason, "reporter_kind": report.reporter_kind, "attachments": len(stored)})
    return report


@kernel.service(Permission.REPORT_TRIAGE, scope=report_place)
def do_triage_report(report: PublicReport, *, actor: User, outcome: str, note: str, reply: str = "",
                     now: dt.datetime | None = None) -> PublicReport:
    """Decide what happens to a report: ``lead`` (a lead is opened; see leads.services), ``welfare`` (a person
    in distress: passed to early warning, where people decide on outreach) or ``rejected``."""
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": [_("Choose what happens to the report.")]})
    note = kernel.require_text(note, "note", _("Say why."))
    now = kernel.now_or(now)
    report = kernel.lock(report)
    if report.status != ReportStatus.RECEIVED:
        raise ValidationError(_("This report was already triaged."))
    if report.is_distress and outcome == ReportStatus.LEAD:
        raise ValidationError(_("A report about a person in distress goes to early warning, not to takedown."))
    kernel.transition(report, outcome, actor=actor, now=now, reason=note, locked=True, changes={
        "triaged_at": now, "triaged_by": actor, "triage_note": note, "public_reply": reply[:500]})
    return report
