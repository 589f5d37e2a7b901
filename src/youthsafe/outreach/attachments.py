"""Attachment files: checked by size and by their first bytes (not the name the browser sent), stored once
by SHA-256 under ``MEDIA_ROOT/outreach/``. The web server never serves this directory; downloads go through
a view that checks the reader may see the event."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# Kinds allowed: photos, PDF, and Office files (slides, documents), recognised by their magic bytes.
_ZIP_TYPES = {
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def max_bytes() -> int:
    return int(getattr(settings, "YOUTHSAFE_OUTREACH_MAX_ATTACHMENT_BYTES", MAX_BYTES))


def sniff(name: str, data: bytes) -> str:
    """The content type of ``data``, or ValidationError when it is not an allowed kind."""
    suffix = Path(name).suffix.lower()
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"PK\x03\x04") and suffix in _ZIP_TYPES:
        return _ZIP_TYPES[suffix]
    raise ValidationError(_("Only photos (JPEG, PNG), PDF and Office files (PPTX, DOCX, XLSX) can be attached."))


def check(name: str, data: bytes) -> tuple[str, str]:
    """(clean file name, content type) of an upload, or ValidationError with the reason."""
    if not data:
        raise ValidationError(_("The file is empty."))
    if len(data) > max_bytes():
        raise ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": max_bytes() // (1024 * 1024)})
    clean = Path(name.replace("\\", "/")).name.strip()[:200] or "attachment"
    return clean, sniff(clean, data)


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(settings.MEDIA_ROOT) / "outreach" / sha256[:2] / sha256


def store(data: bytes) -> str:
    """Write ``data`` once (atomically) and return its SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    return digest


def read(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()
