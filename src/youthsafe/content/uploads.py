"""Limits on what a public report may send, applied while the body arrives (not after it was received).

``too_large(request)`` compares the declared Content-Length with the report limit before anything is read;
``ReportUploadLimit`` (an upload handler put first for the public form) counts the bytes of each file and of
all files as they stream in and stops the upload as soon as a limit is passed, so an oversized file is never
read to its end, kept in memory or written to disk.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from youthsafe.content import config

REFUSED = "_youthsafe_upload_refused"


def too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return False  # Django refuses a malformed length itself
    return length > config.report_max_bytes()


def refused(request: HttpRequest) -> bool:
    """True when the upload handler stopped this request's upload."""
    return bool(getattr(request, REFUSED, False))


class ReportUploadLimit(FileUploadHandler):
    """Stops the upload once one file passes the evidence limit or all files pass the report limit."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.file_limit = config.evidence_max_bytes()
        self.total_limit = config.report_max_bytes()
        self.total = 0
        self.in_file = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.in_file = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.in_file += len(raw_data)
        self.total += len(raw_data)
        if self.in_file > self.file_limit or self.total > self.total_limit:
            setattr(self.request, REFUSED, True)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the file
