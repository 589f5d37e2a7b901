"""The one upload policy of the product: every file it accepts, how large it may be, what it may be, and how it
is stored and served.

**Kinds of upload** (``POLICIES``; each limit is a setting, read at call time):

=================  ===============================================  =========================================
policy             types (decided by the file's bytes)              limit
=================  ===============================================  =========================================
``EVIDENCE``       images (PNG, JPEG, GIF, WebP), PDF               ``YOUTHSAFE_EVIDENCE_MAX_BYTES``, 5 MB:
                                                                    content items, public reports, leads
``OUTREACH``       photos (PNG, JPEG), PDF, DOCX, XLSX, PPTX        ``YOUTHSAFE_OUTREACH_MAX_ATTACHMENT_BYTES``,
                                                                    10 MB: campaign and event attachments
``SUPERVISION``    images, PDF, DOCX, XLSX, plain text              ``YOUTHSAFE_SUPERVISION_MAX_FILE_BYTES``,
                                                                    20 MB: inspection evidence, rectification
                                                                    and refusal files, assessment reports,
                                                                    interview records
``REGISTRY``       XLSX, CSV (plain text)                           ``YOUTHSAFE_MAX_UPLOAD_BYTES``, 10 MB:
                                                                    platform import (and its XLSX is checked
                                                                    further before it is parsed:
                                                                    registry/tabular.py)
=================  ===============================================  =========================================

Above them all, ``YOUTHSAFE_MAX_REQUEST_BYTES`` (25 MB) bounds every request body (bodylimit.py).

**Type by content.** What a file claims in its name or Content-Type is not trusted: the first bytes say what it
is (images, PDF), an Office file is a zip archive holding ``[Content_Types].xml`` and its main part
(``word/document.xml``, ``xl/workbook.xml``, ``ppt/presentation.xml``) within the bounds of archives.py, and
plain text is UTF-8 or GB18030
without control characters, accepted only where a form expects it. A name whose extension claims another type
(a text file named ``.png``) is refused; a photo saved under another photo's extension is still a photo.

**Storage.** ``store`` writes content-addressed files: each write has a temporary file of its own
(``tempfile.mkstemp`` in the store's directory), renamed into place with ``os.replace``; a file already stored
under its hash is reused, so identical uploads at the same moment neither collide nor rewrite each other.

**Downloads** stream the stored file (``FileResponse``) after checking its SHA-256 in chunks; nothing reads a
whole file into memory.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.http import FileResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from youthsafe.core.archives import CHUNK, ArchiveError, ZipLimits, check_zip

MB = 1024 * 1024

PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
TEXT = "text/plain"
IMAGES = frozenset({PNG, JPEG, GIF, WEBP})
OFFICE = frozenset({DOCX, XLSX, PPTX})

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"%PDF-", PDF),
)
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats (.doc, .xls, .ppt)
_OFFICE_PARTS: tuple[tuple[str, str], ...] = (
    (DOCX, "word/document.xml"),
    (XLSX, "xl/workbook.xml"),
    (PPTX, "ppt/presentation.xml"),
)
# The extensions a name may have for each type; a name without an extension is judged by its bytes alone.
_EXTENSIONS: dict[str, frozenset[str]] = {
    PNG: frozenset({".png"}),
    JPEG: frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
    GIF: frozenset({".gif"}),
    WEBP: frozenset({".webp"}),
    PDF: frozenset({".pdf"}),
    DOCX: frozenset({".docx"}),
    XLSX: frozenset({".xlsx"}),
    PPTX: frozenset({".pptx"}),
    TEXT: frozenset({".txt", ".text", ".csv", ".tsv", ".log", ".md"}),  # a policy may name fewer
}
_IMAGE_EXTENSIONS = frozenset().union(*(_EXTENSIONS[k] for k in IMAGES))
_DESCRIPTIONS: dict[str, Promise] = {
    PNG: _l("a PNG image"), JPEG: _l("a JPEG image"), GIF: _l("a GIF image"), WEBP: _l("a WebP image"),
    PDF: _l("a PDF document"), DOCX: _l("a Word document (DOCX)"), XLSX: _l("an Excel workbook (XLSX)"),
    PPTX: _l("a PowerPoint presentation (PPTX)"), TEXT: _l("plain text"),
}
# Control characters plain text does not contain (tab, line feed, form feed and carriage return are text).
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


# ---------------------------------------------------------------- policies


# Office attachments are stored, not parsed: only what their archive declares is checked (no real document
# comes near these bounds; a zip bomb does).
OFFICE_LIMITS = ZipLimits(max_members=10_000, max_member_bytes=256 * MB, max_total_bytes=512 * MB)
# A registry workbook is parsed: the largest import (5,000 rows of 100 columns) unpacks to about 25 MB.
XLSX_IMPORT_LIMITS = ZipLimits(max_members=500, max_member_bytes=32 * MB, max_total_bytes=64 * MB)


@dataclass(frozen=True)
class Policy:
    """One kind of upload: the types it accepts, the setting holding its size limit, and what to say about a
    file of another type."""

    key: str
    types: frozenset[str]
    setting: str
    default_bytes: int
    refused: Promise
    zip_limits: ZipLimits = OFFICE_LIMITS
    text_extensions: frozenset[str] = _EXTENSIONS[TEXT]

    def extensions(self, kind: str) -> frozenset[str]:
        """The extensions a file of ``kind`` may be named with under this policy."""
        return self.text_extensions if kind == TEXT else _EXTENSIONS[kind]

    def max_bytes(self) -> int:
        value = getattr(settings, self.setting, None)
        try:
            return int(value) if value not in (None, "") else self.default_bytes
        except (TypeError, ValueError):
            return self.default_bytes


EVIDENCE = Policy("evidence", IMAGES | {PDF}, "YOUTHSAFE_EVIDENCE_MAX_BYTES", 5 * MB,
                  _l("Only PNG, JPEG, GIF, WebP images and PDF files are accepted."))
OUTREACH = Policy("outreach", frozenset({PNG, JPEG, PDF}) | OFFICE, "YOUTHSAFE_OUTREACH_MAX_ATTACHMENT_BYTES", 10 * MB,
                  _l("Only photos (JPEG, PNG), PDF and Office files (PPTX, DOCX, XLSX) can be attached."))
SUPERVISION = Policy("supervision", IMAGES | {PDF, DOCX, XLSX, TEXT}, "YOUTHSAFE_SUPERVISION_MAX_FILE_BYTES",
                     20 * MB, _l("Only images (PNG, JPEG, GIF, WebP), PDF, Word (DOCX), Excel (XLSX) and plain-text "
                                 "files are accepted."))
REGISTRY = Policy("registry", frozenset({XLSX, TEXT}), "DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * MB,
                  _l("Upload a CSV file (text in UTF-8 or GB18030) or an XLSX workbook."), XLSX_IMPORT_LIMITS,
                  frozenset({".csv"}))
POLICIES: tuple[Policy, ...] = (EVIDENCE, OUTREACH, SUPERVISION, REGISTRY)


@dataclass(frozen=True)
class Checked:
    content_type: str
    size: int
    name: str


def clean_name(name: str, default: str = "file") -> str:
    """The base name of an uploaded file without directories or control characters, at most 200 characters."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = _NOT_TEXT.sub("", base).strip()
    return base[:200] or default


