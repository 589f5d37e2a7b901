"""Evaluation reports for ``model evaluate`` and the metrics stored in model.json.

Report keys follow the architecture contract: ``accuracy``, ``macro_f1``, ``weighted_f1``, ``per_label``
(``precision``/``recall``/``f1``/``support`` per label) and, for risk levels, ``binary`` (high risk =
level >= 6). Multi-label accuracy is exact-set accuracy; its F1 figures are per label.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from youthsafe.detection.classifier import TextModel

__all__ = ["HIGH_RISK_LEVEL", "category_report", "predict_labels", "risk_report"]

HIGH_RISK_LEVEL = 6


def _prf(pred: npt.NDArray[np.bool_], gold: npt.NDArray[np.bool_]) -> dict[str, float | int]:
    tp = int(np.sum(pred & gold))
    p_den, r_den = int(pred.sum()), int(gold.sum())
    precision = tp / p_den if p_den else 0.0
    recall = tp / r_den if r_den else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "support": r_den,
    }


def _summary(
    pred: npt.NDArray[np.bool_], gold: npt.NDArray[np.bool_], names: Sequence[str]
) -> dict[str, Any]:
    per_label = {name: _prf(pred[:, j], gold[:, j]) for j, name in enumerate(names)}
    support = np.array([v["support"] for v in per_label.values()], dtype=np.float64)
    f1s = np.array([v["f1"] for v in per_label.values()], dtype=np.float64)
    present = support > 0
    macro = float(f1s[present].mean()) if present.any() else 0.0
    weighted = float((f1s * support).sum() / support.sum()) if support.sum() else 0.0
    return {"macro_f1": round(macro, 4), "weighted_f1": round(weighted, 4), "per_label": per_label}


def predict_labels(model: TextModel, probs: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
    """Decisions (n, labels): thresholds for multi-label and binary tasks, arg-max for multi-class."""
    labels = model.labels
    if model.multi_label:
        thr = np.array([model.thresholds.get(name, 0.5) for name in labels], dtype=np.float32)
        out: npt.NDArray[np.bool_] = np.asarray(probs >= thr)
        return out
    if len(labels) == 2:
        positive = probs[:, 1] >= model.thresholds.get(labels[1], 0.5)
        return np.stack([~positive, positive], axis=1)
    onehot: npt.NDArray[np.bool_] = np.eye(len(labels), dtype=bool)[np.argmax(probs, axis=1)]
    return onehot


def category_report(
    model: TextModel, probs: npt.NDArray[np.float32], gold: Sequence[Sequence[str]]
) -> dict[str, Any]:
    """Metrics of a category model's probabilities against gold label lists."""
    pred = predict_labels(model, probs)
    truth = np.array([[name in g for name in model.labels] for g in gold], dtype=bool).reshape(pred.shape)
    report: dict[str, Any] = {"examples": len(gold)}
    report["accuracy"] = round(float(np.mean(np.all(pred == truth, axis=1))) if len(gold) else 0.0, 4)
    report.update(_summary(pred, truth, model.labels))
    return report


def risk_report(predicted: npt.NDArray[np.floating], gold: npt.NDArray[np.floating]) -> dict[str, Any]:
    """Metrics of predicted risk levels: rounded-level accuracy/F1, MAE, high-risk (>= 6) binary P/R/F1."""
    pred_level = np.clip(np.rint(predicted), 0, 10).astype(int)
    gold_level = np.clip(np.rint(gold), 0, 10).astype(int)
    levels = sorted(set(gold_level.tolist()) | set(pred_level.tolist()))
    names = [str(v) for v in levels]
    p = np.stack([pred_level == v for v in levels], axis=1) if levels else np.zeros((0, 0), bool)
    g = np.stack([gold_level == v for v in levels], axis=1) if levels else np.zeros((0, 0), bool)
    report: dict[str, Any] = {"examples": len(gold)}
    report["accuracy"] = round(float(np.mean(pred_level == gold_level)) if len(gold) else 0.0, 4)
    report["mae"] = round(float(np.mean(np.abs(predicted - gold))) if len(gold) else 0.0, 4)
    report.update(_summary(p, g, names))
    report["binary"] = _prf(pred_level >= HIGH_RISK_LEVEL, gold_level >= HIGH_RISK_LEVEL)
    return report
