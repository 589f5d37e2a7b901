"""Explainable Chinese risk detection. Pure library: imports nothing of Django.

Public API (imported lazily so ``import youthsafe.detection.normalize`` stays cheap):

* ``Engine`` (``engine``); ``ScanResult``, ``CategoryScore``, ``Evidence``, ``RuleHit`` (``result``)
* ``normalize``, ``normalize_text``, ``Normalized`` (``normalize``)
* ``read_records``, ``Record``, ``BadLine``, ``InputError`` (``io``)
* ``RiskGrader``, ``RiskAssessment`` (``risk``); ``load_rules`` (``rules``); ``DedupIndex`` (``dedup``)
* ``CATEGORIES``, ``Category``, ``Tier`` (``taxonomy``)
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Engine": "engine", "ScanResult": "result", "CategoryScore": "result", "Evidence": "result",
    "RuleHit": "result", "normalize": "normalize", "normalize_text": "normalize", "Normalized": "normalize",
    "read_records": "io", "Record": "io", "BadLine": "io", "InputError": "io", "RiskGrader": "risk",
    "RiskAssessment": "risk", "load_rules": "rules", "DedupIndex": "dedup", "CATEGORIES": "taxonomy",
    "Category": "taxonomy", "Tier": "taxonomy",
}  # fmt: skip

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'youthsafe.detection' has no attribute {name!r}")
    return getattr(importlib.import_module(f"youthsafe.detection.{module}"), name)