def too_large_message(limit: int) -> str:
    return _("The file is larger than %(mb).1f MB.") % {"mb": limit / MB}


def check(upload: File[Any], policy: Policy) -> Checked:
    """The content type, size and clean name of an acceptable upload; ValidationError (with the reason, in the
    user's language) when it is too large, empty, of a type ``policy`` does not accept, or named as another
    type. Only the size is read from the upload before the limit is checked."""
    limit = policy.max_bytes()
    size = upload.size
    if size is None or size > limit:
        raise ValidationError(too_large_message(limit), code="too_large")
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = detect(upload, allow_text=TEXT in policy.types)
    if kind is None or kind not in policy.types:
        old_office = kind is None and bool(policy.types & OFFICE) and _head(upload).startswith(_OLE_MAGIC)
        raise ValidationError(_("Old Office files (.doc, .xls, .ppt) are not accepted; save the file in the newer "
                                "format (.docx, .xlsx, .pptx) or as PDF.") if old_office else str(policy.refused),
                              code="type")
    name = upload.name or ""
    suffix = PurePath(name).suffix.lower()
    if suffix and suffix not in policy.extensions(kind) and not (kind in IMAGES and suffix in _IMAGE_EXTENSIONS):
        raise ValidationError(_("The file is named %(ext)s but its content is %(kind)s.")
                              % {"ext": suffix, "kind": _DESCRIPTIONS[kind]}, code="name")
    if kind in OFFICE:
        try:
            check_zip(upload, policy.zip_limits, read=False)
        except ArchiveError as exc:
            raise ValidationError(exc.message, code="archive") from exc
        finally:
            upload.seek(0)
    return Checked(kind, size, clean_name(name))


