"""Retention of early-warning case data (core/retention.py). Periods run from the day an alert was closed:
an open, resolved-but-not-closed or reopened alert keeps everything, whatever its age."""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from youthsafe.alerts.models import Alert, AlertPerson, AlertStatus, IdentityRequest, Outcome
from youthsafe.core.retention import RetentionRule
from youthsafe.pipeline.models import Post
from youthsafe.pipeline.retention import redact_posts


def _closed_before(cutoff: dt.datetime) -> Q:
    return Q(alert__status=AlertStatus.CLOSED, alert__closed_at__lt=cutoff)


def _alert_posts(cutoff: dt.datetime, now: dt.datetime, dry_run: bool) -> int:
    closed = Alert.objects.filter(status=AlertStatus.CLOSED, closed_at__lt=cutoff)
    count = redact_posts(Post.objects.filter(pk__in=closed.values("posts__post_id")), now, dry_run=dry_run)
    if not dry_run:
        # The pseudonyms of the people in the alert: with the posts gone they would only link this person
        # to other alerts. The row (role, highest level) stays for the statistics.
        AlertPerson.objects.filter(_closed_before(cutoff)).exclude(author_key__startswith="purged-").update(
            author_key=Concat(Value("purged-"), Cast("pk", CharField())))
    return count


def _identity_responses(cutoff: dt.datetime, now: dt.datetime, dry_run: bool) -> int:
    rows = IdentityRequest.objects.filter(_closed_before(cutoff)).exclude(response="")
    return rows.count() if dry_run else rows.update(response="")


def _case_notes(cutoff: dt.datetime, now: dt.datetime, dry_run: bool) -> int:
    rows = Outcome.objects.filter(_closed_before(cutoff)).exclude(note="")
    return rows.count() if dry_run else rows.update(note="")


RULES = [
    RetentionRule(
        "alerts.alert_posts", _("Posts of closed alerts"),
        _("text, author pseudonyms, sealed account ids, locations and quoted evidence; levels, roles and the "
          "alert's record stay"),
        365, _alert_posts),
    RetentionRule(
        "alerts.identity_responses", _("Platforms' answers to identity requests (调证)"),
        _("the answer with the account holder's identity; the request, its legal basis and times stay"),
        180, _identity_responses),
    RetentionRule(
        "alerts.outcome_notes", _("Notes on outcomes"),
        _("the free-text note (it may name people and places); the outcome kind and time stay"),
        730, _case_notes),
]
