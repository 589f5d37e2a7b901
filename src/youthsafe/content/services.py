"""Every change to content items, evidence, takedown instructions and public reports.

Each ``do_<verb>(..., *, actor)`` checks the permission and the jurisdiction, applies the workflow
transition on a freshly locked row, writes an audit row and commits in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.content import config, evidence, workflow
from youthsafe.content.models import (
    ContentItem,
    Evidence,
    InstructionStatus,
    PublicReport,
    RateBucket,
    ReportReason,
    ReportStatus,
    TakedownInstruction,
)
from youthsafe.content.signatures import signature, similarity
from youthsafe.core import audit
from youthsafe.core.access import require, require_write_in
from youthsafe.core.middleware import client_ip as core_client_ip
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.referrals import NoReceiverError, ReferralRequest, request_referral
from youthsafe.core.roles import Permission
from youthsafe.registry.models import Platform

DEDUP_THRESHOLD = 0.6
DEDUP_WINDOW = 5000  # the most recent items with text are compared with a new one


# ---------------------------------------------------------------- detection


@lru_cache(maxsize=1)
def _engine() -> Any:
    from youthsafe.detection.engine import Engine

    return Engine()


def scan_texts(texts: Sequence[str]) -> list[dict[str, Any]]:
    """The detection engine's result for each text (categories, scores, evidence spans, versions)."""
    if not texts:
        return []
    return [r.to_dict() for r in _engine().scan(list(texts))]


def find_group(sig: str, jurisdiction: Jurisdiction, *, location: str = "",
               hashes: Iterable[str] = ()) -> ContentItem | None:
    """The campaign a new item belongs to: the oldest item (of the same city) that is a near-duplicate of it,
    None when it is new. Near-duplicates are items among the recent DEDUP_WINDOW whose MinHash signature
    agrees on at least DEDUP_THRESHOLD of its values, or whose location is the same once normalised
    (workflow.location_key: host case, trailing slash, tracking parameters), and items with an evidence file
    (not text) of the same SHA-256 as one of ``hashes``."""
    top = jurisdiction.ancestors()[0] if jurisdiction.parent_id else jurisdiction
    scope = ContentItem.objects.filter(jurisdiction__path__startswith=top.path)
    key = workflow.location_key(location) if location.strip() else ""
    found: list[tuple[int, int | None]] = []
    if sig or key:
        recent = scope.order_by("-id").values_list("id", "signature", "location", "group_id")[:DEDUP_WINDOW]
        for pk, other, other_location, group_id in recent:
            if (sig and other and similarity(sig, other) >= DEDUP_THRESHOLD) or (
                    key and workflow.location_key(other_location) == key):
                found.append((pk, group_id))
    wanted = sorted(set(hashes))
    if wanted:
        for item_id, item_group in (Evidence.objects.filter(sha256__in=wanted, item__in=scope)
                                    .exclude(kind=Evidence.Kind.TEXT).values_list("item_id", "item__group_id")):
            if item_id is not None:
                found.append((item_id, item_group))
    if not found:
        return None
    oldest, its_group = min(found, key=lambda row: row[0])
    return ContentItem.objects.get(pk=its_group or oldest)


# ---------------------------------------------------------------- items


def _locked_item(item: ContentItem) -> ContentItem:
    return ContentItem.objects.select_for_update(no_key=True).get(pk=item.pk)


def _transition(item: ContentItem, target: str) -> str:
    try:
        workflow.check_transition(item.status, target)
    except workflow.InvalidTransition as exc:
        raise ValidationError(_("This step is not possible now (the item is %(status)s).")
                              % {"status": item.get_status_display()}) from exc
    before = item.status
    item.status = target
    item.version = F("version") + 1
    return before


