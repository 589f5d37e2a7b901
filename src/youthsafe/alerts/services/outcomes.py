"""Outcomes, follow-up checks at 7 and 30 days, and reviewer labels the model can be retrained on."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
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
from youthsafe.alerts.services.common import alert_scope, lock_alert, move, owner_or_receiver
from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.detection import taxonomy
from youthsafe.pipeline.models import Post, ScanRecord

FOLLOW_UP_DAYS = (7, 30)


@kernel.service(Permission.ALERT_OUTCOME, check=owner_or_receiver)
def do_record_outcome(alert: Alert, *, actor: User, kind: str, note: str, resolve: bool = False,
                      now: dt.datetime | None = None) -> Outcome:
    """Record what happened to the person. A resolving outcome schedules follow-ups at +7 and +30 days; a
    false alarm labels the trigger posts level 0 for retraining. ``resolve`` also resolves the alert."""
    if kind not in OutcomeKind.values:
        raise ValidationError({"kind": [_("Choose an outcome.")]})
    text = kernel.require_text(note, "note")
    now = kernel.now_or(now)
    locked = lock_alert(alert)
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
                 after={"alert": locked.pk, "kind": kind}, reason=text, at=now)
    if resolve and locked.status not in workflow.TERMINAL:
        _finish(locked, kind, actor=actor, now=now, reason=text)
    return outcome


def _finish(alert: Alert, kind: str, *, actor: User, now: dt.datetime, reason: str) -> None:
    """A false alarm closes the alert; any other outcome resolves it (acknowledging a new one on the way)."""
    if kind == OutcomeKind.FALSE_ALARM:
        move(alert, AlertStatus.CLOSED, actor=actor, now=now, reason=reason)
        return
    if alert.status == AlertStatus.NEW:
        move(alert, AlertStatus.ACKNOWLEDGED, actor=actor, now=now, reason=reason)
    move(alert, AlertStatus.RESOLVED, actor=actor, now=now, reason=reason)


@kernel.service(Permission.ALERT_OUTCOME, check=owner_or_receiver)
def do_complete_follow_up(follow_up: FollowUp, *, actor: User, result: str,
                          now: dt.datetime | None = None) -> FollowUp:
    """The person was checked on; ``result`` says how they are."""
    text = kernel.require_text(result, "result")
    now = kernel.now_or(now)
    locked = kernel.lock(follow_up)
    if locked.done_at is not None:
        raise ValidationError(_("This follow-up is already done."))
    locked.done_at, locked.done_by, locked.result = now, actor, text
    locked.save()
    audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=follow_up.alert.jurisdiction,
                 after={"done": True}, reason=text, at=now)
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


@kernel.service(Permission.ALERT_REVIEW, scope=alert_scope)
def do_label_post(alert: Alert, post: Post, *, actor: User, kind: str, value: str, note: str = "",
                  now: dt.datetime | None = None) -> ReviewLabel:
    """A reviewer's decision on one post of the alert (its true level or category), kept for retraining."""
    now = kernel.now_or(now)
    member = alert.posts.filter(post=post).first()
    if member is None:
        raise ValidationError(_("This post is not part of the alert."))
    scan: ScanRecord | None = member.scan
    label = ReviewLabel.objects.create(post=post, scan=scan, alert=alert, kind=kind, value=_check_label(kind, value),
                                       reviewer=actor, note=note[:300], at=now)
    audit.record(AuditAction.CREATE, actor=actor, obj=label, jurisdiction=alert.jurisdiction,
                 after={"post": post.pk, "kind": kind, "value": label.value}, at=now)
    return label


@kernel.service(Permission.ALERT_OUTCOME, check=owner_or_receiver)
def do_set_age_band(person: AlertPerson, *, actor: User, band: str, reason: str,
                    now: dt.datetime | None = None) -> AlertPerson:
    """Record whether a person at risk is a minor (for the statistics of minors protected). A reviewer or
    responder decides from what the case showed; ``reason`` says how it is known."""
    if band not in AgeBand.values:
        raise ValidationError({"band": [_("Choose an age band.")]})
    text = kernel.require_text(reason, "reason")
    now = kernel.now_or(now)
    locked = kernel.lock(person)
    before = locked.age_band
    if before != band:
        locked.age_band = band
        locked.save(update_fields=["age_band"])
        audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=person.alert.jurisdiction,
                     before={"age_band": before}, after={"age_band": band}, reason=text, at=now)
    return locked
