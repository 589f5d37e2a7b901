"""Mutations of accounts and jurisdictions: one ``do_*`` function each (style-anchors rule 3)."""

from __future__ import annotations

from typing import Any

from youthsafe.core import audit, kernel
from youthsafe.core.access import require_write_in
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission

_USER_FIELDS = ("username", "display_name", "email", "phone", "role", "jurisdiction", "is_active")


def _moving_to(user: User, *, actor: User, data: dict[str, Any], **_: Any) -> None:
    """A user moved to another jurisdiction: the actor must be able to write there too."""
    require_write_in(actor, data.get("jurisdiction", user.jurisdiction))


@kernel.service(Permission.JURISDICTION_MANAGE, scope=lambda **kw: kw["data"].get("parent"))
def do_create_jurisdiction(*, actor: User, data: dict[str, Any]) -> Jurisdiction:
    node = Jurisdiction(**data)
    node.full_clean()
    node.save()
    audit.record(AuditAction.CREATE, actor=actor, obj=node, jurisdiction=node, after=audit.snapshot(node))
    return node


@kernel.service(Permission.JURISDICTION_MANAGE, scope=lambda node, **_: node)
def do_update_jurisdiction(node: Jurisdiction, *, actor: User, data: dict[str, Any]) -> Jurisdiction:
    before = audit.snapshot(node)
    for key, value in data.items():
        setattr(node, key, value)
    node.full_clean()
    node.save()
    old, new = audit.diff(before, audit.snapshot(node))
    if new:
        audit.record(AuditAction.CHANGE, actor=actor, obj=node, jurisdiction=node, before=old, after=new)
    return node


@kernel.service(Permission.USER_MANAGE, scope=lambda **kw: kw["data"].get("jurisdiction"))
def do_create_user(*, actor: User, data: dict[str, Any], password: str) -> User:
    user = User(**data)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(AuditAction.CREATE, actor=actor, obj=user, after=audit.snapshot(user, _USER_FIELDS))
    return user


@kernel.service(Permission.USER_MANAGE, scope=lambda user, **_: user.jurisdiction, check=_moving_to)
def do_update_user(user: User, *, actor: User, data: dict[str, Any], password: str = "") -> User:
    before = audit.snapshot(user, _USER_FIELDS)
    for key, value in data.items():
        setattr(user, key, value)
    if password:
        user.set_password(password)
    user.full_clean()
    user.save()
    old, new = audit.diff(before, audit.snapshot(user, _USER_FIELDS))
    if password:
        new["password"] = "(reset)"  # noqa: S105  (records that a reset happened, never the password)  # nosec B105
    if new:
        audit.record(AuditAction.CHANGE, actor=actor, obj=user, before=old, after=new)
    return user


@kernel.service()
def do_change_own_password(user: User, *, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(AuditAction.PASSWORD_CHANGE, actor=user, obj=user, jurisdiction=user.jurisdiction)
