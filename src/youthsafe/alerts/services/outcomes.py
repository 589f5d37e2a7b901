"""Outcomes, follow-up checks at 7 and 30 days, and reviewer labels the model can be retrained on."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from youthsafe.alerts import workflow
from youthsafe.alerts.models import (
    RESOLVING_OUTCOMES,
    AgeBand,
    Alert,
    AlertPerson,
    AlertStatus,
    FollowUp,
    LabelKind,
    Outcome,
    OutcomeKind,
    ReviewLabel,
)
from youthsafe.alerts.services.common import (
    apply_transition,
    lock,
    now_or,
    require_owner,
    require_owner_or_receiver,
    require_reason,
    to_validation,
)
from youthsafe.core import audit
from youthsafe.core.access import require
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.detection import taxonomy
from youthsafe.pipeline.models import Post, ScanRecord

FOLLOW_UP_DAYS = (7, 30)


@transaction.atomic
def do_record_outcome(alert: Alert, *, actor: User, kind: str, note: str, resolve: bool = False,
                      now: dt.datetime | None = None) -> Outcome:
    """Record what happened to the person. A resolving outcome schedules follow-ups at +7 and +30 days; a
    false alarm labels the trigger posts level 0 for retraining. ``resolve`` also resolves the alert."""
    require(actor, Permission.ALERT_OUTCOME)
    require_owner_or_receiver(actor, alert)
    if kind not in OutcomeKind.values:
        raise ValidationError({"kind": [_("Choose an outcome.")]})
    text = require_reason(note, "note")
    now = now_or(now)
    locked = lock(alert)
    outcome = Outcome.objects.create(alert=locked, kind=kind, note=text, unit=actor.jurisdiction,
                                     recorded_by=actor, recorded_at=now)
    if kind in RESOLVING_OUTCOMES:
        FollowUp.objects.bulk_create([FollowUp(alert=locked, outcome=outcome, due_at=now + dt.timedelta(days=d))
                                      for d in FOLLOW_UP_DAYS])
    if kind == OutcomeKind.FALSE_ALARM:
        for ap in locked.posts.filter(is_trigger=True).select_related("post", "scan"):
            ReviewLabel.objects.create(post=ap.post, scan=ap.scan, alert=locked, kind=LabelKind.LEVEL, value="0",
                                       reviewer=actor, note="false_alarm", at=now)
    audit.record(AuditAction.CREATE, actor=actor, obj=outcome, jurisdiction=locked.jurisdiction,
                 after={"alert": locked.pk, "kind": kind}, reason=text)
    if resolve and locked.status not in workflow.TERMINAL:
        _finish(locked, kind, actor=actor, now=now, reason=text)
    return outcome


def _finish(alert: Alert, kind: str, *, actor: User, now: dt.datetime, reason: str) -> None:
    """A false alarm closes the alert; any other outcome resolves it (acknowledging a new one on the way)."""
    try:
        if kind == OutcomeKind.FALSE_ALARM:
            apply_transition(alert, AlertStatus.CLOSED, actor=actor, now=now, reason=reason)
            return
        if alert.status == AlertStatus.NEW:
            apply_transition(alert, AlertStatus.ACKNOWLEDGED, actor=actor, now=now, reason=reason)
        apply_transition(alert, AlertStatus.RESOLVED, actor=actor, now=now, reason=reason)
    except workflow.InvalidTransition as exc:
        raise to_validation(exc) from exc


@transaction.atomic
def do_complete_follow_up(follow_up: FollowUp, *, actor: User, result: str,
                          now: dt.datetime | None = None) -> FollowUp:
    """The person was checked on; ``result`` says how they are."""
    require(actor, Permission.ALERT_OUTCOME)
    require_owner_or_receiver(actor, follow_up.alert)
    text = require_reason(result, "result")
    locked = FollowUp.objects.select_for_update(no_key=True).get(pk=follow_up.pk)
    if locked.done_at is not None:
        raise ValidationError(_("This follow-up is already done."))
    locked.done_at, locked.done_by, locked.result = now_or(now), actor, text
    locked.save()
    audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=follow_up.alert.jurisdiction,
                 after={"done": True}, reason=text)
    return locked


def _check_label(kind: str, value: str) -> str:
    value = str(value).strip()
    if kind == LabelKind.LEVEL:
        if not value.isdigit() or not 0 <= int(value) <= 10:
            raise ValidationError({"value": [_("A risk level is a whole number from 0 to 10.")]})
        return str(int(value))
    if kind == LabelKind.CATEGORY:
        try:
            taxonomy.get(value)
        except (KeyError, ValueError) as exc:
            raise ValidationError({"value": [_("Unknown category.")]}) from exc
        return value
    raise ValidationError({"kind": [_("Choose level or category.")]})


@transaction.atomic
def do_label_post(alert: Alert, post: Post, *, actor: User, kind: str, value: str, note: str = "",
                  now: dt.datetime | None = None) -> ReviewLabel:
    """A reviewer's decision on one post of the alert (its true level or category), kept for retraining."""
    require(actor, Permission.ALERT_REVIEW)
    require_owner(actor, alert)
    member = alert.posts.filter(post=post).first()
    if member is None:
        raise ValidationError(_("This post is not part of the alert."))
    scan: ScanRecord | None = member.scan
    label = ReviewLabel.objects.create(post=post, scan=scan, alert=alert, kind=kind, value=_check_label(kind, value),
                                       reviewer=actor, note=note[:300], at=now_or(now))
    audit.record(AuditAction.CREATE, actor=actor, obj=label, jurisdiction=alert.jurisdiction,
                 after={"post": post.pk, "kind": kind, "value": label.value})
    return label


@transaction.atomic
def do_set_age_band(person: AlertPerson, *, actor: User, band: str, reason: str) -> AlertPerson:
    """Record whether a person at risk is a minor (for the statistics of minors protected). A reviewer or
    responder decides from what the case showed; ``reason`` says how it is known."""
    require(actor, Permission.ALERT_OUTCOME)
    require_owner_or_receiver(actor, person.alert)
    if band not in AgeBand.values:
        raise ValidationError({"band": [_("Choose an age band.")]})
    text = require_reason(reason, "reason")
    locked = AlertPerson.objects.select_for_update(no_key=True).get(pk=person.pk)
    before = locked.age_band
    if before != band:
        locked.age_band = band
        locked.save(update_fields=["age_band"])
        audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=person.alert.jurisdiction,
                     before={"age_band": before}, after={"age_band": band}, reason=text)
    return locked
