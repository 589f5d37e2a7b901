"""Supervision tests check service messages in English (the source language) whatever an earlier page
request left active; page tests get Chinese from the request as users do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield
