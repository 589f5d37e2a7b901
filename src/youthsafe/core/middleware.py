"""Per-request context for the audit log (the client address), kept in a context variable."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

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


class LanguageMiddleware:
    """Chinese unless the user chose otherwise (language cookie); the browser's Accept-Language is ignored
    on purpose, because the unit works in Chinese whatever language a workstation's browser was set up in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
