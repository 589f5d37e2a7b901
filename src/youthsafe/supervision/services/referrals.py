"""The receiving end of ``youthsafe.core.referrals``: a referral from content handling or an investigation is
filed in the supervision queue; a person decides whether to open an inspection, draft an order, or dismiss it
(people decide: nothing opens automatically)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.core import audit
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.referrals import ReferralRequest
from youthsafe.core.roles import Permission
from youthsafe.registry.models import Platform
from youthsafe.supervision.models import Referral, ReferralKind, ReferralStatus
from youthsafe.supervision.services.common import authorise, now_or, require_text


def file_referral(request: ReferralRequest, *, actor: User, now: dt.datetime | None = None) -> Referral:
    """File ``request`` in the queue. Bad requests raise ValidationError (the sender's transaction rolls back)."""
    if request.kind not in ReferralKind.values:
        raise ValidationError(_("A referral asks for an inspection or a rectification order."))
    platform = Platform.objects.filter(pk=request.platform_id).first()
    place = Jurisdiction.objects.filter(pk=request.jurisdiction_id).first()
    if platform is None or place is None:
        raise ValidationError(_("The referral names a platform or jurisdiction that does not exist."))
    reason = require_text(request.reason, "reason")
    with transaction.atomic():
        referral = Referral.objects.create(
            platform=platform, kind=request.kind, reason=reason, source_label=request.source_label[:200],
            source_url=request.source_url[:500], jurisdiction=place, requested_by=actor,
            requested_at=now_or(now))
        audit.record(AuditAction.CREATE, actor=actor, obj=referral, after=audit.snapshot(referral))
    return referral


def receive_referral(sender: Any, *, referral: ReferralRequest, actor: User, **kwargs: Any) -> str:
    """Receiver of ``referral_requested``; returns ``"supervision.referral:<pk>"``."""
    return file_referral(referral, actor=actor).reference


def do_dismiss(referral: Referral, *, actor: User, note: str, now: dt.datetime | None = None) -> Referral:
    authorise(actor, Permission.INSPECTION_CONDUCT, referral.jurisdiction)
    text = require_text(note, "note", _("Say why no inspection or order follows."))
    if referral.status != ReferralStatus.OPEN:
        raise ValidationError(_("This referral was already decided."))
    with transaction.atomic():
        referral.status = ReferralStatus.DISMISSED
        referral.decided_by, referral.decided_at, referral.decision_note = actor, now_or(now), text
        referral.save()
        audit.record(AuditAction.TRANSITION, actor=actor, obj=referral, after={"status": referral.status}, reason=text)
    return referral


__all__ = ["do_dismiss", "file_referral", "receive_referral", "timezone"]
