"""The audited reveal of an author's real account id (issue 4 point 1: shown only to roles allowed to
reveal it, each reveal audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.pipeline import pseudonym
from youthsafe.pipeline.models import Post


def _visible(post: Post, *, actor: User, **kwargs: Any) -> None:
    if not Post.objects.visible_to(actor).filter(pk=post.pk).exists():
        raise PermissionDenied(_("This record belongs to a jurisdiction outside yours."))


@kernel.service(Permission.IDENTITY_REVEAL, check=_visible)
def do_reveal_author(post: Post, *, actor: User, reason: str) -> str:
    """Return the raw account id of ``post``'s author after checking the permission, the jurisdiction and
    the reason, and writing an audit row (REVEAL, the post, the reason).

    The audit row never holds the raw id: the log is read by auditors who may not reveal identities, and
    an id written there could not be removed (the log is append-only).
    """
    reason = kernel.require_text(reason, "reason", _("Give the reason for revealing the account."))
    # The row is written before decrypting, and the id leaves only once it is committed (the service's
    # transaction): if the audit write fails, nothing is revealed.
    audit.record(AuditAction.REVEAL, actor=actor, obj=post, jurisdiction=post.jurisdiction, reason=reason)
    return pseudonym.unseal(post.author_sealed)
