"""``Cache-Control: no-store`` on every page and API answer that shows posts, alerts, reports or people, so no
browser, proxy or shared workstation keeps a copy of them on disk (issue 16).

Which URLs: everything under a feature app (``/registry/``, ``/supervision/``, ``/pipeline/``, ``/alerts/``,
``/content/``, ``/leads/``, ``/outreach/``, ``/reports/``: taken from ``YOUTHSAFE_APPS``, so a new app is covered
when it is added), the API (``/api/``), the dashboard (open work, alerts), and the administration pages that
list people (``/users/``, ``/audit/``). CSV, XLSX, DOCX and PDF downloads and evidence files are under these
prefixes too. Not covered, on purpose: static files (served before this middleware), the login and home pages,
``/jurisdictions/`` (the unit tree, no personal data), ``/healthz`` and ``/metrics`` (counts only).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


def no_store_prefixes() -> tuple[str, ...]:
    return ("/api/", "/dashboard/", "/users/", "/audit/", *(f"/{app}/" for app in settings.YOUTHSAFE_APPS))


class NoStoreMiddleware:
    """Marks responses under ``no_store_prefixes()`` ``no-store`` (Django's never-cache headers: ``max-age=0,
    no-cache, no-store, must-revalidate, private``) unless the view already said ``no-store`` itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = no_store_prefixes()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(self.prefixes) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
