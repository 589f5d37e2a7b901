"""Pseudonymous author keys and the encrypted raw account id (least data, issue 4 point 1).

``author_key`` is a keyed HMAC of (source, account id): stable per source, so one author's posts link up,
and useless without ``YOUTHSAFE_PSEUDONYM_KEY``. The raw id is encrypted with Fernet under
``YOUTHSAFE_IDENTITY_KEY`` and decrypted only through an audited reveal.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings


def author_key(source: str, account_id: str) -> str:
    """A 32-hex-character pseudonym for an account of a source; empty for an empty account id."""
    if not account_id:
        return ""
    message = f"{source}\x1f{account_id}".encode()
    return hmac.new(settings.PSEUDONYM_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def seal(account_id: str) -> str:
    """Encrypt a raw account id for storage (empty stays empty)."""
    if not account_id:
        return ""
    return _fernet(settings.IDENTITY_KEY).encrypt(account_id.encode()).decode()


def unseal(token: str) -> str:
    """Decrypt a stored account id. Call only from the audited reveal service."""
    if not token:
        return ""
    return _fernet(settings.IDENTITY_KEY).decrypt(token.encode()).decode()
