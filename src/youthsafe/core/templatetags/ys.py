"""Template filters shared by every app."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def thousands(value: object) -> str:
    """1234567 -> "1,234,567" in every language (Django's zh-hans formats do not group digits)."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(str(value)):,}"
    except ValueError:
        return str(value)
