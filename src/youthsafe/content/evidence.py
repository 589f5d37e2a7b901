"""Evidence storage: content-addressed by SHA-256 under MEDIA_ROOT/evidence/, written once, never overwritten.

Only a few kinds of files are accepted, recognised by their bytes (what a file claims to be in its name or
Content-Type is not trusted): the product's upload policy ``core.uploads.EVIDENCE`` (images and PDF, up to
``YOUTHSAFE_EVIDENCE_MAX_BYTES``). Writing and serving are ``core.uploads.store`` and ``open_verified``: each
write has a temporary file of its own, an existing file is reused, and a download streams the file after its
hash was checked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from youthsafe.core import uploads

ALLOWED_TYPES = tuple(sorted(uploads.EVIDENCE.types))


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    content_type: str
    name: str


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "evidence"


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return root() / sha256[:2] / sha256


def clean_name(name: str) -> str:
    return uploads.clean_name(name, "evidence")


def check(upload: UploadedFile[Any]) -> str:
    """The content type of an acceptable upload; ValidationError when too large or of a refused type."""
    return uploads.check(upload, uploads.EVIDENCE).content_type


def store_bytes(data: bytes) -> str:
    """Write ``data`` under its hash unless that file exists; returns the hash. Existing files are never
    touched: the same bytes have the same name, so there is nothing to overwrite."""
    digest, _size = uploads.store([data], root())
    return digest


def store_upload(upload: UploadedFile[Any]) -> Stored:
    checked = uploads.check(upload, uploads.EVIDENCE)
    digest, size = uploads.store(upload.chunks(), root(), max_bytes=uploads.EVIDENCE.max_bytes())
    return Stored(digest, size, checked.content_type, clean_name(upload.name or ""))


def open_verified(sha256: str) -> IO[bytes]:
    """The stored file, open and checked against its name (OSError when missing or altered on disk)."""
    path = path_for(sha256)
    return uploads.open_verified(lambda: path.open("rb"), sha256, "evidence")


def read(sha256: str) -> bytes:
    """The stored bytes, checked against their name: a file altered on disk is refused."""
    data = path_for(sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OSError(f"evidence {sha256} was altered on disk")
    return data
