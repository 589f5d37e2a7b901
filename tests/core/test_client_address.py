"""The client address and scheme behind a reverse proxy (core/proxy.py), and everything that reads them: the
audit log, the public reports' rate limit, the login lockout with its per-user backstop, the /metrics guard and
the HTTPS redirect. ``ProxiedClient`` sends its requests through the same WSGI layer as the server does, so
these run without a server; tests/core/test_reverse_proxy.py runs the real thing behind nginx."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.conftest import PASSWORD, Tree
from youthsafe.content.models import PublicReport
from youthsafe.core import proxy
from youthsafe.core.middleware import client_ip
from youthsafe.core.models import AuditEvent, User
from youthsafe.core.wsgi import application

ROOT = Path(__file__).resolve().parents[2]
PROXY = "192.168.0.10"  # the proxy's address, as the server's peer
REPORT = {"reason": "A15", "location": "https://x.example/p/1", "explanation": "有人骗学生扫码付款", "good_faith": True}


class ProxiedClient(Client):
    """Django's test client, with each request passed through the server's proxy layer first."""

    def _base_environ(self, **request: Any) -> dict[str, Any]:
        environ: dict[str, Any] = super()._base_environ(**request)
        assert proxy.rewrite(environ) is None
        return environ


@pytest.fixture
def behind_proxy(settings: Any) -> Any:
    settings.YOUTHSAFE_TRUSTED_PROXY = (f"{PROXY}/32",)
    settings.YOUTHSAFE_TRUSTED_PROXY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto"})
    settings.YOUTHSAFE_TRUSTED_PROXY_COUNT = 1
    settings.BEHIND_PROXY = True
    return settings


def _rewritten(environ: dict[str, Any]) -> dict[str, Any]:
    environ = {"REMOTE_ADDR": PROXY, "wsgi.url_scheme": "http", "SERVER_PORT": "8000", **environ}
    assert proxy.rewrite(environ) is None
    return environ


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(("trusted", "count", "header", "expected"), [
    ((), 1, "1.1.1.1, 203.0.113.7", PROXY),  # no proxy configured: the header is the client's own claim
    (("10.0.0.0/8",), 1, "1.1.1.1, 203.0.113.7", PROXY),  # a peer that is not the proxy
    ((f"{PROXY}/32",), 1, "1.1.1.1, 203.0.113.7", "203.0.113.7"),  # the entry the proxy appended
    (("192.168.0.0/24",), 1, "203.0.113.7", "203.0.113.7"),  # a network of proxies
    (("127.0.0.1/32", f"{PROXY}/32"), 1, "203.0.113.7", "203.0.113.7"),  # several
    ((f"{PROXY}/32",), 2, "1.1.1.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),  # two proxies: the outer one's entry
    ((f"{PROXY}/32",), 2, "203.0.113.7", PROXY),  # fewer hops than proxies: not believed
    ((f"{PROXY}/32",), 1, "1.1.1.1, not-an-address", PROXY),
    ((f"{PROXY}/32",), 1, "", PROXY),
    ((f"{PROXY}/32",), 1, "2001:db8::1", "2001:db8::1"),
    ((f"{PROXY}/32",), 1, "203.0.113.7:4711", "203.0.113.7"),  # with a port
])
def test_the_client_address(settings: Any, trusted: tuple[str, ...], count: int, header: str, expected: str) -> None:
    settings.YOUTHSAFE_TRUSTED_PROXY = trusted
    settings.YOUTHSAFE_TRUSTED_PROXY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto"})
    settings.YOUTHSAFE_TRUSTED_PROXY_COUNT = count
    environ = _rewritten({"HTTP_X_FORWARDED_FOR": header})
    assert client_ip(environ) == expected
    assert environ[proxy.PEER] == PROXY


def test_the_scheme_only_from_the_proxy(behind_proxy: Any) -> None:
    assert _rewritten({"HTTP_X_FORWARDED_PROTO": "https"})["wsgi.url_scheme"] == "https"
    forged = _rewritten({"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_PROTO": "https"})
    assert forged["wsgi.url_scheme"] == "http"
    assert "HTTP_X_FORWARDED_PROTO" not in forged


def test_headers_the_proxy_is_not_trusted_for_are_removed(behind_proxy: Any) -> None:
    environ = _rewritten({"HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_X_FORWARDED_FOR": "203.0.113.7"})
    assert "HTTP_X_FORWARDED_HOST" not in environ
    assert client_ip(environ) == "203.0.113.7"
    assert proxy.UNTRUSTED_FORWARDING not in environ
    direct = _rewritten({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"})
    assert "HTTP_X_FORWARDED_FOR" not in direct
    assert direct[proxy.UNTRUSTED_FORWARDING] == "1"  # proxy headers from a peer nobody named


def test_the_forwarded_header_when_configured(behind_proxy: Any) -> None:
    behind_proxy.YOUTHSAFE_TRUSTED_PROXY_HEADERS = frozenset({"forwarded"})
    environ = _rewritten({"HTTP_FORWARDED": 'for="[2001:db8::7]";proto=https', "HTTP_X_FORWARDED_FOR": "1.1.1.1"})
    assert (client_ip(environ), environ["wsgi.url_scheme"]) == ("2001:db8::7", "https")
    assert "HTTP_X_FORWARDED_FOR" not in environ
    hidden = _rewritten({"HTTP_FORWARDED": "for=_hidden"})  # an obfuscated identifier is not an address
    assert client_ip(hidden) == PROXY


def test_a_malformed_header_from_the_proxy_is_a_400(behind_proxy: Any) -> None:
    answers: list[str] = []
    environ = {"REMOTE_ADDR": PROXY, "REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "wsgi.url_scheme": "http",
               "HTTP_X_FORWARDED_PROTO": "gopher"}
    body = b"".join(application(environ, lambda status, headers, *_: answers.append(status)))  # type: ignore[arg-type]
    assert answers == ["400 Bad Request"]
    assert b"X-Forwarded-Proto" in body


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("YOUTHSAFE_TRUSTED_PROXY", "proxy.internal", "is not an IP address or network"),
    ("YOUTHSAFE_TRUSTED_PROXY_HEADERS", "x-forwarded-for x-real-ip", "unknown ['x-real-ip']"),
    ("YOUTHSAFE_BEHIND_PROXY", "true", "needs YOUTHSAFE_TRUSTED_PROXY"),
])
def test_bad_proxy_settings_stop_the_start(tmp_path: Path, variable: str, value: str, message: str) -> None:
    env = {**os.environ, "YOUTHSAFE_VAR_DIR": str(tmp_path), variable: value}
    for name in ("DJANGO_SETTINGS_MODULE", "YOUTHSAFE_TRUSTED_PROXY"):
        if name != variable:
            env.pop(name, None)
    result = subprocess.run([sys.executable, "-c", "import youthsafe.core.settings"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert message in result.stderr


def test_nothing_is_trusted_by_default() -> None:
    assert settings.YOUTHSAFE_TRUSTED_PROXY == ()
    assert settings.BEHIND_PROXY is False
    assert not proxy.trusted_peer("127.0.0.1")


# ---------------------------------------------------------------- what reads it


@pytest.mark.django_db
def test_public_reports_count_each_client_behind_the_proxy(tree: Tree, behind_proxy: Any) -> None:
    behind_proxy.YOUTHSAFE_REPORT_RATE_LIMIT = 2
    through = ProxiedClient(REMOTE_ADDR=PROXY)  # every request arrives from the proxy

    def post(forwarded_for: str) -> int:
        return int(through.post("/api/content/public/reports", REPORT, content_type="application/json",
                                HTTP_X_FORWARDED_FOR=forwarded_for).status_code)

    assert [post(f"{spoof}, 203.0.113.7") for spoof in ("1.1.1.1", "2.2.2.2", "3.3.3.3")] == [201, 201, 429]
    assert post("203.0.113.8") == 201  # another client behind the same proxy has its own budget
    form = through.post("/content/report/", {**REPORT, "good_faith": "on", "contact": ""},
                        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert form.status_code == 429  # the form counts the same client
    assert PublicReport.objects.count() == 3


@pytest.mark.django_db
def test_audit_rows_record_the_client(tree: Tree, behind_proxy: Any) -> None:
    through = ProxiedClient(REMOTE_ADDR=PROXY)
    through.post("/login/", {"username": "nobody", "password": "x"}, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert AuditEvent.objects.latest("id").ip_address == "203.0.113.7"
    direct = ProxiedClient(REMOTE_ADDR="10.0.0.1")  # not the proxy: its header is dropped
    direct.post("/login/", {"username": "nobody", "password": "x"}, HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert AuditEvent.objects.latest("id").ip_address == "10.0.0.1"


@pytest.mark.django_db
def test_https_from_the_proxy_is_not_redirected(tree: Tree, behind_proxy: Any) -> None:
    behind_proxy.SECURE_SSL_REDIRECT = True
    through = ProxiedClient(REMOTE_ADDR=PROXY)
    assert through.get("/login/", HTTP_X_FORWARDED_FOR="203.0.113.7", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert through.get("/login/", HTTP_X_FORWARDED_PROTO="http").status_code == 301
    forged = ProxiedClient(REMOTE_ADDR="203.0.113.7").get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert forged.status_code == 301


@pytest.mark.django_db
def test_metrics_behind_a_proxy_need_the_token(behind_proxy: Any) -> None:
    behind_proxy.YOUTHSAFE_METRICS_TOKEN = "s3cret-token"
    through = ProxiedClient(REMOTE_ADDR=PROXY)
    assert through.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 403
    assert ProxiedClient(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403  # loopback opens nothing now
    assert through.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7",
                       HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


@pytest.mark.django_db
def test_metrics_refuse_a_proxy_nobody_configured(settings: Any) -> None:
    local = ProxiedClient(REMOTE_ADDR="127.0.0.1")
    assert local.get("/metrics").status_code == 200  # no proxy: a loopback scraper
    assert local.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 403
    assert local.get("/metrics", HTTP_X_REAL_IP="203.0.113.7").status_code == 403


# ---------------------------------------------------------------- lockout


def _login(client: Client, username: str, password: str, forwarded_for: str) -> int:
    return int(client.post("/login/", {"username": username, "password": password},
                           HTTP_X_FORWARDED_FOR=forwarded_for).status_code)


@pytest.mark.django_db
def test_wrong_passwords_lock_the_client_not_the_user(behind_proxy: Any, make_user: Callable[..., User]) -> None:
    user = make_user("readonly")
    through = ProxiedClient(REMOTE_ADDR=PROXY)
    limit = behind_proxy.AXES_FAILURE_LIMIT
    codes = [_login(through, user.username, "wrong-password", "203.0.113.66") for _ in range(limit)]
    assert codes == [200] * (limit - 1) + [429]
    assert _login(through, user.username, PASSWORD, "203.0.113.66") == 429  # that client is locked out
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    assert _login(ProxiedClient(REMOTE_ADDR=PROXY), user.username, PASSWORD, "198.51.100.1") == 302  # the user is not
    assert AccessFailureLog.objects.filter(username=user.username).count() == limit  # the locked try adds nothing


@pytest.mark.django_db
def test_the_per_user_backstop(behind_proxy: Any, make_user: Callable[..., User]) -> None:
    behind_proxy.YOUTHSAFE_LOGIN_USER_FAILURE_LIMIT = 7
    user = make_user("readonly")
    clients = [f"203.0.113.{n}" for n in range(1, 8)]
    codes = [_login(ProxiedClient(REMOTE_ADDR=PROXY), user.username, "wrong-password", c) for c in clients]
    assert codes == [200] * 6 + [429]  # one failure each: no pair is near its limit, the user name is
    fresh = ProxiedClient(REMOTE_ADDR=PROXY)
    assert _login(fresh, user.username, PASSWORD, "198.51.100.9") == 429  # locked from every address
    # Failures older than the window no longer count.
    AccessFailureLog.objects.filter(username=user.username, ip_address="203.0.113.1").update(
        attempt_time=AccessFailureLog.objects.get(ip_address="203.0.113.1").attempt_time
        - behind_proxy.YOUTHSAFE_LOGIN_USER_WINDOW - timedelta(seconds=1))
    assert _login(fresh, user.username, PASSWORD, "198.51.100.9") == 302
    # An administrator's reset lifts the backstop too.
    for c in clients[:6]:
        _login(ProxiedClient(REMOTE_ADDR=PROXY), user.username, "wrong-password", f"{c}0")
    assert _login(ProxiedClient(REMOTE_ADDR=PROXY), user.username, PASSWORD, "198.51.100.10") == 429
    call_command("axes_reset_username", user.username, stdout=StringIO())
    assert AccessFailureLog.objects.filter(username=user.username).count() == 0
    assert _login(ProxiedClient(REMOTE_ADDR=PROXY), user.username, PASSWORD, "198.51.100.10") == 302


@pytest.mark.django_db
def test_old_failures_are_deleted(behind_proxy: Any, make_user: Callable[..., User]) -> None:
    user = make_user("readonly")
    _login(ProxiedClient(REMOTE_ADDR=PROXY), user.username, "wrong-password", "203.0.113.1")
    AccessFailureLog.objects.update(attempt_time=AccessFailureLog.objects.get().attempt_time
                                    - behind_proxy.YOUTHSAFE_LOGIN_USER_WINDOW - timedelta(seconds=1))
    _login(ProxiedClient(REMOTE_ADDR=PROXY), user.username, "wrong-password", "203.0.113.2")
    assert list(AccessFailureLog.objects.values_list("ip_address", flat=True)) == ["203.0.113.2"]
