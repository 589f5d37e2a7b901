"""Reviewer steps on an alert: claim and release, acknowledge, start intervention, resolve, close, reopen."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from youthsafe.alerts import config, workflow
from youthsafe.alerts.models import Alert, AlertStatus
from youthsafe.alerts.services.common import alert_scope, lock_alert, move, owner_or_receiver
from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission, Role

OVERRIDE_ROLES = frozenset({Role.LEADER, Role.ADMINISTRATOR})


class ClaimRefused(ValidationError):
    """Someone else holds a fresh claim on the alert."""


@kernel.service(Permission.ALERT_REVIEW, scope=alert_scope)
def do_claim(alert: Alert, *, actor: User, now: dt.datetime | None = None, override: bool = False,
             expected_version: int | None = None) -> Alert:
    """Claim an alert so two reviewers do not work the same one.

    Compare-and-swap on ``version`` and the claim itself: of two reviewers clicking at once, exactly one
    update matches and the other is told who holds it. A claim nobody acted on for the stale period, or a
    leader's override, may take it over.
    """
    now = kernel.now_or(now)
    current = Alert.objects.select_related("claimed_by", "jurisdiction").get(pk=alert.pk)
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
                 reason="override" if current.claimed_by_id not in (None, actor.pk) else "", at=now)
    alert.refresh_from_db()
    return alert


@kernel.service(Permission.ALERT_REVIEW, scope=alert_scope)
def do_release(alert: Alert, *, actor: User, now: dt.datetime | None = None) -> Alert:
    """Give a claim back (the holder, or a leader)."""
    locked = lock_alert(alert)
    if locked.claimed_by_id not in (None, actor.pk) and actor.role not in OVERRIDE_ROLES:
        raise ClaimRefused(_("Only the person who claimed the alert can release it."))
    before = locked.claimed_by_id
    locked.claimed_by, locked.claimed_at = None, None
    locked.version += 1
    locked.save(update_fields=["claimed_by", "claimed_at", "version"])
    audit.record(AuditAction.CHANGE, actor=actor, obj=locked, jurisdiction=locked.jurisdiction,
                 before={"claimed_by": before}, after={"claimed_by": None}, at=kernel.now_or(now))
    return locked


def _step(alert: Alert, to: str, *, actor: User, now: dt.datetime | None, reason: str) -> Alert:
    locked = lock_alert(alert)
    move(locked, to, actor=actor, now=kernel.now_or(now), reason=reason)
    return locked


@kernel.service(Permission.ALERT_REVIEW, scope=alert_scope)
def do_acknowledge(alert: Alert, *, actor: User, reason: str = "", now: dt.datetime | None = None) -> Alert:
    """A reviewer has read the alert and takes it on; acknowledging also claims it."""
    now = kernel.now_or(now)
    locked = lock_alert(alert)
    if locked.status in workflow.TERMINAL:
        raise ValidationError(_("Reopen a finished alert instead (a reason is required)."))
    claim = {"claimed_by": actor, "claimed_at": now} if locked.claimed_by_id is None else {}
    move(locked, AlertStatus.ACKNOWLEDGED, actor=actor, now=now, reason=reason, changes=claim)
    return locked


@kernel.service(Permission.ALERT_OUTCOME, check=owner_or_receiver)
def do_start_intervention(alert: Alert, *, actor: User, reason: str, now: dt.datetime | None = None) -> Alert:
    """Someone is now reaching out to the person (owner or the unit it was dispatched to)."""
    return _step(alert, AlertStatus.IN_INTERVENTION, actor=actor, now=now, reason=kernel.require_text(reason))


@kernel.service(Permission.ALERT_OUTCOME, check=owner_or_receiver)
def do_resolve(alert: Alert, *, actor: User, reason: str, now: dt.datetime | None = None) -> Alert:
    """Resolve after an outcome is recorded (the outcome says what happened to the person)."""
    reason = kernel.require_text(reason)
    if not alert.outcomes.exists():
        raise ValidationError(_("Record an outcome before resolving the alert."))
    return _step(alert, AlertStatus.RESOLVED, actor=actor, now=now, reason=reason)


@kernel.service(Permission.ALERT_REVIEW, scope=alert_scope)
def do_close(alert: Alert, *, actor: User, reason: str, now: dt.datetime | None = None) -> Alert:
    """Close: done and filed, or a duplicate or false alarm closed from new (reason required)."""
    return _step(alert, AlertStatus.CLOSED, actor=actor, now=now, reason=kernel.require_text(reason))


@kernel.service(Permission.ALERT_REVIEW, scope=alert_scope)
def do_reopen(alert: Alert, *, actor: User, reason: str, now: dt.datetime | None = None) -> Alert:
    """Reopen a resolved or closed alert (back to acknowledged, with a fresh action deadline)."""
    return _step(alert, AlertStatus.ACKNOWLEDGED, actor=actor, now=now, reason=kernel.require_text(reason))
