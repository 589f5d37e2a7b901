"""One progress bar for every long command (scan, ingest, backfill, model train): tqdm on standard error,
shown only when standard error is a terminal (in pipes, logs and CI nothing is drawn)."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm

__all__ = ["progress_bar"]


def progress_bar(*, total: int | None = None, desc: str = "", unit: str = "post", enabled: bool | None = None) -> Any:
    """A ``tqdm`` bar (a context manager with ``update(n)``, ``set_postfix_str``) on standard error.

    ``enabled`` None: drawn when standard error is a terminal. The bar is a no-op object otherwise, so callers
    update it unconditionally.
    """
    show = sys.stderr.isatty() if enabled is None else enabled
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=True, file=sys.stderr, disable=not show,
                dynamic_ncols=True, mininterval=0.2)  # fmt: skip
