"""Attachment files: checked by the product's upload policy (``core.uploads.OUTREACH``: photos, PDF and Office
files recognised by their bytes, not the name the browser sent; ``YOUTHSAFE_OUTREACH_MAX_ATTACHMENT_BYTES``,
10 MB), stored once by SHA-256 under ``MEDIA_ROOT/outreach/``. The web server never serves this directory;
downloads go through a view that checks the reader may see the event, and stream the file."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile

from youthsafe.core import uploads

MAX_BYTES = uploads.OUTREACH.default_bytes


def max_bytes() -> int:
    return uploads.OUTREACH.max_bytes()


def as_file(name: str, data: bytes | File[Any]) -> File[Any]:
    return ContentFile(data, name=name) if isinstance(data, bytes) else data


def check(upload: File[Any]) -> uploads.Checked:
    """(clean file name, content type and size) of an upload, or ValidationError with the reason."""
    checked = uploads.check(upload, uploads.OUTREACH)
    return uploads.Checked(checked.content_type, checked.size, uploads.clean_name(upload.name or "", "attachment"))


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "outreach"


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return root() / sha256[:2] / sha256


def store(data: bytes | File[Any]) -> str:
    """Write the file once (atomically, each write with a temporary file of its own) and return its SHA-256."""
    chunks = [data] if isinstance(data, bytes) else data.chunks()
    digest, _size = uploads.store(chunks, root(), max_bytes=max_bytes())
    return digest


def open_verified(sha256: str) -> IO[bytes]:
    """The stored file, open and checked against its hash (OSError when missing or altered)."""
    path = path_for(sha256)
    return uploads.open_verified(lambda: path.open("rb"), sha256, "attachment")


def read(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()
