"""Supervision settings, each with a default so the app works without configuration.

core/settings.py reads each ``YOUTHSAFE_SUPERVISION_*`` environment variable of the same name:

- ``RECTIFY_DAYS`` (15): default rectification period in days, proposed on each order and editable there;
- ``RECHECK_WORKING_DAYS`` (3): re-check within this many working days of the deadline (MPS Order 151 [U]);
- ``DISCONNECT_MAX_MONTHS`` (6): longest disconnection or suspension (停止联网, MPS measures Arts. 20-21);
- ``DUE_SOON_DAYS`` (14): the plan calendar marks inspections due within this many days;
- ``NOTICE_NUMBER`` / ``RECORD_NUMBER`` / ``SANCTION_NUMBER``: document number patterns with ``{org}``,
  ``{year}`` and ``{seq}`` (e.g. ``{org}网安责改〔{year}〕{seq:03d}号``);
- ``ORG`` (the first character of the top jurisdiction's name): the issuing organ's short name in numbers;
- ``AUTHORITY`` (the top jurisdiction's name + 公安局): the issuing organ written on documents;
- ``RISK_HIGH_MINORS`` / ``RISK_MEDIUM_MINORS`` (100000 / 10000): minor users that make a platform high or
  medium risk for inspection plans;
- ``ASSESSMENT_REPORT_WORKING_DAYS`` (30): a requested security-assessment report is due this many working
  days after the request (2018 Provisions Art. 7, regulatory-reference 3.5: "within 30 working days" for
  triggers T3-T5, wording [U]; a person may set an earlier date, e.g. the go-live date for T1/T2);
- ``UNDELIVERED_DAYS`` (7): the nightly job flags an order issued this many days ago and still not delivered
  (an operating rule of the unit, not a statutory period).

Settings added after core/settings.py was written are also read straight from the environment
(``YOUTHSAFE_SUPERVISION_<NAME>``), so every one is configurable without a code change.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

DEFAULT_NOTICE_NUMBER = "{org}网安责改〔{year}〕{seq:03d}号"
DEFAULT_RECORD_NUMBER = "{org}网安检〔{year}〕{seq:03d}号"
DEFAULT_SANCTION_NUMBER = "{org}网安罚决字〔{year}〕{seq:03d}号"


def _get(name: str, default: Any) -> Any:
    value = getattr(settings, f"YOUTHSAFE_SUPERVISION_{name}", None)
    if value is None:
        value = os.environ.get(f"YOUTHSAFE_SUPERVISION_{name}")
    return default if value is None or value == "" else value


def _positive(name: str, default: int) -> int:
    value = int(_get(name, default))
    if value <= 0:
        raise ValueError(f"YOUTHSAFE_SUPERVISION_{name} must be a positive integer, got {value}")
    return value


def rectify_days() -> int:
    return _positive("RECTIFY_DAYS", 15)


def recheck_working_days() -> int:
    return _positive("RECHECK_WORKING_DAYS", 3)


def disconnect_max_months() -> int:
    return _positive("DISCONNECT_MAX_MONTHS", 6)


def due_soon_days() -> int:
    return _positive("DUE_SOON_DAYS", 14)


def number_pattern(scheme: str) -> str:
    defaults = {"notice": ("NOTICE_NUMBER", DEFAULT_NOTICE_NUMBER), "record": ("RECORD_NUMBER", DEFAULT_RECORD_NUMBER),
                "sanction": ("SANCTION_NUMBER", DEFAULT_SANCTION_NUMBER)}
    name, default = defaults[scheme]
    return str(_get(name, default))


def org() -> str:
    return str(_get("ORG", ""))


def authority() -> str:
    return str(_get("AUTHORITY", ""))


def risk_thresholds() -> tuple[int, int]:
    return _positive("RISK_HIGH_MINORS", 100_000), _positive("RISK_MEDIUM_MINORS", 10_000)


def assessment_report_working_days() -> int:
    return _positive("ASSESSMENT_REPORT_WORKING_DAYS", 30)


def undelivered_days() -> int:
    return _positive("UNDELIVERED_DAYS", 7)
