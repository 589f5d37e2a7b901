"""Files kept with supervision records, and their download: checklist evidence on inspections, the platform's
evidence of rectification and the refusal's file on orders, the provider's self-assessment report, the file of
an interview or risk note. Each is stored with its SHA-256 when it is uploaded; a download needs
``evidence:download`` and a record of the reader's jurisdiction, is served only when the stored bytes still
have that SHA-256, and writes one audit row (as content's evidence downloads do)."""

from __future__ import annotations

import logging
import os
import unicodedata
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from youthsafe.core import audit, uploads
from youthsafe.core.access import require
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission
from youthsafe.supervision.models import Assessment, Evidence, Inspection, Interview, RectificationOrder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileKind:
    """Where one kind of file lives: its model and the fields of the file, its name and its SHA-256."""

    model: type[models.Model]
    file: str
    name: str
    sha256: str


EVIDENCE = "evidence"
RECTIFICATION = "rectification"
REFUSAL = "refusal"
ASSESSMENT_REPORT = "assessment_report"
INTERVIEW = "interview"
KINDS: dict[str, FileKind] = {
    EVIDENCE: FileKind(Evidence, "file", "name", "sha256"),
    RECTIFICATION: FileKind(RectificationOrder, "evidence_file", "evidence_file_name", "evidence_sha256"),
    REFUSAL: FileKind(RectificationOrder, "refusal_file", "refusal_file_name", "refusal_sha256"),
    ASSESSMENT_REPORT: FileKind(Assessment, "report_file", "report_file_name", "report_sha256"),
    INTERVIEW: FileKind(Interview, "file", "file_name", "sha256"),
}


class StoredFileError(Exception):
    """The stored file cannot be served as recorded: missing, altered, or never hashed. Nothing is sent."""


@dataclass(frozen=True)
class Download:
    """A file to send: open at its start, checked against its SHA-256; the response streams and closes it."""

    name: str
    sha256: str
    handle: IO[bytes]


def visible_record(kind: str, pk: int, user: User) -> Any:
    """The record holding a file of ``kind``, when it is in the user's jurisdictions and has such a file; 404
    otherwise (a record of another jurisdiction is not revealed to exist)."""
    spec = KINDS[kind]
    try:
        if spec.model is Evidence:
            record: Any = Evidence.objects.select_related("item__inspection__jurisdiction").get(
                pk=pk, item__inspection__in=Inspection.objects.visible_to(user))
        else:
            scoped: Any = spec.model._default_manager
            record = scoped.select_related("jurisdiction").visible_to(user).get(pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404(_("No such record in your jurisdiction.")) from exc
    if not getattr(record, spec.file):
        raise Http404(_("This record has no such file."))
    return record


def jurisdiction_of(record: Any) -> Jurisdiction:
    if isinstance(record, Evidence):
        return record.item.inspection.jurisdiction
    place: Jurisdiction = record.jurisdiction
    return place


def file_name(kind: str, record: Any) -> str:
    """The name the file was uploaded with, reduced to a safe file name (no directories, no control
    characters, no quotes); ``file`` when nothing is left."""
    spec = KINDS[kind]
    raw = str(getattr(record, spec.name) or "") or os.path.basename(getattr(record, spec.file).name or "")
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if unicodedata.category(c)[0] != "C" and c not in '"<>|:*?')
    cleaned = cleaned.strip(" .")
    return cleaned[:200] or "file"


def file_for_download(kind: str, record: Any, *, actor: User) -> Download:
    """One file for ``actor``, open and checked (in chunks, never read whole) against the SHA-256 recorded at
    upload; one audit row per download. StoredFileError (and a warning in the log) when the file is missing,
    was altered or has no recorded hash: nothing is served then."""
    spec = KINDS[kind]
    require(actor, Permission.EVIDENCE_DOWNLOAD)
    place = jurisdiction_of(record)
    if not actor.can_read_in(place):
        raise PermissionDenied(_("This record belongs to a jurisdiction outside yours."))
    expected = str(getattr(record, spec.sha256) or "")
    field = getattr(record, spec.file)
    if not field:
        raise StoredFileError(_("This record has no such file."))
    if not expected:
        log.warning("supervision %s file of %s:%s has no recorded SHA-256", kind, spec.model.__name__, record.pk)
        raise StoredFileError(_("No SHA-256 was recorded for this file when it was uploaded, so it cannot be "
                                "verified and is not served."))
    try:
        handle = uploads.open_verified(lambda: field.storage.open(field.name, "rb"), expected, kind)
    except uploads.AlteredFileError as exc:
        log.warning("supervision %s file of %s:%s was altered: recorded %s", kind, spec.model.__name__, record.pk,
                    expected)
        raise StoredFileError(_("The stored file was altered after it was uploaded: its SHA-256 no longer matches "
                                "the one recorded. It is not served.")) from exc
    except OSError as exc:
        log.warning("supervision %s file of %s:%s is missing: %s", kind, spec.model.__name__, record.pk, exc)
        raise StoredFileError(_("The stored file is missing; the audit log keeps its SHA-256.")) from exc
    name = file_name(kind, record)
    obj = record.item.inspection if isinstance(record, Evidence) else record
    try:
        audit.record(AuditAction.EXPORT, actor=actor, obj=obj, jurisdiction=place,
                     object_repr=f"{obj} {kind} file"[:200], reason=f"{kind} file download",
                     after={"file": name, "sha256": expected, **({"evidence": record.pk} if obj is not record else {})})
    except BaseException:
        handle.close()
        raise
    return Download(name, expected, handle)
