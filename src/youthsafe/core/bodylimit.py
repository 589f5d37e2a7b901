"""The server-wide request body limit: ``YOUTHSAFE_MAX_REQUEST_BYTES`` (25 MB) bounds every request body, above
every upload kind's own limit (uploads.py). ``youthsafe serve`` hands it to waitress, and
``RequestBodyLimitMiddleware`` refuses a larger declared body with 413 before reading it, under any server."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

MB = 1024 * 1024
DEFAULT_MAX_REQUEST_BYTES = 25 * MB


def max_request_bytes() -> int:
    value = getattr(settings, "YOUTHSAFE_MAX_REQUEST_BYTES", None)
    try:
        return int(value) if value not in (None, "") else DEFAULT_MAX_REQUEST_BYTES
    except (TypeError, ValueError):
        return DEFAULT_MAX_REQUEST_BYTES


class RequestBodyLimitMiddleware:
    """413 for a request whose declared body is larger than ``YOUTHSAFE_MAX_REQUEST_BYTES``, before anything
    (the CSRF check, a form, an upload handler) reads it. ``youthsafe serve`` applies the same limit in waitress;
    this applies it under any server. It runs after the language is chosen, so the answer is in the user's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = max_request_bytes()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except (TypeError, ValueError):
            length = 0  # Django refuses a malformed length itself
        if length > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    message = _("The request is larger than %(limit)s; nothing was received. Send smaller files.") % {
        "limit": filesizeformat(limit)}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    # Rendered without the request: this runs before authentication (nothing of the body is read), so base.html
    # shows the page without the signed-in frame.
    return HttpResponse(render_to_string("413.html", {"message": message}, request=None), status=413)
