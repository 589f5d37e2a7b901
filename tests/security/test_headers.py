"""The security headers are on every page a stranger can reach, not only on the staff dashboard that
tests/core/test_auth.py checks: the public report form and its lookup, login, the home page and the API docs."""

from __future__ import annotations

import pytest
from django.test import Client

PUBLIC_PAGES = ["/", "/login/", "/content/report/", "/content/report/lookup/", "/api/docs", "/api/openapi.json"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_carry_the_security_headers(path: str) -> None:
    response = Client().get(path, follow=True)
    assert response.status_code == 200, path
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"