def do_record_item(data: dict[str, Any], *, actor: User, report: PublicReport | None = None,
                   uploads: Iterable[UploadedFile[Any]] = (), now: dt.datetime | None = None) -> ContentItem:
    """Record an item. ``data``: jurisdiction, platform (optional), location, text, categories, found_via,
    found_at (optional), note. Text is scanned by the detection engine and grouped with near-duplicates."""
    require(actor, Permission.CONTENT_HANDLE)
    jurisdiction: Jurisdiction = data["jurisdiction"]
    require_write_in(actor, jurisdiction)
    now = now or timezone.now()
    try:
        categories = workflow.item_categories(data.get("categories") or [])
    except workflow.CategoryError as exc:
        raise ValidationError({"categories": [str(exc)]}) from exc
    text = (data.get("text") or "").strip()
    scans = scan_texts([text]) if text else []
    sig = signature(text) if text else ""
    stored = [evidence.store_upload(upload) for upload in uploads]  # hashed first: they also find the campaign
    with transaction.atomic():
        group = find_group(sig, jurisdiction, location=data["location"], hashes=[s.sha256 for s in stored])
        item = ContentItem.objects.create(
            jurisdiction=jurisdiction, platform=data.get("platform"), location=data["location"].strip(),
            text=text, categories=categories, tier=workflow.tier_of(categories), found_via=data["found_via"],
            found_at=data.get("found_at") or now, recorded_at=now, recorded_by=actor,
            note=data.get("note", ""), scan=scans[0] if scans else None, signature=sig, group=group,
            report=report)
        if text:
            _add_evidence(item, actor=actor, data=text.encode(), kind=Evidence.Kind.TEXT,
                          name=f"{item.reference}.txt", content_type="text/plain; charset=utf-8", now=now)
        for one in stored:
            _add_evidence(item, actor=actor, data=None, stored=one, kind=Evidence.Kind.SCREENSHOT
                          if one.content_type.startswith("image/") else Evidence.Kind.FILE, now=now)
        audit.record(AuditAction.CREATE, actor=actor, obj=item, after=audit.snapshot(item, [
            "jurisdiction", "platform", "location", "categories", "found_via", "group"]))
    return item


def _add_evidence(item: ContentItem | None, *, actor: User | None, kind: str, now: dt.datetime,
                  data: bytes | None = None, stored: evidence.Stored | None = None, name: str = "",
                  content_type: str = "", note: str = "", report: PublicReport | None = None) -> Evidence:
    if stored is None:
        assert data is not None  # noqa: S101  (one of data or stored is always given)
        stored = evidence.Stored(evidence.store_bytes(data), len(data), content_type, evidence.clean_name(name))
    return Evidence.objects.create(item=item, report=report, kind=kind, sha256=stored.sha256, size=stored.size,
                                  content_type=stored.content_type, original_name=stored.name, added_at=now,
                                  added_by=actor, note=note)


def do_add_evidence(item: ContentItem, upload: UploadedFile[Any], *, actor: User, note: str = "") -> Evidence:
    require(actor, Permission.CONTENT_HANDLE)
    require_write_in(actor, item.jurisdiction)
    stored = evidence.store_upload(upload)
    now = timezone.now()
    with transaction.atomic():
        row = _add_evidence(item, actor=actor, stored=stored, now=now, note=note,
                            kind=Evidence.Kind.SCREENSHOT if stored.content_type.startswith("image/")
                            else Evidence.Kind.FILE)
        audit.record(AuditAction.CREATE, actor=actor, obj=row, jurisdiction=item.jurisdiction,
                     after={"item": item.pk, "sha256": row.sha256, "size": row.size})
    return row


def do_copy_report_evidence(report: PublicReport, item: ContentItem, *, actor: User,
                            now: dt.datetime | None = None) -> list[Evidence]:
    """Give ``item`` the attachments of the public report it came from: a new evidence row of the item (and so
    of its jurisdiction) for each, with the same hash and the same stored file (nothing is copied on disk).
    The caller has checked that the actor may record the item; each copy writes an audit row."""
    require(actor, Permission.CONTENT_HANDLE)
    require_write_in(actor, item.jurisdiction)
    now = now or timezone.now()
    copies: list[Evidence] = []
    with transaction.atomic():
        for source in report.attachments.all():
            row = Evidence.objects.create(
                item=item, kind=source.kind, sha256=source.sha256, size=source.size,
                content_type=source.content_type, original_name=source.original_name, added_at=now,
                added_by=actor, note=f"{_('Attachment of public report')} {report.ack_number}"[:500])
            audit.record(AuditAction.CREATE, actor=actor, obj=row, jurisdiction=item.jurisdiction,
                         after={"item": item.pk, "sha256": row.sha256, "size": row.size, "copied_from": source.pk,
                                "report": report.ack_number})
            copies.append(row)
    return copies


def evidence_for_download(row: Evidence, *, actor: User) -> IO[bytes]:
    """One evidence file for ``actor``, open and checked against its hash (OSError when missing or altered), for
    the caller to stream and close; every download writes an audit row."""
    require(actor, Permission.EVIDENCE_DOWNLOAD)
    if not actor.can_read_in(row.jurisdiction):
        raise PermissionDenied(_("This record belongs to a jurisdiction outside yours."))
    handle = evidence.open_verified(row.sha256)
    try:
        audit.record(AuditAction.EXPORT, actor=actor, obj=row, jurisdiction=row.jurisdiction,
                     reason="evidence download", after={"sha256": row.sha256})
    except BaseException:
        handle.close()
        raise
    return handle


