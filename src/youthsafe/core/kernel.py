"""The workflow kernel: how every app changes a record (style-anchors: Zulip's ``do_*`` actions).

* :func:`service` turns a ``do_*`` function into *the* mutation: it checks the permission and the
  jurisdiction declared on it, then runs the body in ``transaction.atomic(durable=True)``, so "every change
  is one audited service call that commits on its own" is structural. A service called by another service
  joins its transaction; a bulk caller that stores many records in one transaction (ingestion, the demo)
  says so with :func:`batch`.
* :func:`transition` moves a record through its declared :class:`~youthsafe.core.workflow.Machine`: it locks
  the row, checks the table, the transition's permission and reason, applies the deadline rule, saves with a
  new version, and writes the status history row and the audit row in the same transaction.
* :func:`lock`, :func:`now_or`, :func:`label`, :func:`require_text` and :func:`to_validation` are the small
  helpers every app's services used to copy.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youthsafe.core import audit
from youthsafe.core.access import require, require_write_in
from youthsafe.core.models import AuditAction, Jurisdiction, StatusChange, User
from youthsafe.core.roles import Permission
from youthsafe.core.workflow import InvalidTransition, Machine

SYSTEM = "system"
P = ParamSpec("P")
R = TypeVar("R")
_M = TypeVar("_M", bound=models.Model)

# How deep in service calls (or a batch) this context is: only the outermost call opens a durable block.
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("youthsafe_service_depth", default=0)


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def today_or(today: dt.date | None) -> dt.date:
    return today if today is not None else timezone.localdate()


def label(actor: User | None) -> str:
    return actor.username if actor is not None else SYSTEM


def require_text(value: str | None, field: str = "reason", message: str | None = None) -> str:
    """The stripped text of a required field; a ValidationError on ``field`` when it is empty. Steps that
    change a person's or a platform's situation carry a written reason (audited)."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [message or _("Give a reason for this step.")]})
    return text


def lock(obj: _M, *, related: tuple[str, ...] = ()) -> _M:
    """The row again, locked for the rest of the transaction (two people never interleave a change).

    FOR NO KEY UPDATE of this row only: FOR UPDATE (and of joined rows) would also block the foreign-key checks
    of concurrent inserts that point at it (ingestion adding a post to an alert), and two ingestion workers
    deadlocked that way (benchmarks/ingest_throughput.py, 2 processes)."""
    manager = type(obj)._default_manager
    query = manager.select_for_update(of=("self",), no_key=True)
    if related:
        query = query.select_related(*related)
    return query.get(pk=obj.pk)


def to_validation(exc: InvalidTransition, names: Mapping[str, Any] | None = None,
                  noun: str | None = None) -> ValidationError:
    """An impossible step as a message in the user's language (state names from ``names``)."""
    names = names or {}
    if exc.why:
        return ValidationError(_("This step is not possible: %(why)s.") % {"why": exc.why})
    return ValidationError(_("%(noun)s that is “%(current)s” cannot become “%(target)s”.") % {
        "noun": noun or _("A record"), "current": names.get(exc.current, exc.current),
        "target": names.get(exc.target, exc.target)})


# --- Services ---------------------------------------------------------------------------------------------
Scope = Callable[..., Jurisdiction | None]
Check = Callable[..., None]


def service(permission: Permission | None = None, *, scope: Scope | None = None, check: Check | None = None,
            durable: bool = True) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a ``do_*`` service: who may call it and where, and its transaction.

    ``permission`` is checked on the ``actor`` keyword argument; ``scope(*args, **kwargs)`` returns the
    jurisdiction the actor must be able to change (``require_write_in``); ``check(*args, **kwargs)`` is any
    other object-level rule (raise PermissionDenied). ``durable=False`` only for services that by design run
    inside their caller's transaction (ingestion opening alerts)."""

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        @wraps(func)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            actor = kwargs.get("actor")
            if permission is not None:
                require(actor, permission)  # type: ignore[arg-type]
            if scope is not None:
                if not isinstance(actor, User):
                    raise PermissionDenied(_("Please log in."))
                require_write_in(actor, scope(*args, **kwargs))
            if check is not None:
                check(*args, **kwargs)
            outermost = _depth.get() == 0 and durable
            token = _depth.set(_depth.get() + 1)
            try:
                with transaction.atomic(durable=outermost):
                    return func(*args, **kwargs)
            finally:
                _depth.reset(token)

        wrapped.service_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """One transaction for many service calls (a bulk caller: ingestion, the demo). The services inside
    join it instead of each committing on its own; everything commits or nothing does."""
    token = _depth.set(_depth.get() + 1)
    try:
        with transaction.atomic():
            yield
    finally:
        _depth.reset(token)