def check_field(upload: File[Any], policy: Policy, field: str = "file") -> Checked:
    """``check`` for a service: the refusal is the error of form field ``field``."""
    try:
        return check(upload, policy)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


class PolicyFileField(forms.FileField):
    """A form's file field that applies ``policy`` (the service applies it again)."""

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        self.policy = policy  # before Field.__init__, which asks widget_attrs
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ",".join(sorted(set().union(*(self.policy.extensions(kind) for kind in self.policy.types))))
        return attrs

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            check(upload, self.policy)
        return upload


# ---------------------------------------------------------------- types by content


def _head(upload: File[Any], n: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return bytes(head)


def detect(upload: File[Any], *, allow_text: bool) -> str | None:
    """The type of ``upload`` by its bytes, or None when it is none the product accepts. Plain text is looked
    for only with ``allow_text`` (it is what is left when nothing else matched)."""
    head = _head(upload)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(_ZIP_MAGIC):
        return _office_kind(upload)
    if allow_text and is_text(upload):
        return TEXT
    return None


def _office_kind(upload: File[Any]) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for kind, part in _OFFICE_PARTS:
        if part in names:
            return kind
    return None


def is_text(upload: File[Any]) -> bool:
    """True when every byte of ``upload`` decodes as UTF-8 (a byte-order mark allowed) or else GB18030 (what
    Excel and Notepad on Chinese Windows save), without control characters other than tab and line breaks."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        upload.seek(0)
        try:
            for chunk in upload.chunks(CHUNK):
                if _NOT_TEXT.search(decoder.decode(chunk)):
                    return False
            if _NOT_TEXT.search(decoder.decode(b"", final=True)):
                return False
        except UnicodeDecodeError:
            continue
        finally:
            upload.seek(0)
        return True
    return False


# ---------------------------------------------------------------- storage and downloads


class TooLarge(ValidationError):
    pass


def store(chunks: Iterable[bytes], root: Path, *, max_bytes: int | None = None, mode: int = 0o440) -> tuple[str, int]:
    """Write ``chunks`` to ``root/<sha[:2]>/<sha256>`` unless that file exists; returns (sha256, size).

    The bytes go to a temporary file of this write's own (``mkstemp`` in ``root``, so the rename stays on one
    file system), flushed to disk, then renamed into place with ``os.replace``. A file already stored under the
    hash is reused: it has the same bytes, and identical uploads at the same moment each finish without error.
    ``max_bytes``: refuse (TooLarge, nothing kept) an upload that turns out larger than its declared size."""
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-", suffix=".tmp")
    tmp = Path(tmp_name)
    placed = False
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise TooLarge(too_large_message(max_bytes), code="too_large")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())  # a reused file must never be one a crash left empty
        sha = digest.hexdigest()
        target = root / sha[:2] / sha
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            tmp.chmod(mode)
            os.replace(tmp, target)
            placed = True
        return sha, size
    finally:
        if not placed:
            tmp.unlink(missing_ok=True)


class AlteredFileError(OSError):
    """A stored file no longer has the SHA-256 it was stored with."""


def open_verified(opener: Callable[[], IO[bytes]], sha256: str, what: str = "file") -> IO[bytes]:
    """The stored file, open at its start, once its SHA-256 (computed in chunks) is ``sha256``; the caller
    closes it (a FileResponse does). AlteredFileError when it differs, OSError when it cannot be opened."""
    handle = opener()
    try:
        digest = hashlib.sha256()
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
        if digest.hexdigest() != sha256:
            raise AlteredFileError(f"{what} {sha256} was altered on disk")
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle


def file_response(handle: IO[bytes], *, content_type: str, filename: str = "",
                  as_attachment: bool = True) -> FileResponse:
    """Stream ``handle`` (closed when the response is) with its length; never read into memory."""
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


