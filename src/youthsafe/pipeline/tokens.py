"""API tokens of the HTTP push API: creation, verification, revocation and the per-token rate limit.

A token reads ``ysk_<prefix>_<secret>``. The prefix (8 hex characters) is stored in clear to find the row
and to name the token in lists and logs; only the SHA-256 of the whole token is stored, so a database leak
gives no usable token. The plaintext exists once, in the answer to whoever created it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.access import require, require_write_in
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.pipeline.models import ApiToken, Source

SCHEME = "ysk"
SCOPE_PUSH = "posts:push"
SCOPES: frozenset[str] = frozenset({SCOPE_PUSH})
DEFAULT_RATE = 600  # requests per minute
WINDOW = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just created: the row and the plaintext, which is never stored and never shown again."""

    token: ApiToken
    plaintext: str


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _new_prefix() -> str:
    # 32 random bits; the unique column would refuse a clash, so look once first (clashes are ~never).
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix


def _clean_scopes(scopes: Iterable[str] | None) -> list[str]:
    chosen = sorted(set(scopes or [SCOPE_PUSH]))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise ValidationError(_("Unknown scope: %(s)s") % {"s": ", ".join(unknown)})
    return chosen


def _check_manage(source: Source, actor: User | None) -> None:
    """People need source:manage in the source's jurisdiction; ``None`` is the system (the CLI, run by the
    operator of the machine)."""
    if actor is not None:
        require(actor, Permission.SOURCE_MANAGE)
        require_write_in(actor, source.jurisdiction)


def _may_create(source: Source, *, actor: User | None, **_: Any) -> None:
    _check_manage(source, actor)


def _may_revoke(token: ApiToken, *, actor: User | None, **_: Any) -> None:
    _check_manage(token.source, actor)


@kernel.service(check=_may_create)
def do_create_token(source: Source, *, actor: User | None, name: str, scopes: Iterable[str] | None = None,
                    rate_limit: int = DEFAULT_RATE) -> NewToken:
    """Create a token for ``source``; audited (without the secret). Returns the plaintext once."""
    name = name.strip()
    if not name:
        raise ValidationError(_("A token needs a name."))
    if rate_limit < 1:
        raise ValidationError(_("The rate limit must be at least 1 request per minute."))
    prefix = _new_prefix()
    plaintext = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        source=source, name=name[:100], prefix=prefix, token_hash=hash_token(plaintext),
        scopes=_clean_scopes(scopes), rate_limit_per_minute=rate_limit, created_by=actor,
    )
    audit.record(AuditAction.CREATE, actor=actor, obj=token, jurisdiction=source.jurisdiction,
                 after={"name": token.name, "prefix": prefix, "scopes": token.scopes,
                        "rate_limit_per_minute": rate_limit})
    return NewToken(token, plaintext)


@kernel.service(check=_may_revoke)
def do_revoke_token(token: ApiToken, *, actor: User | None, reason: str = "", now: dt.datetime | None = None) -> bool:
    """Revoke a token; audited. False when it was already revoked (nothing changes then)."""
    now = kernel.now_or(now)
    # Compare-and-swap: two people revoking at once write one audit row, not two.
    if not ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=now):
        return False
    token.revoked_at = now
    audit.record(AuditAction.CHANGE, actor=actor, obj=token, jurisdiction=token.source.jurisdiction,
                 before={"revoked_at": None}, after={"revoked_at": now}, reason=reason)
    return True


def parse(plaintext: str) -> str | None:
    """The prefix of a well-formed token, or None."""
    parts = plaintext.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != SCHEME or len(parts[1]) != 8 or len(parts[2]) < 32:
        return None
    return parts[1]


def verify(plaintext: str) -> ApiToken | None:
    """The live token for ``plaintext`` (with its source), or None for an unknown, wrong or revoked one."""
    prefix = parse(plaintext)
    if prefix is None:
        return None
    token = ApiToken.objects.select_related("source", "source__jurisdiction").filter(prefix=prefix).first()
    # Compare even when no row matched, so the answer takes the same time whether the prefix exists or not.
    expected = token.token_hash if token is not None else "0" * 64
    if not hmac.compare_digest(expected, hash_token(plaintext.strip())) or token is None:
        return None
    if token.revoked_at is not None:
        return None
    return token


def window_of(now: dt.datetime) -> dt.datetime:
    """The start of the fixed one-minute window holding ``now``."""
    return now.replace(second=0, microsecond=0)


def take(token: ApiToken, *, now: dt.datetime | None = None) -> int:
    """Count one request against the token's window; 0 when allowed, else the seconds until the next window.

    Two UPDATEs with a compare on the window make this exact under concurrency on SQLite and PostgreSQL:
    the first adds one only while the row is in this window and under the limit; the second starts a new
    window only if the row still holds an older one. When both miss, another request moved the window in
    between, so the first is tried once more. A refused request is not counted.
    """
    now = kernel.now_or(now)
    start = window_of(now)
    rows = ApiToken.objects.filter(pk=token.pk)
    in_window = rows.filter(window_start=start, window_count__lt=token.rate_limit_per_minute)
    if in_window.update(window_count=F("window_count") + 1, last_used_at=now):
        return 0
    stale = rows.filter(Q(window_start=None) | Q(window_start__lt=start))
    if stale.update(window_start=start, window_count=1, last_used_at=now):
        return 0
    if in_window.update(window_count=F("window_count") + 1, last_used_at=now):
        return 0
    return max(1, int((start + WINDOW - now).total_seconds() + 0.999))
