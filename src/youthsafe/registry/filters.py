"""The one definition of how the platform list is filtered and sorted, shared by the pages and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from youthsafe.core.models import Jurisdiction
from youthsafe.registry.models import ControlStatus, Platform

SORTS: dict[str, str] = {
    "name": "name", "-name": "-name", "users": "registered_users", "-users": "-registered_users",
    "minors": "minor_users", "-minors": "-minor_users", "updated": "updated_at", "-updated": "-updated_at",
    "kind": "kind", "-kind": "-kind",
}


def filter_platforms(
    platforms: QuerySet[Platform],
    *,
    q: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    jurisdiction: Jurisdiction | None = None,
    local: bool | None = None,
    gaps: bool = False,
    sort: str = "name",
) -> QuerySet[Platform]:
    """Narrow ``platforms`` (already restricted to what the reader may see) and order it stably.

    ``jurisdiction`` includes the places below it; ``local`` True keeps platforms developed or operated
    locally, False those neither; ``gaps`` keeps platforms with at least one missing baseline control.
    """
    if q and q.strip():
        term = q.strip()
        platforms = platforms.filter(
            Q(name__icontains=term) | Q(operator__icontains=term) | Q(icp_number__icontains=term)
        )
    if kind:
        platforms = platforms.filter(kind=kind)
    if status:
        platforms = platforms.filter(status=status)
    if jurisdiction is not None:
        platforms = platforms.filter(jurisdiction__path__startswith=jurisdiction.path)
    is_local = Q(locally_developed=True) | Q(locally_operated=True)
    if local is True:
        platforms = platforms.filter(is_local)
    elif local is False:
        platforms = platforms.exclude(is_local)
    if gaps:
        missing = Platform.objects.filter(controls__status=ControlStatus.MISSING).values("pk")
        platforms = platforms.filter(pk__in=missing)
    return platforms.order_by(SORTS.get(sort, "name"), "id")