# --- Transitions ------------------------------------------------------------------------------------------
def transition(obj: models.Model, to: str, *, actor: User | None, machine: Machine | None = None,
               now: dt.datetime | None = None, reason: str = "", changes: Mapping[str, Any] | None = None,
               subject: models.Model | None = None, names: Mapping[str, Any] | None = None,
               noun: str | None = None, locked: bool = False) -> StatusChange:
    """Move ``obj`` to ``to`` through its machine (``machine`` or the model's ``workflow``) and store it.

    In one transaction: lock the row (unless the caller holds it: ``locked``), check the table, the
    transition's permission (for a person; the system's own moves have ``actor=None``) and required reason,
    set ``changes`` and the deadline rule's fields, save with ``version + 1``, and write the history row and
    the audit row. ``subject`` is the record the history belongs to when it is not ``obj`` (a platform's
    ladder stage). An impossible move raises ValidationError with the state names of ``names`` (and ``noun``).

    Inside a transaction already (a service, a batch) the move joins it without a savepoint of its own: every
    check comes before the first write, and a failing write fails the enclosing transaction."""
    machine = machine or obj.workflow  # type: ignore[attr-defined]
    now = now_or(now)
    joined = transaction.get_connection().in_atomic_block
    with contextlib.nullcontext() if joined else transaction.atomic():
        if not locked and obj.pk is not None:
            _refresh_locked(obj)
        fields = [machine.field, *(changes or {})]
        before = audit.snapshot(obj, fields)
        try:
            flip = machine.move(obj, to, actor=label(actor), now=now, reason=reason)
        except InvalidTransition as exc:
            raise to_validation(exc, names, noun) from exc
        rule = machine.find(flip.from_status, to)
        if actor is not None and rule is not None and rule.permission:
            require(actor, Permission(rule.permission))
        updates = dict(changes or {})
        if rule is not None and rule.deadline is not None:
            updates.update(rule.deadline(obj, now))
        for key, value in updates.items():
            setattr(obj, key, value)
        if hasattr(obj, "version"):
            obj.version += 1
        obj.save()
        target = subject if subject is not None else obj
        change = StatusChange.objects.create(
            machine=machine.name, object_id=target.pk, from_status=flip.from_status, to_status=flip.to_status,
            actor=actor, actor_label=label(actor), reason=reason, at=now)
        audit.record(AuditAction.TRANSITION, actor=actor, obj=target, before=before,
                     after=audit.snapshot(obj, [*fields, *updates]), reason=reason, actor_label=label(actor),
                     at=now)
    return change


def _refresh_locked(obj: models.Model) -> None:
    """Lock ``obj``'s row and load its stored state into the instance (another request may have moved it)."""
    fresh = lock(obj)
    for f in obj._meta.concrete_fields:
        setattr(obj, f.attname, getattr(fresh, f.attname))


def history(machine: str | tuple[str, ...], pk: int, names: Mapping[str, Any] | None = None
            ) -> list[dict[str, Any]]:
    """The moves of one record, oldest first, with state names in the user's language."""
    names = names or {}
    machines = (machine,) if isinstance(machine, str) else machine
    return [{"change": c, "from": names.get(c.from_status, c.from_status), "to": names.get(c.to_status, c.to_status),
             "reason": c.reason}
            for c in StatusChange.objects.filter(machine__in=machines, object_id=pk).select_related("actor")]