def do_dismiss(item: ContentItem, *, actor: User, reason: str) -> ContentItem:
    require(actor, Permission.CONTENT_HANDLE)
    require_write_in(actor, item.jurisdiction)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the item needs no action.")]})
    with transaction.atomic():
        item = _locked_item(item)
        before = _transition(item, workflow.DISMISSED)
        item.save(update_fields=["status", "version"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=item, before={"status": before},
                     after={"status": item.status}, reason=reason)
    item.refresh_from_db()
    return item


# ---------------------------------------------------------------- takedown instructions


def do_instruct(item: ContentItem, *, actor: User, note: str = "", platform: Platform | None = None,
                now: dt.datetime | None = None) -> TakedownInstruction:
    """Instruct the platform to remove the item (tier A/C) or to label it (tier B only) by a deadline."""
    require(actor, Permission.CONTENT_HANDLE)
    require_write_in(actor, item.jurisdiction)
    now = now or timezone.now()
    with transaction.atomic():
        item = _locked_item(item)
        target = platform or item.platform
        if target is None:
            raise ValidationError({"platform": [_("Choose the platform that must act.")]})
        before = _transition(item, workflow.INSTRUCTED)
        action = workflow.action_for(item.categories)
        instruction = TakedownInstruction.objects.create(
            item=item, platform=target, action=action, issued_at=now, issued_by=actor, note=note,
            deadline=workflow.deadline(now, action, remove_hours=config.remove_hours(),
                                       label_hours=config.label_hours()))
        if item.platform_id is None:
            item.platform = target
        item.save(update_fields=["status", "version", "platform"])
        audit.record(AuditAction.CREATE, actor=actor, obj=instruction, jurisdiction=item.jurisdiction,
                     after=audit.snapshot(instruction, ["item", "platform", "action", "deadline"]),
                     reason=note)
        audit.record(AuditAction.TRANSITION, actor=actor, obj=item, before={"status": before},
                     after={"status": item.status})
    item.refresh_from_db()
    return instruction


def _locked_instruction(instruction: TakedownInstruction) -> TakedownInstruction:
    return (TakedownInstruction.objects.select_for_update(of=("self", "item"), no_key=True)
            .select_related("item", "platform").get(pk=instruction.pk))


def do_confirm(instruction: TakedownInstruction, *, actor: User, confirmation: str,
               confirmed_at: dt.datetime | None = None) -> TakedownInstruction:
    """Record the platform's confirmation (what it did and when)."""
    require(actor, Permission.CONTENT_HANDLE)
    require_write_in(actor, instruction.item.jurisdiction)
    if not confirmation.strip():
        raise ValidationError({"confirmation": [_("Record what the platform confirmed.")]})
    now = timezone.now()
    confirmed_at = confirmed_at or now
    if confirmed_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"confirmed_at": [_("The confirmation time is in the future.")]})
    with transaction.atomic():
        instruction = _locked_instruction(instruction)
        if instruction.status not in {InstructionStatus.PENDING, InstructionStatus.ESCALATED}:
            raise ValidationError(_("This instruction is not awaiting the platform."))
        item = _locked_item(instruction.item)
        before = _transition(item, workflow.CONFIRMED)
        instruction.status = InstructionStatus.CONFIRMED
        instruction.confirmed_at = confirmed_at
        instruction.confirmation = confirmation
        instruction.save(update_fields=["status", "confirmed_at", "confirmation"])
        item.save(update_fields=["status", "version"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=instruction, jurisdiction=item.jurisdiction,
                     after={"status": instruction.status, "confirmed_at": confirmed_at}, reason=confirmation)
        audit.record(AuditAction.TRANSITION, actor=actor, obj=item, before={"status": before},
                     after={"status": item.status})
    return instruction


def do_verify(instruction: TakedownInstruction, *, actor: User, done: bool, note: str,
              now: dt.datetime | None = None) -> TakedownInstruction:
    """A person checks the location: gone (or labelled) → the item is handled; still there → back to recorded
    for a new instruction."""
    require(actor, Permission.CONTENT_HANDLE)
    require_write_in(actor, instruction.item.jurisdiction)
    if not note.strip():
        raise ValidationError({"note": [_("Say how it was checked.")]})
    now = now or timezone.now()
    with transaction.atomic():
        instruction = _locked_instruction(instruction)
        if instruction.status != InstructionStatus.CONFIRMED:
            raise ValidationError(_("Only a confirmed instruction can be verified."))
        item = _locked_item(instruction.item)
        before = _transition(item, workflow.HANDLED if done else workflow.RECORDED)
        instruction.status = InstructionStatus.VERIFIED if done else InstructionStatus.FAILED
        instruction.verified_at = now
        instruction.verified_by = actor
        instruction.verification = note
        instruction.save(update_fields=["status", "verified_at", "verified_by", "verification"])
        if done:
            item.handled_at = now
            item.handling = instruction.action
        item.save(update_fields=["status", "version", "handled_at", "handling"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=instruction, jurisdiction=item.jurisdiction,
                     after={"status": instruction.status}, reason=note)
        audit.record(AuditAction.TRANSITION, actor=actor, obj=item, before={"status": before},
                     after={"status": item.status, "handling": item.handling}, reason=note)
    return instruction


def item_url(item: ContentItem) -> str:
    return reverse("content:item_detail", args=[item.pk])


def do_escalate(instruction: TakedownInstruction, *, actor: User, reason: str,
                now: dt.datetime | None = None) -> TakedownInstruction:
    """Hand an ignored instruction (pending past its deadline) to supervision. Raises ValidationError when
    the instruction is not overdue or when no supervision module receives referrals."""
    require(actor, Permission.CONTENT_HANDLE)
    require_write_in(actor, instruction.item.jurisdiction)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the platform's handling needs supervision.")]})
    now = now or timezone.now()
    with transaction.atomic():
        instruction = _locked_instruction(instruction)
        clock = workflow.InstructionClock(instruction.status, instruction.deadline, instruction.confirmed_at)
        if not workflow.may_escalate(clock, now):
            raise ValidationError(_("Only an instruction the platform ignored past its deadline is escalated."))
        item = _locked_item(instruction.item)
        before = _transition(item, workflow.ESCALATED)
        referral = ReferralRequest(
            platform_id=instruction.platform_id, kind="inspection", reason=reason,
            source_label=f"有害信息 {item.reference}", source_url=item_url(item),
            jurisdiction_id=instruction.platform.jurisdiction_id)
        try:
            references = request_referral(referral, actor=actor)
        except NoReceiverError as exc:
            raise ValidationError(_("The supervision module is not installed, so nothing can receive the "
                                    "escalation. Contact the platform directly and record the outcome.")) from exc
        instruction.status = InstructionStatus.ESCALATED
        instruction.escalated_at = now
        instruction.escalation_reference = ", ".join(references)[:200]
        instruction.save(update_fields=["status", "escalated_at", "escalation_reference"])
        item.save(update_fields=["status", "version"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=instruction, jurisdiction=item.jurisdiction,
                     after={"status": instruction.status, "reference": instruction.escalation_reference},
                     reason=reason)
        audit.record(AuditAction.TRANSITION, actor=actor, obj=item, before={"status": before},
                     after={"status": item.status}, reason=reason)
    return instruction


# ---------------------------------------------------------------- public reports


class RateLimited(Exception):
    """Too many submissions from one client in the window."""


def client_ip(meta: Mapping[str, Any]) -> str:
    """The client address that public reports are counted by: the same address the audit log records
    (:func:`youthsafe.core.middleware.client_ip`, X-Forwarded-For only behind trusted proxies)."""
    return core_client_ip(meta)


def record_contact_view(report: PublicReport, *, actor: User) -> None:
    """Showing a reporter's contact details (personal data) is audited; a report without any is not."""
    if report.contact:
        audit.record(AuditAction.VIEW, actor=actor, obj=report, reason="reporter contact shown")


def client_key(ip: str) -> str:
    """A keyed hash of the client address: enough to count submissions, never the address itself."""
    return hmac.new(str(settings.SECRET_KEY).encode(), f"report:{ip}".encode(), hashlib.sha256).hexdigest()


def take_rate_slot(key: str, now: dt.datetime | None = None) -> None:
    """Count one submission for ``key`` in the current window (in the database, so every process agrees);
    RateLimited when the limit is reached. Inside the caller's transaction the count is rolled back with it."""
    limit, window = config.rate_limit()
    now = now or timezone.now()
    bucket = int(now.timestamp()) // window
    with transaction.atomic():
        try:
            with transaction.atomic():
                RateBucket.objects.create(key=key, window=bucket, count=0)
        except IntegrityError:
            pass
        updated = RateBucket.objects.filter(key=key, window=bucket, count__lt=limit).update(count=F("count") + 1)
    if not updated:
        raise RateLimited
    if secrets.randbelow(50) == 0:  # now and then, forget old windows
        RateBucket.objects.filter(window__lt=bucket - 1).delete()


def new_ack_number() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"JB-{body[:5]}-{body[5:]}"


def report_jurisdiction() -> Jurisdiction:
    code = config.report_jurisdiction_code()
    found = Jurisdiction.objects.filter(code=code).first() if code else None
    found = found or Jurisdiction.objects.filter(parent__isnull=True).order_by("id").first()
    if found is None:
        raise ValidationError(_("Reports cannot be received yet: no jurisdiction is set up."))
    return found


def submit_report(data: dict[str, Any], *, uploads: Sequence[UploadedFile[Any]] = (), ip: str = "",
                  now: dt.datetime | None = None) -> PublicReport:
    """File a public report. ``data`` was validated by the form or the API schema. Reports about sexual
    content involving minors keep no contact details: the reporter stays anonymous by default."""
    now = now or timezone.now()
    if len(uploads) > config.report_max_files():
        raise ValidationError(_("At most %(n)d files.") % {"n": config.report_max_files()})
    for upload in uploads:
        evidence.check(upload)  # raises ValidationError for bad files; nothing is written yet
    place = report_jurisdiction()  # a report that cannot be filed is refused before it is counted
    contact = (data.get("contact") or "").strip()
    if data["reason"] == ReportReason.A02:
        contact = ""
    with transaction.atomic():
        # The slot is counted in the report's own transaction: a submission that fails after this point (in
        # the database, on disk) rolls the count back with it, so only a filed report uses up a slot. It is
        # taken before any file is stored: a refused report leaves nothing on disk.
        take_rate_slot(client_key(ip), now)
        stored = [evidence.store_upload(u) for u in uploads]
        for _attempt in range(5):
            ack = new_ack_number()
            if not PublicReport.objects.filter(ack_number=ack).exists():
                break
        report = PublicReport.objects.create(
            ack_number=ack, jurisdiction=place, reporter_kind=data.get("reporter_kind") or "public",
            reason=data["reason"], location=data["location"].strip(), platform_name=data.get("platform_name", ""),
            explanation=data["explanation"].strip(), contact=contact, good_faith=bool(data["good_faith"]),
            received_at=now)
        for s in stored:
            _add_evidence(None, actor=None, stored=s, now=now, report=report,
                          kind=Evidence.Kind.SCREENSHOT if s.content_type.startswith("image/") else Evidence.Kind.FILE)
        audit.record(AuditAction.CREATE, actor=None, obj=report, actor_label="public",
                     after={"reason": report.reason, "reporter_kind": report.reporter_kind,
                            "attachments": len(stored)})
    return report


def do_triage_report(report: PublicReport, *, actor: User, outcome: str, note: str, reply: str = "") -> PublicReport:
    """Decide what happens to a report: ``lead`` (a lead is opened; see leads.services), ``welfare`` (a person
    in distress: passed to early warning, where people decide on outreach) or ``rejected``."""
    require(actor, Permission.REPORT_TRIAGE)
    require_write_in(actor, report.jurisdiction)
    if outcome not in {ReportStatus.LEAD, ReportStatus.WELFARE, ReportStatus.REJECTED}:
        raise ValidationError({"outcome": [_("Choose what happens to the report.")]})
    if not note.strip():
        raise ValidationError({"note": [_("Say why.")]})
    with transaction.atomic():
        report = PublicReport.objects.select_for_update(no_key=True).get(pk=report.pk)
        if report.status != ReportStatus.RECEIVED:
            raise ValidationError(_("This report was already triaged."))
        if report.is_distress and outcome == ReportStatus.LEAD:
            raise ValidationError(_("A report about a person in distress goes to early warning, not to takedown."))
        report.status = outcome
        report.triaged_at = timezone.now()
        report.triaged_by = actor
        report.triage_note = note
        report.public_reply = reply[:500]
        report.save(update_fields=["status", "triaged_at", "triaged_by", "triage_note", "public_reply"])
        audit.record(AuditAction.TRANSITION, actor=actor, obj=report, after={"status": outcome}, reason=note)
    return report
