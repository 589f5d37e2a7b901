"""Login, lockout, logout, password change, session and security headers."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, Tree
from youthsafe.core import middleware
from youthsafe.core.models import AuditAction, AuditEvent, User


def test_login_is_audited_and_lands_on_dashboard(make_user: Callable[..., User]) -> None:
    user = make_user("analyst")
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=user).count() == 1
    assert client.get("/dashboard/").status_code == 200


def test_passwords_are_hashed_with_argon2(make_user: Callable[..., User], settings: Any) -> None:
    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert make_user("analyst").password.startswith("argon2")


def test_failed_logins_are_audited_then_locked_out(make_user: Callable[..., User]) -> None:
    user = make_user("analyst")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": user.username, "password": "wrong-password"})
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_label=user.username).count() >= 4
    # Locked: even the right password is refused now.
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=user).exists()


def test_logout_is_a_post_and_is_audited(make_user: Callable[..., User], login: Callable[[User], Client]) -> None:
    user = make_user("analyst")
    client = login(user)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=user).exists()
    assert client.get("/dashboard/").status_code == 302


def test_password_change(make_user: Callable[..., User], login: Callable[[User], Client]) -> None:
    user = make_user("reviewer")
    client = login(user)
    bad = client.post("/password/", {"old_password": "nope", "new_password1": "x", "new_password2": "x"})
    assert bad.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    good = client.post("/password/", {"old_password": PASSWORD, "new_password1": "A-much-longer-pass-77",
                                      "new_password2": "A-much-longer-pass-77"})
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.check_password("A-much-longer-pass-77")
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE, actor=user).exists()


def test_csrf_is_enforced_on_forms(make_user: Callable[..., User]) -> None:
    user = make_user("administrator")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/jurisdictions/new/", {"code": "X", "name": "X", "kind": "district"})
    assert response.status_code == 403


def test_security_headers(make_user: Callable[..., User], login: Callable[[User], Client]) -> None:
    response = login(make_user("analyst")).get("/dashboard/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_session_expires_after_idle_time() -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_a_background_refresh_does_not_keep_an_idle_session_alive(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client]
) -> None:
    """The review queue refreshes itself every 15 s; left open on an unattended screen it must not keep the
    session alive. Its polls (marked X-YouthSafe-Poll) leave the expiry alone; a person's request extends it;
    once the session has ended, the next poll sends the whole page to the login."""
    client = login(make_user("reviewer", tree.north))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    soon = timezone.now() + dt.timedelta(seconds=90)
    Session.objects.filter(pk=key).update(expire_date=soon)
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_X_YOUTHSAFE_POLL": "1", "HTTP_HX_CURRENT_URL": "http://testserver/alerts/?level=5"}
    assert client.get("/alerts/", **poll).status_code == 200
    assert Session.objects.get(pk=key).expire_date == soon  # the poll extended nothing
    assert client.get("/alerts/").status_code == 200  # a person looked at the page
    assert Session.objects.get(pk=key).expire_date > soon + dt.timedelta(minutes=10)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    ended = client.get("/alerts/", **poll)
    assert ended.status_code == 200
    assert ended["HX-Redirect"] == "/login/?next=/alerts/%3Flevel%3D5"


def test_chinese_is_the_default_language(make_user: Callable[..., User], login: Callable[[User], Client]) -> None:
    client = login(make_user("analyst"))
    response = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "平台台账" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/dashboard/")
    assert response["Content-Language"] == "en"
    assert "Platform registry" in response.content.decode()


@pytest.mark.parametrize("role", ["leader", "auditor", "administrator"])
def test_global_roles_read_every_jurisdiction(tree: Tree, make_user: Callable[..., User], role: str) -> None:
    user = make_user(role, tree.north)
    assert user.can_read_in(tree.south)
    assert user.can_read_in(tree.other_city)


def test_api_docs_are_served_from_our_own_origin(
    make_user: Callable[..., User], login: Callable[[User], Client],
) -> None:
    response = login(make_user("analyst")).get("/api/docs")
    body = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in body
    # Every script and stylesheet comes from this origin (no CDN); the CSRF token in the page is random text,
    # so look at the addresses, not at the whole body.
    addresses = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert addresses
    assert all(a.startswith("/") for a in addresses), addresses
    schema = login(make_user("reviewer")).get("/api/openapi.json").json()
    assert "/api/registry/platforms" in schema["paths"]


def test_a_session_is_extended_at_most_once_a_minute(
    tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Extending the idle limit writes the session row: a person clicking through pages writes it once a minute,
    not once a page."""
    client = login(make_user("reviewer", tree.north))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/alerts/").status_code == 200  # extends (and notes when)
    marked = Session.objects.get(pk=key).expire_date
    soon = timezone.now() + dt.timedelta(seconds=90)
    Session.objects.filter(pk=key).update(expire_date=soon)
    assert client.get("/alerts/").status_code == 200
    assert Session.objects.get(pk=key).expire_date == soon  # within the minute: not written again
    later = time.time() + middleware.EXTEND_EVERY + 1
    monkeypatch.setattr(middleware.time, "time", lambda: later)
    assert client.get("/alerts/").status_code == 200
    assert Session.objects.get(pk=key).expire_date > max(soon, marked)  # a minute on: extended


def test_api_tells_a_caller_without_a_session_401_and_a_forged_request_403(make_user: Callable[..., User]) -> None:
    anonymous = Client(enforce_csrf_checks=True)  # as a real client: Django's test client skips CSRF otherwise
    response = anonymous.post("/api/leads/leads", {}, content_type="application/json")
    assert response.status_code == 401
    logged_in = Client(enforce_csrf_checks=True)
    logged_in.force_login(make_user("analyst"))
    forged = logged_in.post("/api/leads/leads", {}, content_type="application/json")  # no CSRF token
    assert forged.status_code == 403
    assert logged_in.get("/api/leads/leads").status_code == 200  # safe methods need no token
