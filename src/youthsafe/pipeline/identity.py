"""The audited reveal of an author's real account id (issue 4 point 1: shown only to roles allowed to
reveal it, each reveal audited)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from youthsafe.core import audit
from youthsafe.core.access import require
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.pipeline import pseudonym
from youthsafe.pipeline.models import Post


def do_reveal_author(post: Post, *, actor: User, reason: str) -> str:
    """Return the raw account id of ``post``'s author after checking the permission, the jurisdiction and
    the reason, and writing an audit row (REVEAL, the post, the reason).

    The audit row never holds the raw id: the log is read by auditors who may not reveal identities, and
    an id written there could not be removed (the log is append-only).
    """
    require(actor, Permission.IDENTITY_REVEAL)
    if not Post.objects.visible_to(actor).filter(pk=post.pk).exists():
        raise PermissionDenied(_("This record belongs to a jurisdiction outside yours."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for revealing the account.")]})
    # The row is written before decrypting: if the audit write fails, nothing is revealed.
    with transaction.atomic():
        audit.record(AuditAction.REVEAL, actor=actor, obj=post, jurisdiction=post.jurisdiction, reason=reason)
    return pseudonym.unseal(post.author_sealed)
