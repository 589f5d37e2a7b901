"""Steps shared by the browser tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import PASSWORD
from youthsafe.core.models import User


def login(page: Any, base: str, user: User) -> None:
    """Log ``user`` in through the login form and wait for the dashboard."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/dashboard/")
