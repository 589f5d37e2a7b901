"""Public submissions counted per client and time window, in the database so every process agrees."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from youthsafe.content import config
from youthsafe.content.models import RateBucket
from youthsafe.core import kernel


class RateLimited(Exception):
    """Too many submissions from one client in the window."""


def client_key(ip: str) -> str:
    """A keyed hash of the client address: enough to count submissions, never the address itself."""
    return hmac.new(str(settings.SECRET_KEY).encode(), f"report:{ip}".encode(), hashlib.sha256).hexdigest()


def take_rate_slot(key: str, *, now: dt.datetime | None = None) -> None:
    """Count one submission for ``key`` in the current window; RateLimited when the limit is reached. Inside
    the caller's transaction the count is rolled back with it."""
    limit, window = config.rate_limit()
    bucket = int(kernel.now_or(now).timestamp()) // window
    with transaction.atomic():
        try:
            with transaction.atomic():
                RateBucket.objects.create(key=key, window=bucket, count=0)
        except IntegrityError:
            pass
        updated = RateBucket.objects.filter(key=key, window=bucket, count__lt=limit).update(count=F("count") + 1)
    if not updated:
        raise RateLimited
    if secrets.randbelow(50) == 0:  # now and then, forget old windows
        RateBucket.objects.filter(window__lt=bucket - 1).delete()
