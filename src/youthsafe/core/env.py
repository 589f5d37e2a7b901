"""Typed readers for ``YOUTHSAFE_*`` environment variables.

Every value may also come from a file named by ``<NAME>_FILE`` (Docker/Kubernetes secrets), as in
Healthchecks' settings helpers.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

PREFIX = "YOUTHSAFE_"


def env_str(name: str, default: str = "") -> str:
    """Return ``YOUTHSAFE_<name>`` or the contents of the file in ``YOUTHSAFE_<name>_FILE``."""
    full = PREFIX + name
    file_name = os.environ.get(full + "_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(full, default)


def env_bool(name: str, *, default: bool = False) -> bool:
    raw = env_str(name, "")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{PREFIX}{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env_str(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{PREFIX}{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name, "")
    if raw == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_words(name: str) -> list[str]:
    """``YOUTHSAFE_<name>="a b, c"`` -> ``["a", "b", "c"]`` (separated by spaces, commas or both)."""
    return env_str(name, "").replace(",", " ").split()


def env_networks(name: str) -> tuple[str, ...]:
    """IP addresses and networks (``127.0.0.1 ::1 10.0.0.0/8``), as networks in their canonical form."""
    out: list[str] = []
    for word in env_words(name):
        try:
            out.append(str(ipaddress.ip_network(word, strict=False)))
        except ValueError as exc:
            raise ValueError(f"{PREFIX}{name}: {word!r} is not an IP address or network") from exc
    return tuple(out)


def env_int_map(name: str) -> dict[str, int]:
    """``YOUTHSAFE_<name>="a.b=90, c.d=30"`` -> ``{"a.b": 90, "c.d": 30}`` (positive integers)."""
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in env_str(name, "").split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip().isdigit() or int(value) < 1:
            raise ValueError(f"{PREFIX}{name}: expected key=number with number >= 1, got {part!r}")
        out[key.strip()] = int(value)
    return out
