"""Filters of the alert pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(h)d h %(m)d min") % {"h": minutes // 60, "m": minutes % 60}
    return _("%(d)d days") % {"d": minutes // (24 * 60)}


@register.filter
def time_left(value: dt.timedelta | None) -> str:
    """"12 min left" or "overdue 5 min"; a dash when no step is waiting."""
    if value is None:
        return "—"
    seconds = value.total_seconds()
    if seconds < 0:
        return _("overdue %(t)s") % {"t": _span(seconds)}
    return _("%(t)s left") % {"t": _span(seconds)}


@register.filter
def short_key(value: str) -> str:
    """A pseudonym shortened for display (the full key is in the export)."""
    return (value or "")[:8] or "—"
