"""Alert settings, each read with a default so the app works without configuration.

``YOUTHSAFE_ALERT_LEVEL`` (6: the high-risk band of regulatory-reference 6.1), ``YOUTHSAFE_ALERT_WINDOW_DAYS``
(7), ``YOUTHSAFE_ALERT_DEADLINES`` (JSON, see workflow.parse_bands), ``YOUTHSAFE_ALERT_NOTIFY_LEVEL`` (7: a new
alert at or above it notifies at once), ``YOUTHSAFE_ALERT_CLAIM_STALE_MINUTES`` (30),
``YOUTHSAFE_WEBHOOKS`` (JSON list of URLs or ``{"url", "secret"}`` objects), ``YOUTHSAFE_WEBHOOK_SECRET`` (the
signing secret of hooks without their own; no default: an unsigned hook is not sent).
core/settings.py reads each from the environment variable of the same name.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from youthsafe.alerts.workflow import Band, parse_bands


def _get(name: str, default: Any) -> Any:
    """The setting (read from ``YOUTHSAFE_*`` environment variables in core/settings.py) or the default."""
    value = getattr(settings, name, None)
    return default if value is None or value == "" else value


def alert_level() -> int:
    return int(_get("YOUTHSAFE_ALERT_LEVEL", 6))


def notify_level() -> int:
    return int(_get("YOUTHSAFE_ALERT_NOTIFY_LEVEL", 7))


def window() -> dt.timedelta:
    return dt.timedelta(days=float(_get("YOUTHSAFE_ALERT_WINDOW_DAYS", 7)))


def claim_stale_minutes() -> int:
    return int(_get("YOUTHSAFE_ALERT_CLAIM_STALE_MINUTES", 30))


def bands() -> tuple[Band, ...]:
    return parse_bands(_get("YOUTHSAFE_ALERT_DEADLINES", None))


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str  # "" when neither the hook nor YOUTHSAFE_WEBHOOK_SECRET gives one: such a hook is never signed


def webhooks() -> list[Webhook]:
    """The webhooks and the secret each is signed with: its own ``secret``, else ``YOUTHSAFE_WEBHOOK_SECRET``.
    Never Django's ``SECRET_KEY``: a receiver verifies signatures with the secret, and must not hold the key
    that signs the server's sessions and tokens."""
    raw = _get("YOUTHSAFE_WEBHOOKS", [])
    items = json.loads(raw) if isinstance(raw, str) else raw
    default_secret = str(_get("YOUTHSAFE_WEBHOOK_SECRET", ""))
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(Webhook(item, default_secret))
        else:
            out.append(Webhook(str(item["url"]), str(item.get("secret") or default_secret)))
    return out


def webhook_secret_for(url: str) -> str:
    """The secret a webhook is signed with now ("" when none is configured)."""
    return next((hook.secret for hook in webhooks() if hook.url == url), "")
