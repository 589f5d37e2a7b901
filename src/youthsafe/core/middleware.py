"""Per-request context for the audit log (the client address), kept in a context variable."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_ip: ContextVar[str] = ContextVar("youthsafe_ip", default="")


def current_ip() -> str:
    return _ip.get()


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _ip.set(str(request.META.get("REMOTE_ADDR", ""))[:64])
        try:
            return self.get_response(request)
        finally:
            _ip.reset(token)
