"""Evidence storage: content-addressed by SHA-256 under MEDIA_ROOT/evidence/, written once, never overwritten.

Only a few kinds of files are accepted, recognised by their first bytes (what a file claims to be in its
name or Content-Type is not trusted).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from youthsafe.content import config

# magic bytes -> content type
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
ALLOWED_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    content_type: str
    name: str


def sniff(head: bytes) -> str | None:
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "evidence"


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return root() / sha256[:2] / sha256


def clean_name(name: str) -> str:
    base = os.path.basename(name or "").replace("\x00", "").strip()
    return base[:200] or "evidence"


def check(upload: UploadedFile[Any]) -> str:
    """The content type of an acceptable upload; ValidationError when too large or of a refused type."""
    limit = config.evidence_max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(_("The file is larger than %(mb).1f MB.") % {"mb": limit / 1024 / 1024})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ValidationError(_("Only PNG, JPEG, GIF, WebP images and PDF files are accepted."))
    return kind


def store_bytes(data: bytes) -> str:
    """Write ``data`` under its hash unless that file exists; returns the hash. Existing files are never
    touched: the same bytes have the same name, so there is nothing to overwrite."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{digest}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o440)
    try:
        os.link(tmp, target)  # atomic, and fails rather than replace a file that appeared meanwhile
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return digest


def store_upload(upload: UploadedFile[Any]) -> Stored:
    kind = check(upload)
    data = b"".join(upload.chunks())
    if len(data) > config.evidence_max_bytes():
        raise ValidationError(_("The file is too large."))
    return Stored(store_bytes(data), len(data), kind, clean_name(upload.name or ""))


def read(sha256: str) -> bytes:
    """The stored bytes, checked against their name: a file altered on disk is refused."""
    data = path_for(sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OSError(f"evidence {sha256} was altered on disk")
    return data
