"""Referrals between modules without import cycles.

Harmful-content handling and linked investigations (一案双查) hand a platform over to the supervision workflow:
an ignored takedown instruction escalates to an inspection or a rectification order, and a case against an
offender carries a check of the platform that enabled it. The sender calls ``request_referral``; the
supervision app receives ``referral_requested`` and files a referral in its queue, where a person decides
what to open (people decide: a referral never opens an order by itself). Receivers return a reference
string (e.g. ``"supervision.referral:17"``) that the sender keeps to link both records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.dispatch import Signal

if TYPE_CHECKING:
    from youthsafe.core.models import User

ReferralKind = Literal["inspection", "rectification"]

# Sent with ``referral=ReferralRequest`` and ``actor=User``; each receiver returns a reference string.
referral_requested = Signal()


class NoReceiverError(RuntimeError):
    """No installed module accepts referrals (the supervision app is not installed)."""


@dataclass(frozen=True)
class ReferralRequest:
    platform_id: int
    kind: ReferralKind
    reason: str
    source_label: str  # what the referral comes from, shown to the supervisor ("有害信息 HI-2023-0012")
    source_url: str  # a link back to it
    jurisdiction_id: int  # where the referral is filed (the platform's or the sender's jurisdiction)


def request_referral(referral: ReferralRequest, *, actor: User) -> list[str]:
    """Hand ``referral`` to the receiving modules; returns their references. Call inside the sender's
    transaction so the referral and the sender's own record commit together."""
    responses = referral_requested.send(sender=ReferralRequest, referral=referral, actor=actor)
    references = [str(reference) for _receiver, reference in responses if reference]
    if not references:
        raise NoReceiverError("no module accepts referrals: install youthsafe.supervision")
    return references
