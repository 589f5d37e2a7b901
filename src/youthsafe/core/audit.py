"""Writing and verifying the append-only, hash-chained audit log (issue 2, point 5).

Every create, change, transition, login, export and view of a record holding personal data goes through
:func:`record`. Rows link by SHA-256 over the previous hash, so tampering with any row is detectable by
:func:`verify_chain`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.utils import timezone

from youthsafe.core.middleware import current_ip
from youthsafe.core.models import AuditAction, AuditEvent, Jurisdiction, User
from youthsafe.core.roles import Permission

GENESIS = "0" * 64
# Any constant works: it names the one advisory lock that serialises appends on PostgreSQL.
_PG_LOCK_KEY = 0x59534146  # "YSAF"


def _jsonable(value: Any) -> Any:  # noqa: PLR0911  (one return per JSON-able kind reads best)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-ready data (foreign keys as ids)."""
    result: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        result[field.name] = _jsonable(getattr(obj, field.attname))
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "time": event.time.astimezone(dt.UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "jurisdiction_id": event.jurisdiction_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "ip_address": event.ip_address,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _lock_chain() -> None:
    """Serialise appends so two writers never link to the same previous row.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: our connections BEGIN IMMEDIATE, so the write lock
    is already held by the time we read the tail.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


_business_time: contextvars.ContextVar[bool] = contextvars.ContextVar("youthsafe_audit_business_time",
                                                                      default=False)


@contextlib.contextmanager
def business_time() -> Iterator[None]:
    """Audit rows written inside take the step's own time (``at``): only for loading a past year's demo
    records through the services, so their trail reads as it happened. Never used by the product."""
    token = _business_time.set(True)
    try:
        yield
    finally:
        _business_time.reset(token)


def record(
    action: AuditAction | str,
    *,
    actor: User | None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    jurisdiction: Jurisdiction | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    actor_label: str = "",
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Append one audit row in the current transaction (or its own, when called outside one).

    The row's time is the clock's. ``at`` (the business time of the step) is used only inside
    :func:`business_time`, which the demo loader opens to write a past year's records through the services."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if jurisdiction is None and isinstance(obj, Jurisdiction):
            jurisdiction = obj
        elif jurisdiction is None:
            maybe = getattr(obj, "jurisdiction", None)
            jurisdiction = maybe if isinstance(maybe, Jurisdiction) else None
    event = AuditEvent(
            time=at if at is not None and _business_time.get() else timezone.now(),
            actor=actor,
            actor_label=actor_label or (actor.username if actor is not None else "system"),
            action=str(action),
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            jurisdiction=jurisdiction,
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
            reason=reason,
            ip_address=current_ip(),
    )
    pending = _pending.get()
    if pending is not None:  # inside deferred(): appended to the chain when the block ends
        pending.append(event)
        return event
    _append([event])
    return event


def _append(events: list[AuditEvent]) -> None:
    """Link ``events`` to the chain's tail, in order, and insert them.

    Inside the caller's transaction no savepoint is needed (an error aborts the caller's work anyway); called
    outside one, this opens its own. The chain lock is held from reading the tail until that transaction ends.
    """
    with transaction.atomic(savepoint=False):
        _lock_chain()
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        for event in events:
            event.prev_hash = prev
            event.hash = prev = compute_hash(event)
        if len(events) == 1:
            events[0].save()
        else:  # one INSERT: ids follow the list's order, so id order is chain order
            AuditEvent.objects.bulk_create(events)


_pending: contextvars.ContextVar[list[AuditEvent] | None] = contextvars.ContextVar("audit_pending", default=None)


@contextlib.contextmanager
def deferred() -> Iterator[list[AuditEvent]]:
    """Collect the events recorded in the block and append them to the chain in one go when it ends.

    For work that records many events in one transaction (ingestion opening alerts): the chain lock is then
    taken once, at the end, instead of at the first event and held through the rest of the work, which
    serialised concurrent workers. Use it inside the transaction that does the work, so the events commit with
    it; when the block raises, its events are dropped with the work they describe. Part of the work that is
    rolled back alone (a savepoint) drops its events with ``dropped_on_error``.
    """
    outer = _pending.get()
    if outer is not None:  # nested: the outer block appends everything
        yield outer
        return
    events: list[AuditEvent] = []
    token = _pending.set(events)
    try:
        yield events
    finally:
        _pending.reset(token)
    if events:
        _append(events)


# Payload keys that hold personal data, per object type, and the permission that may read them. Apps register
# theirs (registry: the security officer's contacts); the audit page and its export show "***" to the rest.
_PERSONAL: dict[str, tuple[frozenset[str], Permission]] = {}
REDACTED = "***"


def register_personal(object_type: str, fields: Iterable[str], permission: Permission) -> None:
    _PERSONAL[object_type] = (frozenset(fields), permission)


def redacted(event: AuditEvent, reader: User) -> tuple[Any, Any]:
    """``event``'s before and after as ``reader`` may see them: personal keys hidden without the right."""
    fields, permission = _PERSONAL.get(event.object_type, (frozenset(), Permission.AUDIT_VIEW))
    if not fields or reader.has_perm_name(permission):
        return event.before, event.after

    def hide(values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        return {k: (REDACTED if k in fields else v) for k, v in values.items()}

    return hide(event.before), hide(event.after)


# --- showing events to people ----------------------------------------------------------------------------
def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    """``registry.platform`` as the model's name in the page's language (平台); other labels as they are."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def _field_label(model: type[models.Model] | None, key: str) -> str:
    if model is not None:
        try:
            return str(getattr(model._meta.get_field(key), "verbose_name", key))
        except FieldDoesNotExist:
            pass
    return key


def _shown(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "—" if value in (None, "") else str(value)


def change_rows(before: Any, after: Any, object_type: str) -> list[tuple[str, str | None, str]]:
    """An event's payload as rows of (field label, value before or None, value after): a change shows both
    sides; keys that are fields of the record's model are shown by their names in the page's language."""
    model = _model(object_type)
    before = before if isinstance(before, dict) else ({} if before is None else {"": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"": after})
    keys = list(after) + [k for k in before if k not in after]
    return [(_field_label(model, k) if k else "", _shown(before[k]) if k in before else None, _shown(after.get(k)))
            for k in keys]



@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    problem: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainProblem]:
    """Walk the log in id order and yield every broken link or altered row."""
    prev = GENESIS
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not rows:
            return
        for event in rows:
            if event.prev_hash != prev:
                yield ChainProblem(event.id, f"links to {event.prev_hash[:12]}…, expected {prev[:12]}…")
            if compute_hash(event) != event.hash:
                yield ChainProblem(event.id, "content does not match its hash (row altered)")
            prev = event.hash
            last_id = event.id


@contextlib.contextmanager
def dropped_on_error() -> Iterator[None]:
    """Inside ``deferred()``: drop the events recorded in this block if it raises, as the savepoint around it
    rolls its work back (``with transaction.atomic(), audit.dropped_on_error():``). Outside, it does nothing:
    events are inserted at once and roll back with the savepoint."""
    pending = _pending.get()
    mark = len(pending) if pending is not None else 0
    try:
        yield
    except BaseException:
        if pending is not None:
            del pending[mark:]
        raise
