"""Navigation: a place for every module of the mission, in one list."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from youthsafe.core.access import allowed
from youthsafe.core.roles import Permission


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    prefix: str
    permission: Permission | None = None


MODULES: list[NavItem] = [
    NavItem(_("Dashboard"), "dashboard", "/dashboard", Permission.DASHBOARD_VIEW),
    NavItem(_("Platform registry"), "registry:platform_list", "/registry", Permission.PLATFORM_VIEW),
    NavItem(_("Supervision"), "supervision:index", "/supervision"),
    NavItem(_("Harmful content"), "content:index", "/content"),
    NavItem(_("Leads"), "leads:index", "/leads"),
    NavItem(_("Early warning"), "alerts:index", "/alerts"),
    NavItem(_("Outreach"), "outreach:index", "/outreach"),
    NavItem(_("Reports"), "reports:index", "/reports"),
]
ADMIN: list[NavItem] = [
    NavItem(_("Jurisdictions"), "jurisdiction_list", "/jurisdictions", Permission.JURISDICTION_VIEW),
    NavItem(_("Users"), "user_list", "/users", Permission.USER_VIEW),
    NavItem(_("Audit log"), "audit_list", "/audit", Permission.AUDIT_VIEW),
    NavItem(_("Ingestion"), "pipeline:index", "/pipeline", Permission.POST_VIEW),
]


def _entries(request: HttpRequest, items: list[NavItem]) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    for item in items:
        if item.permission is not None and not allowed(request.user, item.permission):
            continue
        try:
            url: str | None = reverse(item.url_name)
        except NoReverseMatch:
            url = None  # module not installed in this version: shown, but not a link
        entries.append(
            {"label": item.label, "url": url, "active": request.path.startswith(item.prefix)},
        )
    return entries


def navigation(request: HttpRequest) -> dict[str, object]:
    if not request.user.is_authenticated:
        return {}
    return {"nav_modules": _entries(request, MODULES), "nav_admin": _entries(request, ADMIN)}
