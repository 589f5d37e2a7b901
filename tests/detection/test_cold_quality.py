"""COLD quality gate: train on COLD train+dev, evaluate once on test (needs ../shared/data/cold)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from youthsafe.detection.evaluation import category_report
from youthsafe.detection.normalize import normalize_text
from youthsafe.detection.training import TrainConfig, train_category

COLD = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "cold"

pytestmark = pytest.mark.needs_shared_data


def _load(name: str) -> tuple[list[str], list[list[str]]]:
    with (COLD / name).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [normalize_text(r["TEXT"]) for r in rows], [[r["label"]] for r in rows]


@pytest.fixture(scope="module")
def test_accuracy() -> float:
    if not (COLD / "test.csv").exists():
        pytest.skip(f"COLD data not found at {COLD.resolve()} (shared data is not part of the repo)")
    train_texts, train_labels = _load("train.csv")
    dev_texts, dev_labels = _load("dev.csv")
    test_texts, test_labels = _load("test.csv")
    model = train_category(train_texts + dev_texts, train_labels + dev_labels, multi_label=False,
                           cfg=TrainConfig(folds=3))  # fmt: skip
    return float(category_report(model, model.predict_proba(test_texts), test_labels)["accuracy"])


def test_cold_accuracy_does_not_regress(test_accuracy: float) -> None:
    assert test_accuracy >= 0.80  # measured 0.8086 with the shipped configuration


@pytest.mark.xfail(
    strict=False,
    reason="known gap: measured 0.8086 on COLD test (char 1-3 NB-LR, 3 folds), target 0.82; word features, "
    "NB-SVM and an MLP did not beat it on dev; a counter-speech cue offset reached 0.8069 at best (5 folds, "
    "vs 0.8061 without; see benchmarks/README.md)",
)
def test_cold_accuracy_reaches_target(test_accuracy: float) -> None:
    assert test_accuracy >= 0.82
