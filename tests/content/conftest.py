from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> Iterator[None]:
    """Evidence files of each test go to a directory of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return
