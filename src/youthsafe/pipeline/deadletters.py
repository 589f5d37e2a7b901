"""Dead letters as people see them: scoped by the source's jurisdiction, resolved with an audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from youthsafe.core import audit, kernel
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission
from youthsafe.pipeline.models import DeadLetter


def visible_to(user: User | AnonymousUser) -> QuerySet[DeadLetter]:
    """Dead letters of sources in the user's jurisdictions. A dead letter whose source was deleted has no
    jurisdiction left, so only roles that read every jurisdiction see it."""
    letters = DeadLetter.objects.select_related("source", "source__jurisdiction")
    if not isinstance(user, User) or not user.is_authenticated:
        return letters.none()
    if user.reads_all_jurisdictions:
        return letters
    if user.jurisdiction is None:
        return letters.none()
    return letters.filter(source__jurisdiction__path__startswith=user.jurisdiction.path)


def _place(letter: DeadLetter, **_: Any) -> Jurisdiction | None:
    """A dead letter's jurisdiction is its source's (none when the source was deleted)."""
    return letter.source.jurisdiction if letter.source is not None else None


@kernel.service(Permission.DEADLETTER_VIEW, scope=_place)
def do_resolve_dead_letter(letter: DeadLetter, *, actor: User, note: str = "", now: dt.datetime | None = None) -> bool:
    """Mark a dead letter handled; audited. False when someone resolved it already."""
    now = kernel.now_or(now)
    # Compare-and-swap: of two people resolving at once, one writes the row and the audit entry.
    if not DeadLetter.objects.filter(pk=letter.pk, resolved_at=None).update(resolved_at=now, resolved_by=actor):
        return False
    letter.resolved_at, letter.resolved_by = now, actor
    audit.record(AuditAction.CHANGE, actor=actor, obj=letter, jurisdiction=_place(letter),
                 before={"resolved_at": None}, after={"resolved_at": now}, reason=note)
    return True
