"""Template filters shared by every app."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from youthsafe.core.hiddenchars import reveal as reveal_hidden

register = template.Library()


@register.filter
def reveal(value: object) -> SafeString:
    """Escape ``value`` and show right-to-left, zero-width and control characters as visible badges
    (core/hiddenchars.py). For platform names, post and report texts and people's names."""
    return reveal_hidden(value)


@register.filter
def thousands(value: object) -> str:
    """1234567 -> "1,234,567" in every language (Django's zh-hans formats do not group digits)."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(str(value)):,}"
    except ValueError:
        return str(value)
