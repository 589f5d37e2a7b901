"""Behind a reverse proxy: which peer may say who the client is and which scheme it used.

A WSGI layer around the application (core/wsgi.py), so every server that runs it decides the same way;
``youthsafe serve`` tells waitress to leave the proxy headers to it. It decides once per request, before Django:

- The peer (``REMOTE_ADDR``, the address the connection came from) is trusted when it is one of
  ``YOUTHSAFE_TRUSTED_PROXY`` (addresses or networks; nothing is trusted unless configured).
- From a trusted peer, waitress's own parser (``waitress.proxy_headers``) reads the headers named in
  ``YOUTHSAFE_TRUSTED_PROXY_HEADERS``: ``REMOTE_ADDR`` becomes the client the outermost of
  ``YOUTHSAFE_TRUSTED_PROXY_COUNT`` proxies appended to ``X-Forwarded-For`` (entries left of it were written by
  the client and are never used), ``wsgi.url_scheme`` the ``X-Forwarded-Proto`` it sent. A header with fewer
  entries than proxies, or a client that is not an IP address, leaves the peer as the client; a malformed
  header is answered 400.
- Proxy headers from any other peer, and the ones not named from a trusted peer, are removed, so a client
  cannot name itself or its scheme; a request from an untrusted peer that carried them is marked
  (``UNTRUSTED_FORWARDING``): it came through a proxy nobody configured, and /metrics refuses it.

Everything after this layer reads the client from ``REMOTE_ADDR`` through one function,
:func:`youthsafe.core.middleware.client_ip`: the audit log, the public reports' rate limit, the login lockout
and the /metrics guard.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from functools import lru_cache
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from django.conf import settings
from waitress.proxy_headers import (
    PROXY_HEADERS,
    MalformedProxyHeader,
    clear_untrusted_headers,
    parse_proxy_headers,
)

log = logging.getLogger(__name__)
UNTRUSTED_FORWARDING = "youthsafe.untrusted_forwarding"
PEER = "youthsafe.peer"  # the address the connection came from, kept when REMOTE_ADDR becomes the client's
# Headers a proxy may have set; X-Real-IP is not one waitress reads, but its presence also betrays a proxy.
_FORWARDING = (*(f"HTTP_{name}" for name in sorted(PROXY_HEADERS)), "HTTP_X_REAL_IP")


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(net, strict=False) for net in configured)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def trusted_peer(peer: str) -> bool:
    """Whether the connection came from one of YOUTHSAFE_TRUSTED_PROXY."""
    configured = tuple(getattr(settings, "YOUTHSAFE_TRUSTED_PROXY", ()) or ())
    address = _address(peer) if configured else None
    return address is not None and any(address in net for net in _networks(configured))


def _entries(value: str) -> int:
    return sum(1 for part in value.split(",") if part.strip())


def rewrite(environ: WSGIEnvironment) -> str | None:
    """Apply the rule above to a WSGI environ in place; the reason when the request must be refused (400)."""
    peer = str(environ.get("REMOTE_ADDR", ""))
    environ[PEER] = peer
    untrusted: Iterable[str] = PROXY_HEADERS
    if trusted_peer(peer):
        headers = set(getattr(settings, "YOUTHSAFE_TRUSTED_PROXY_HEADERS", ()))
        count = max(int(getattr(settings, "YOUTHSAFE_TRUSTED_PROXY_COUNT", 1)), 1)
        for name in ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED"):
            if name in environ and _entries(str(environ[name])) < count:
                del environ[name]  # fewer hops than proxies: the leftmost would be the client's own claim
        try:
            untrusted = parse_proxy_headers(environ, trusted_proxy_count=count, trusted_proxy_headers=headers,
                                            logger=log)
        except MalformedProxyHeader as exc:
            log.warning("malformed %s from proxy %s: %s", exc.header, peer, exc.reason)
            return f"malformed {exc.header} header"
        client = _address(str(environ.get("REMOTE_ADDR", "")))
        environ["REMOTE_ADDR"] = str(client) if client is not None else peer
        environ["REMOTE_HOST"] = environ["REMOTE_ADDR"]
    elif any(name in environ for name in _FORWARDING):
        environ[UNTRUSTED_FORWARDING] = "1"
    clear_untrusted_headers(environ, untrusted)
    return None


class ProxyHeaders:
    """The WSGI layer: :func:`rewrite`, then the application."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        refused = rewrite(environ)
        if refused is not None:
            body = f"Bad Request\n\n{refused}\n".encode()
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"),
                                               ("Content-Length", str(len(body))), ("Connection", "close")])
            return [body]
        return self.app(environ, start_response)
