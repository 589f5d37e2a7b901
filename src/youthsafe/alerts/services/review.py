"""Reviewer steps on an alert: claim and release, acknowledge, start intervention, resolve, close, reopen."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from youthsafe.alerts import config, workflow
from youthsafe.alerts.models import Alert, AlertStatus
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
from youthsafe.core.roles import Permission, Role

OVERRIDE_ROLES = frozenset({Role.LEADER, Role.ADMINISTRATOR})


class ClaimRefused(ValidationError):
    """Someone else holds a fresh claim on the alert."""


def do_claim(alert: Alert, *, actor: User, now: dt.datetime | None = None, override: bool = False,
             expected_version: int | None = None) -> Alert:
    """Claim an alert so two reviewers do not work the same one.

    Compare-and-swap on ``version`` and the claim itself: of two reviewers clicking at once, exactly one
    update matches and the other is told who holds it. A claim nobody acted on for the stale period, or a
    leader's override, may take it over.
    """
    require(actor, Permission.ALERT_REVIEW)
    require_owner(actor, alert)
    now = now_or(now)
    with transaction.atomic():
        current = Alert.objects.select_related("claimed_by").get(pk=alert.pk)
        version = current.version if expected_version is None else expected_version
        free = Q(claimed_by=None) | Q(claimed_by=actor)
        stale_before = now - dt.timedelta(minutes=config.claim_stale_minutes())
        free |= Q(claimed_at__lt=stale_before)
        query = Alert.objects.filter(pk=alert.pk, version=version)
        if not (override and actor.role in OVERRIDE_ROLES):
            query = query.filter(free)
        changed = query.update(claimed_by=actor, claimed_at=now, version=version + 1)
        if changed != 1:
            holder = current.claimed_by
            raise ClaimRefused(_("%(name)s is working on this alert.") % {"name": holder} if holder else
                               _("The alert changed meanwhile. Reload and try again."))
        audit.record(AuditAction.CHANGE, actor=actor, obj=current, jurisdiction=current.jurisdiction,
                     before={"claimed_by": current.claimed_by_id}, after={"claimed_by": actor.pk},
                     reason="override" if current.claimed_by_id not in (None, actor.pk) else "")
    alert.refresh_from_db()
    return alert


@transaction.atomic
def do_release(alert: Alert, *, actor: User) -> Alert:
    """Give a claim back (the holder, or a leader)."""
    require(actor, Permission.ALERT_REVIEW)
    require_owner(actor, alert)
    locked = lock(alert)
    if locked.claimed_by_id not in (None, actor.pk) and actor.role not in OVERRIDE_ROLES:
        raise ClaimRefused(_("Only the person who claimed the alert can release it."))
    before = locked.claimed_by_id
    locked.claimed_by, locked.claimed_at = None, None
    locked.version += 1
    locked.save(update_fields=["claimed_by", "claimed_at", "version"])
    audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=locked.jurisdiction,
                 before={"claimed_by": before}, after={"claimed_by": None})
    return locked


def _step(alert: Alert, to: str, *, actor: User, now: dt.datetime | None, reason: str) -> Alert:
    locked = lock(alert)
    try:
        apply_transition(locked, to, actor=actor, now=now_or(now), reason=reason)
    except workflow.InvalidTransition as exc:
        raise to_validation(exc) from exc
    return locked


@transaction.atomic
def do_acknowledge(alert: Alert, *, actor: User, reason: str = "", now: dt.datetime | None = None) -> Alert:
    """A reviewer has read the alert and takes it on; acknowledging also claims it."""
    require(actor, Permission.ALERT_REVIEW)
    require_owner(actor, alert)
    if alert.status in workflow.TERMINAL:
        raise ValidationError(_("Reopen a finished alert instead (a reason is required)."))
    locked = _step(alert, AlertStatus.ACKNOWLEDGED, actor=actor, now=now, reason=reason)
    if locked.claimed_by_id is None:
        Alert.objects.filter(pk=locked.pk).update(claimed_by=actor, claimed_at=now_or(now))
    locked.refresh_from_db()
    return locked


@transaction.atomic
def do_start_intervention(alert: Alert, *, actor: User, reason: str, now: dt.datetime | None = None) -> Alert:
    """Someone is now reaching out to the person (owner or the unit it was dispatched to)."""
    require(actor, Permission.ALERT_OUTCOME)
    require_owner_or_receiver(actor, alert)
    return _step(alert, AlertStatus.IN_INTERVENTION, actor=actor, now=now, reason=require_reason(reason))


@transaction.atomic
def do_resolve(alert: Alert, *, actor: User, reason: str, now: dt.datetime | None = None) -> Alert:
    """Resolve after an outcome is recorded (the outcome says what happened to the person)."""
    require(actor, Permission.ALERT_OUTCOME)
    require_owner_or_receiver(actor, alert)
    reason = require_reason(reason)
    if not alert.outcomes.exists():
        raise ValidationError(_("Record an outcome before resolving the alert."))
    return _step(alert, AlertStatus.RESOLVED, actor=actor, now=now, reason=reason)


@transaction.atomic
def do_close(alert: Alert, *, actor: User, reason: str, now: dt.datetime | None = None) -> Alert:
    """Close: done and filed, or a duplicate or false alarm closed from new (reason required)."""
    require(actor, Permission.ALERT_REVIEW)
    require_owner(actor, alert)
    return _step(alert, AlertStatus.CLOSED, actor=actor, now=now, reason=require_reason(reason))


@transaction.atomic
def do_reopen(alert: Alert, *, actor: User, reason: str, now: dt.datetime | None = None) -> Alert:
    """Reopen a resolved or closed alert (back to acknowledged, with a fresh action deadline)."""
    require(actor, Permission.ALERT_REVIEW)
    require_owner(actor, alert)
    return _step(alert, AlertStatus.ACKNOWLEDGED, actor=actor, now=now, reason=require_reason(reason))
