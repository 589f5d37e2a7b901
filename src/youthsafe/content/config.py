"""Settings of the content module, read at call time so tests can change them (YOUTHSAFE_* variables)."""

from __future__ import annotations

from django.conf import settings

from youthsafe.content import workflow
from youthsafe.core import uploads


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def evidence_max_bytes() -> int:
    """Largest evidence or report attachment accepted (YOUTHSAFE_EVIDENCE_MAX_BYTES, default 5 MB): the product's
    upload policy for evidence (core/uploads.py)."""
    return uploads.EVIDENCE.max_bytes()


def report_max_files() -> int:
    return _int("YOUTHSAFE_REPORT_MAX_FILES", 3)


def rate_limit() -> tuple[int, int]:
    """(submissions, window in seconds) per client for public reports (YOUTHSAFE_REPORT_RATE_LIMIT,
    YOUTHSAFE_REPORT_RATE_WINDOW; default 10 per hour)."""
    return _int("YOUTHSAFE_REPORT_RATE_LIMIT", 10), max(_int("YOUTHSAFE_REPORT_RATE_WINDOW", 3600), 1)


def report_jurisdiction_code() -> str:
    """Where public reports are filed (YOUTHSAFE_REPORT_JURISDICTION, a jurisdiction code; default: the first
    top-level jurisdiction)."""
    return str(getattr(settings, "YOUTHSAFE_REPORT_JURISDICTION", "") or "")


def remove_hours() -> int:
    return _int("YOUTHSAFE_TAKEDOWN_HOURS", workflow.DEFAULT_REMOVE_HOURS)


def label_hours() -> int:
    return _int("YOUTHSAFE_LABEL_HOURS", workflow.DEFAULT_LABEL_HOURS)


REPORT_FORM_ALLOWANCE = 256 * 1024  # the text fields and multipart headers of a report, beside its files


def report_max_bytes() -> int:
    """Largest public-report request body accepted (YOUTHSAFE_REPORT_MAX_BYTES; default: the most files of the
    largest size plus room for the text fields). A larger body is refused before it is read."""
    return _int("YOUTHSAFE_REPORT_MAX_BYTES", report_max_files() * evidence_max_bytes() + REPORT_FORM_ALLOWANCE)

