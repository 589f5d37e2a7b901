"""Request middleware: the client address for the audit log, the working language, and idle sessions."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

_ip: ContextVar[str] = ContextVar("youthsafe_ip", default="")


def current_ip() -> str:
    return _ip.get()


def client_ip(meta: Mapping[str, Any]) -> str:
    """The client's address (from a request's META): the one function the audit log, the public reports' rate
    limit, the login lockout (:func:`axes_client_ip`) and the /metrics guard read it through.

    It is ``REMOTE_ADDR`` as the WSGI layer in core/proxy.py left it: the peer's address, or, when the peer is a
    trusted proxy (``YOUTHSAFE_TRUSTED_PROXY``), the client that proxy saw. Nothing after that layer reads
    X-Forwarded-For itself: a header that reaches Django came from a trusted proxy and has been applied, or
    was removed."""
    return str(meta.get("REMOTE_ADDR", ""))[:64]


def axes_client_ip(request: HttpRequest) -> str | None:
    """The client address django-axes keys lockouts on (AXES_CLIENT_IP_CALLABLE): :func:`client_ip`, or None
    when it is not an IP address (axes stores it in an address column)."""
    address = client_ip(request.META)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _ip.set(client_ip(request.META))
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
        if chosen not in self.supported and request.path.startswith("/api/"):
            chosen = self.from_header(request.headers.get("Accept-Language", ""))
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if request.path.startswith("/api/"):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


    def from_header(self, header: str) -> str:
        """For API callers without the cookie (scripts, platforms' systems): the first supported language of
        their Accept-Language header; pages keep ignoring it (see the class)."""
        for code, _quality in parse_accept_lang_header(header[:255]):
            try:
                return get_supported_language_variant(code)
            except LookupError:
                continue
        return ""


POLL_HEADER = "X-YouthSafe-Poll"


EXTENDED_AT = "_extended_at"
EXTEND_EVERY = 60  # seconds


class IdleSessionMiddleware(SessionMiddleware):
    """Sessions end after ``SESSION_IDLE_MINUTES`` without the person doing anything. A person's requests
    extend the session (SESSION_SAVE_EVERY_REQUEST), except a page's own background refresh (HTMX polling
    marked with the ``X-YouthSafe-Poll`` header): otherwise a review queue left open on an unattended screen
    would keep its session alive forever.

    Extending means writing the session row, so it is done at most once a minute (``EXTEND_EVERY``): a person
    clicking through pages does not cost a database write per page, and the idle limit holds to the minute."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.headers.get(POLL_HEADER) == "1":
            patch_vary_headers(response, ("Cookie",))
            return response
        session = getattr(request, "session", None)
        if session is not None and not session.modified and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(EXTENDED_AT, 0)) < EXTEND_EVERY:
                patch_vary_headers(response, ("Cookie",))
                return response
            session[EXTENDED_AT] = now
        return super().process_response(request, response)
