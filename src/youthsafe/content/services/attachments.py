"""Evidence rows: the files of an item, a public report's attachments given to the item made from it, and
audited downloads. The bytes are kept by ``content.evidence`` (content-addressed, written once); a row is
never changed once written."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from youthsafe.content import evidence
from youthsafe.content.models import ContentItem, Evidence, PublicReport
from youthsafe.content.services.common import item_place
from youthsafe.core import audit, kernel
from youthsafe.core.access import require
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission

TEXT_TYPE = "text/plain; charset=utf-8"


def kind_of(stored: evidence.Stored) -> str:
    return Evidence.Kind.SCREENSHOT if stored.content_type.startswith("image/") else Evidence.Kind.FILE


def store_text(text: str, name: str) -> evidence.Stored:
    """The text of an item, kept as an evidence file of its own."""
    data = text.encode()
    return evidence.Stored(evidence.store_bytes(data), len(data), TEXT_TYPE, evidence.clean_name(name))


def add_row(stored: evidence.Stored, *, actor: User | None, now: dt.datetime, item: ContentItem | None = None,
            report: PublicReport | None = None, kind: str = "", note: str = "") -> Evidence:
    """One evidence row of ``item`` or ``report`` for a stored file (the caller audits it)."""
    return Evidence.objects.create(item=item, report=report, kind=kind or kind_of(stored), sha256=stored.sha256,
                                   size=stored.size, content_type=stored.content_type, original_name=stored.name,
                                   added_at=now, added_by=actor, note=note)


@kernel.service(Permission.CONTENT_HANDLE, scope=item_place)
def do_add_evidence(item: ContentItem, upload: UploadedFile[Any], *, actor: User, note: str = "",
                    now: dt.datetime | None = None) -> Evidence:
    now = kernel.now_or(now)
    row = add_row(evidence.store_upload(upload), actor=actor, now=now, item=item, note=note)
    audit.record(AuditAction.CREATE, actor=actor, obj=row, jurisdiction=item.jurisdiction,
                 after={"item": item.pk, "sha256": row.sha256, "size": row.size}, at=now)
    return row


@kernel.service(Permission.CONTENT_HANDLE, scope=lambda report, item, **_: item.jurisdiction)
def do_copy_report_evidence(report: PublicReport, item: ContentItem, *, actor: User,
                            now: dt.datetime | None = None) -> list[Evidence]:
    """Give ``item`` the attachments of the public report it came from: a new evidence row of the item (and so
    of its jurisdiction) for each, with the same hash and the same stored file (nothing is copied on disk).
    Each copy writes an audit row."""
    now = kernel.now_or(now)
    note = f"{_('Attachment of public report')} {report.ack_number}"[:500]
    copies: list[Evidence] = []
    for source in report.attachments.all():
        stored = evidence.Stored(source.sha256, source.size, source.content_type, source.original_name)
        row = add_row(stored, actor=actor, now=now, item=item, kind=source.kind, note=note)
        audit.record(AuditAction.CREATE, actor=actor, obj=row, jurisdiction=item.jurisdiction,
                     after={"item": item.pk, "sha256": row.sha256, "size": row.size, "copied_from": source.pk,
                            "report": report.ack_number}, at=now)
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
