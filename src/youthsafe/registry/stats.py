"""The registry as it stands now, for the dashboard's registry tiles: platforms in the registry (by kind, local,
with missing baseline controls) and their minor users, within what the user may read.

These are a snapshot of the current state, not figures of a period, so they are not indicators
(``core.indicators`` counts records dated within a period and a jurisdiction subtree; the report, the exports
and ``youthsafe stats`` read only those). A period figure about platforms, such as platforms inspected, is an
indicator of the app that dates it (supervision)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, Sum

from youthsafe.core.models import User
from youthsafe.registry.models import ControlStatus, Platform, PlatformKind


def registry_summary(user: User | AnonymousUser) -> dict[str, Any]:
    platforms = Platform.objects.visible_to(user)
    totals = platforms.aggregate(
        total=Count("id"),
        education=Count("id", filter=Q(kind=PlatformKind.EDUCATION)),
        game=Count("id", filter=Q(kind=PlatformKind.GAME)),
        local=Count("id", filter=Q(locally_developed=True) | Q(locally_operated=True)),
        minor_users=Sum("minor_users"),
    )
    totals["minor_users"] = totals["minor_users"] or 0
    totals["with_gaps"] = platforms.filter(controls__status=ControlStatus.MISSING).distinct().count()
    counts = dict(platforms.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    peak = max(counts.values(), default=0) or 1
    totals["by_kind"] = [
        {"label": label, "count": counts.get(value, 0), "pct": round(100 * counts.get(value, 0) / peak)}
        for value, label in PlatformKind.choices
    ]
    return totals
