"""Login lockout: django-axes per (user name, client address), with a slower per-user backstop.

axes locks a (user name, client address) pair after ``YOUTHSAFE_LOGIN_FAILURE_LIMIT`` failures within
``YOUTHSAFE_LOGIN_COOLOFF_MINUTES``: someone guessing from one address is stopped, and the real user at
another address is not locked out by them. The client address is the real client's, also behind a proxy
(:func:`youthsafe.core.middleware.axes_client_ip`).

The backstop stops guessing spread over many addresses: after ``YOUTHSAFE_LOGIN_USER_FAILURE_LIMIT`` failures
for one user name from any addresses within ``YOUTHSAFE_LOGIN_USER_WINDOW_HOURS``, that name is locked from
every address until enough of those failures are older than the window. Each failed password check is one row
of axes' failure log (rows older than the window are deleted as new ones come); an attempt refused during a
lockout checks no password and adds nothing, so hammering a locked pair does not bring the backstop nearer.
A successful login clears its pair's failures, not the user's backstop count.
``youthsafe axes_reset_username NAME`` (or ``axes_reset``) lifts both.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def _window_start() -> Any:
    return timezone.now() - settings.YOUTHSAFE_LOGIN_USER_WINDOW


def user_failures(username: str) -> int:
    """Failed password checks for ``username`` from any address within the backstop's window."""
    return int(AccessFailureLog.objects.filter(username=username, attempt_time__gte=_window_start()).count())


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes has no type information
    """axes' database handler (AXES_HANDLER) with the per-user backstop."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        failures = int(super().get_failures(request, credentials))
        limit = int(get_failure_limit(request, credentials))
        if failures >= limit:
            return failures
        username = get_client_username(request, credentials)
        if username and user_failures(str(username)) >= settings.YOUTHSAFE_LOGIN_USER_FAILURE_LIMIT:
            return limit  # the backstop: locked from every address
        return failures

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                          **kwargs: Any) -> None:
        # Recorded before axes counts, so the failure that reaches the backstop's limit is answered as a lockout.
        if request is not None and not getattr(request, "axes_locked_out", False):
            username = get_client_username(request, credentials)
            if username:
                AccessFailureLog.objects.filter(attempt_time__lt=_window_start()).delete()
                AccessFailureLog.objects.create(
                    username=str(username)[:255], ip_address=getattr(request, "axes_ip_address", None),
                    user_agent=str(getattr(request, "axes_user_agent", ""))[:255],
                    http_accept=str(getattr(request, "axes_http_accept", ""))[:1025],
                    path_info=str(getattr(request, "axes_path_info", ""))[:255],
                )
        super().user_login_failed(sender, credentials, request, **kwargs)

    def reset_attempts(self, *, ip_address: str | None = None, username: str | None = None,
                       ip_or_username: bool = False) -> int:
        """``axes_reset``, ``axes_reset_ip``, ``axes_reset_username``: also forget the backstop's failures."""
        count = int(super().reset_attempts(ip_address=ip_address, username=username, ip_or_username=ip_or_username))
        failures = AccessFailureLog.objects.all()
        if ip_or_username:
            failures = failures.filter(username=username) | failures.filter(ip_address=ip_address)
        else:
            if ip_address:
                failures = failures.filter(ip_address=ip_address)
            if username:
                failures = failures.filter(username=username)
        failures.delete()
        return count
