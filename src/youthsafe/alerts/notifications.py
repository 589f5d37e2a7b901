"""Notifications through an outbox: rows are written in the transaction that caused them, sent after commit
and retried with backoff by ``youthsafe alerts notify`` (and ``alerts escalate``), so a crash between commit
and sending loses nothing and a rolled-back change notifies nobody.

Webhooks carry a JSON body signed with HMAC-SHA256 in ``X-YouthSafe-Signature: sha256=<hex>``, with the
hook's own secret or ``YOUTHSAFE_WEBHOOK_SECRET`` (never Django's ``SECRET_KEY``); a hook with neither is not
sent. Payloads hold no post text and no author key: welfare data is sensitive (regulatory-reference 6.3
cautions, PIPL Art. 28), so a notification says only that an alert needs someone, with its number, level and
deadline.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.request
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from youthsafe.alerts import config
from youthsafe.alerts.models import Alert, Channel, Notification
from youthsafe.core.models import Jurisdiction, User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
WEBHOOK_TIMEOUT = 3.0  # seconds: delivery runs after commit in the request; a slow receiver waits for the job
SIGNATURE_HEADER = "X-YouthSafe-Signature"

SUBJECTS: dict[str, str] = {
    "new_alert": "[YouthSafe] 新预警 #{id}（风险等级 {level}）",
    "overdue": "[YouthSafe] 预警 #{id} 已超时，已上报领导",
    "dispatch": "[YouthSafe] 预警 #{id} 已下发至贵单位",
    "dispatch_overdue": "[YouthSafe] 下发给 {unit} 的预警 #{id} 未按时签收",
}


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed (canonical JSON: sorted keys, no spaces)."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


class UnsignedWebhook(Exception):
    """No signing secret is configured for a webhook: it is not sent unsigned, nor signed with another key."""


UNSIGNED = ("webhook not sent: no signing secret; set YOUTHSAFE_WEBHOOK_SECRET or the hook's \"secret\" "
             "(signatures never use Django's SECRET_KEY)")


def sign(body: bytes, secret: str) -> str:
    if not secret:
        raise UnsignedWebhook(UNSIGNED)
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str, secret: str) -> bool:
    """For receivers (and tests): constant-time check of a signature header."""
    return hmac.compare_digest(sign(body, secret), signature)


_cache: contextvars.ContextVar[dict[tuple[Any, ...], list[str]] | None] = contextvars.ContextVar(
    "notification_recipients", default=None)


@contextlib.contextmanager
def cached_recipients() -> Iterator[None]:
    """Within the block, ``recipients`` looks each (roles, place) up once: for ingestion, which may open many
    alerts in one place in one batch. Keep the block short (one batch): a user added meanwhile is missed."""
    if _cache.get() is not None:
        yield
        return
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def recipients(roles: Iterable[str], place: Jurisdiction, *, include_subtree: bool = False) -> list[str]:
    """E-mail addresses of active users with one of ``roles`` responsible for ``place``: its ancestors (and,
    for a receiving unit, the people inside it)."""
    roles = sorted(roles)
    cache = _cache.get()
    key = (tuple(roles), place.pk, include_subtree)
    if cache is not None and key in cache:
        return list(cache[key])
    found = _recipients(roles, place, include_subtree=include_subtree)
    if cache is not None:
        cache[key] = found
    return list(found)


def _recipients(roles: list[str], place: Jurisdiction, *, include_subtree: bool) -> list[str]:
    where = Q(jurisdiction__in=place.ancestor_ids())
    if include_subtree:
        where |= Q(jurisdiction__path__startswith=place.path)
    users = User.objects.filter(where, role__in=roles, is_active=True).exclude(email="")
    return sorted({u.email for u in users})


def payload_for(event: str, alert: Alert, now: dt.datetime, **extra: Any) -> dict[str, Any]:
    return {
        "event": event, "alert_id": alert.pk, "level": alert.level, "categories": list(alert.categories),
        "recruitment": alert.recruitment, "status": alert.status, "jurisdiction": alert.jurisdiction.code,
        "due_at": alert.due_at.isoformat() if alert.due_at else None, "at": now.isoformat(),
        "path": f"/alerts/{alert.pk}/", **extra,
    }


def enqueue(event: str, alert: Alert, *, roles: Iterable[str], place: Jurisdiction, now: dt.datetime,
            include_subtree: bool = False, **extra: Any) -> list[Notification]:
    """Write outbox rows for every webhook and every recipient; schedule sending after commit."""
    payload = payload_for(event, alert, now, **extra)
    body = body_bytes(payload)
    rows = [_webhook_row(hook, event, alert, payload, body=body, now=now) for hook in config.webhooks()]
    rows += [Notification(channel=Channel.EMAIL, target=email, event=event, alert=alert, payload=payload,
                          next_attempt_at=now, created_at=now)
             for email in recipients(roles, place, include_subtree=include_subtree)]
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None]
    if ids:
        transaction.on_commit(lambda: deliver(ids=ids))
    return created


def _webhook_row(hook: config.Webhook, event: str, alert: Alert, payload: dict[str, Any], *, body: bytes,
                 now: dt.datetime) -> Notification:
    """The outbox row of one webhook, signed with its secret. Without a secret the row is kept unsigned with the
    reason, and sent (signed) by a retry once a secret is configured: alerting itself never stops for it."""
    row = Notification(channel=Channel.WEBHOOK, target=hook.url, event=event, alert=alert, payload=payload,
                       next_attempt_at=now, created_at=now)
    if hook.secret:
        row.signature = sign(body, hook.secret)
    else:
        log.error("%s: %s", hook.url, UNSIGNED)
        row.last_error = UNSIGNED
    return row


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 ... minutes, at most six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _send(row: Notification) -> None:
    body = body_bytes(row.payload)
    if row.channel == Channel.WEBHOOK:
        if not row.target.startswith(("http://", "https://")):
            raise ValueError("webhook targets must be http(s) URLs")
        if not row.signature:  # enqueued while no secret was configured: signed now, or refused again
            row.signature = sign(body, config.webhook_secret_for(row.target))
            Notification.objects.filter(pk=row.pk).update(signature=row.signature)
        request = urllib.request.Request(row.target, data=body, method="POST", headers={  # noqa: S310  (scheme checked above)
            "Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: row.signature,
            "X-YouthSafe-Event": row.event})
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310  (scheme checked above)  # nosec B310
            response.read()
        return
    subject = SUBJECTS.get(row.event, "[YouthSafe] {id}").format(
        id=row.payload.get("alert_id"), level=row.payload.get("level"), unit=row.payload.get("unit", ""))
    text = json.dumps(row.payload, ensure_ascii=False, indent=2)
    send_mail(subject, text, None, [row.target])


def deliver(*, ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> tuple[int, int]:
    """Send due outbox rows; returns (sent, failed). Each row is claimed with compare-and-swap on its attempt
    count, so two senders (the on-commit hook and the job) never send the same attempt twice."""
    now = now or timezone.now()
    pending = Notification.objects.filter(sent_at=None, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now)
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    sent = failed = 0
    for row in list(pending.order_by("id")[:500]):
        claimed = Notification.objects.filter(pk=row.pk, attempts=row.attempts, sent_at=None).update(
            attempts=F("attempts") + 1, next_attempt_at=now + backoff(row.attempts + 1))
        if claimed != 1:
            continue  # another sender took this attempt
        try:
            _send(row)
        except Exception as exc:  # any failure is recorded and retried; the outbox must never stop
            log.warning("notification %s to %s failed: %s", row.pk, row.target, exc)
            Notification.objects.filter(pk=row.pk).update(last_error=f"{type(exc).__name__}: {exc}"[:500])
            failed += 1
        else:
            Notification.objects.filter(pk=row.pk).update(sent_at=timezone.now(), last_error="")
            sent += 1
    return sent, failed
