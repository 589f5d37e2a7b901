"""The receiving end of ``youthsafe.core.referrals``: a referral from content handling or an investigation is
filed in the supervision queue; a person decides whether to open an inspection, draft an order, or dismiss it
(people decide: nothing opens automatically)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.referrals import ReferralRequest
from youthsafe.core.roles import Permission
from youthsafe.registry.models import Platform
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import Referral, ReferralKind, ReferralStatus
from youthsafe.supervision.services.common import NAMES, place


@kernel.service(durable=False)
def file_referral(request: ReferralRequest, *, actor: User, now: dt.datetime | None = None) -> Referral:
    """File ``request`` in the queue, inside the sender's transaction (the sender's service checked who may send
    it). Bad requests raise ValidationError (the sender's transaction rolls back)."""
    if request.kind not in ReferralKind.values:
        raise ValidationError(_("A referral asks for an inspection or a rectification order."))
    platform = Platform.objects.filter(pk=request.platform_id).first()
    place_of_referral = Jurisdiction.objects.filter(pk=request.jurisdiction_id).first()
    if platform is None or place_of_referral is None:
        raise ValidationError(_("The referral names a platform or jurisdiction that does not exist."))
    reason = kernel.require_text(request.reason, "reason")
    now = kernel.now_or(now)
    referral = Referral.objects.create(
        platform=platform, kind=request.kind, reason=reason, source_label=request.source_label[:200],
        source_url=request.source_url[:500], jurisdiction=place_of_referral, requested_by=actor, requested_at=now)
    audit.record(AuditAction.CREATE, actor=actor, obj=referral, after=audit.snapshot(referral), at=now)
    return referral


def receive_referral(sender: Any, *, referral: ReferralRequest, actor: User, **kwargs: Any) -> str:
    """Receiver of ``referral_requested``; returns ``"supervision.referral:<pk>"``."""
    return file_referral(referral, actor=actor).reference


@kernel.service(Permission.INSPECTION_CONDUCT, scope=place)
def do_dismiss(referral: Referral, *, actor: User, note: str, now: dt.datetime | None = None) -> Referral:
    text = kernel.require_text(note, "note", _("Say why no inspection or order follows."))
    if referral.status != ReferralStatus.OPEN:
        raise ValidationError(_("This referral was already decided."))
    now = kernel.now_or(now)
    kernel.transition(referral, wf.DISMISSED, actor=actor, now=now, reason=text, names=NAMES[wf.REFERRAL.name],
                      changes={"decided_by": actor, "decided_at": now, "decision_note": text})
    return referral
