"""Retention limits: personal data is purged when its period ends (least data, the brief's principles).

Each feature app may have ``retention.py`` with ``RULES: list[RetentionRule]``. A rule names one kind of
personal data (the text and sealed account id of posts that never became an alert, the platform's answer to
an identity request, ...), its default period and a ``purge(cutoff, now, dry_run)`` function that redacts
every record whose period ended before ``cutoff`` and returns how many it redacted (or would). Records are
redacted, not deleted, so the statistics of past periods keep their counts; a redacted record is never
redacted twice. Every run of a rule that purged anything writes one audit row (action ``purge``) with the
count, the period and the cutoff. The audit log itself is never purged: network logs are kept at least six
months (regulatory-reference section 1.3, CSL Art. 21), and the audit log is the record of who did what.

Periods come from ``YOUTHSAFE_RETENTION_DAYS`` ("pipeline.unalerted_posts=90,alerts.identity_responses=30");
``youthsafe retention list`` shows them, ``youthsafe retention purge [--dry-run]`` applies them (schedule it
nightly).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from youthsafe.core import audit
from youthsafe.core.models import AuditAction

PurgeFunction = Callable[[dt.datetime, dt.datetime, bool], int]  # (cutoff, now, dry_run) -> records


@dataclass(frozen=True)
class RetentionRule:
    key: str  # "<app>.<what>", the name used in YOUTHSAFE_RETENTION_DAYS
    label: str | Promise
    removes: str | Promise  # which personal data the purge removes, and what stays
    default_days: int
    purge: PurgeFunction

    def days(self) -> int:
        configured: dict[str, int] = getattr(settings, "YOUTHSAFE_RETENTION_DAYS", {})
        return int(configured.get(self.key, self.default_days))


@dataclass(frozen=True)
class PurgeResult:
    rule: RetentionRule
    days: int
    cutoff: dt.datetime
    records: int


def all_rules() -> list[RetentionRule]:
    rules: list[RetentionRule] = []
    for app in ["core", *settings.YOUTHSAFE_APPS]:
        if app == "core" or find_spec(f"youthsafe.{app}.retention") is None:
            continue
        rules.extend(importlib.import_module(f"youthsafe.{app}.retention").RULES)
    return rules


def check_configuration(rules: list[RetentionRule]) -> None:
    """A misspelt key in YOUTHSAFE_RETENTION_DAYS would silently keep the default period: refuse it."""
    configured: dict[str, int] = getattr(settings, "YOUTHSAFE_RETENTION_DAYS", {})
    unknown = set(configured) - {r.key for r in rules}
    if unknown:
        raise ValueError(f"YOUTHSAFE_RETENTION_DAYS names unknown kind(s): {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(r.key for r in rules)}")


def run(*, now: dt.datetime | None = None, dry_run: bool = False, only: set[str] | None = None) -> list[PurgeResult]:
    """Apply every rule (or those in ``only``); each rule in its own transaction with its audit row."""
    now = now or timezone.now()
    rules = all_rules()
    unknown = (only or set()) - {r.key for r in rules}
    if unknown:
        raise ValueError(f"unknown retention rule(s): {', '.join(sorted(unknown))}")
    check_configuration(rules)
    results: list[PurgeResult] = []
    for rule in rules:
        if only is not None and rule.key not in only:
            continue
        days = rule.days()
        cutoff = now - dt.timedelta(days=days)
        with transaction.atomic():
            records = rule.purge(cutoff, now, dry_run)
            if records and not dry_run:
                audit.record(AuditAction.PURGE, actor=None, actor_label="retention", object_type=rule.key,
                             object_repr=str(rule.label)[:200],
                             after={"records": records, "days": days, "cutoff": cutoff.isoformat()},
                             reason=f"retention period of {days} days ended")
        results.append(PurgeResult(rule, days, cutoff, records))
    return results
