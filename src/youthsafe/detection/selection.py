"""Model selection for ``youthsafe model train``: several candidate configurations, one chosen by
cross-validation on the training data only, so that training never does worse than a plain baseline.

The candidates always include the plain baseline, a character 1-3-gram TF-IDF (raw term counts, every
n-gram) with a logistic regression (C=1): what a careful reviewer would try first. Each candidate is trained
with k-fold cross-validation on the training data (``training.train_category``/``train_risk`` compute
their out-of-fold figures); the one with the best cross-validated score is kept, fitted on all the data. The
choice and every candidate's figures are recorded in the model's ``model.json`` under ``selection``.

Scores: categories, macro-F1 over the labels (single-label: arg-max decisions, as the baseline's); risk
levels, F1 of "level >= alert level" (the decision that puts a person on the alert queue), ties broken by
the 11-level weighted F1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from youthsafe.detection.classifier import TextModel
from youthsafe.detection.training import TrainConfig, train_category, train_risk

__all__ = ["Candidate", "candidates", "select_category", "select_risk"]

BASELINE = "baseline: char 1-3-gram TF-IDF + logistic regression (C=1)"


@dataclass(frozen=True)
class Candidate:
    """A name and the training configuration it stands for."""

    name: str
    cfg: TrainConfig


def candidates(task: str, base: TrainConfig, *, multi_label: bool = False) -> list[Candidate]:
    """The configurations tried for ``task`` (``category`` or ``risk-level``); ``base`` carries folds, seed,
    n-gram length and the user's own C and min_df (the "project" candidate)."""
    plain = replace(base, n_max=3, min_df=1, c=1.0, sublinear_tf=False, words=False, class_weight=None)
    tuned = replace(base, min_df=1, sublinear_tf=True)
    if task == "risk-level":
        return [
            Candidate(BASELINE + ", levels as classes", replace(plain, risk_classes=True)),
            Candidate("project: ridge regression of the level", replace(base, risk_classes=False)),
            Candidate("sublinear TF-IDF + multinomial LR, C=4", replace(tuned, c=4.0, risk_classes=True)),
            Candidate("sublinear TF-IDF + multinomial LR, C=16", replace(tuned, c=16.0, risk_classes=True)),
            Candidate(
                "sublinear TF-IDF + multinomial LR, C=16, balanced",
                replace(tuned, c=16.0, risk_classes=True, class_weight="balanced"),
            ),
        ]
    softmax = not multi_label
    return [
        Candidate(BASELINE, replace(plain, softmax=softmax)),
        Candidate("project: one-vs-rest LR with Platt calibration", replace(base, softmax=False)),
        Candidate("sublinear TF-IDF + LR, C=4", replace(tuned, c=4.0, softmax=softmax)),
        Candidate("sublinear TF-IDF + LR, C=16", replace(tuned, c=16.0, softmax=softmax)),
        Candidate(
            "sublinear TF-IDF + LR, C=16, balanced", replace(tuned, c=16.0, softmax=softmax, class_weight="balanced")
        ),
    ]


def _category_score(model: TextModel) -> tuple[float, ...]:
    metrics = model.meta.get("metrics", {})
    return (float(metrics.get("macro_f1", 0.0)), float(metrics.get("accuracy", 0.0)))


def _risk_score(model: TextModel) -> tuple[float, ...]:
    metrics = model.meta.get("metrics", {})
    return (float(metrics.get("binary", {}).get("f1", 0.0)), float(metrics.get("weighted_f1", 0.0)))


def _select(
    tried: Sequence[Candidate],
    train: Callable[[TrainConfig], TextModel],
    score: Callable[[TextModel], tuple[float, ...]],
    metric: str,
    progress: Callable[[str], None] | None,
) -> TextModel:
    best: tuple[tuple[float, ...], int, TextModel] | None = None
    rows: list[dict[str, Any]] = []
    for n, cand in enumerate(tried):
        if progress is not None:
            progress(cand.name)
        model = train(cand.cfg)
        value = score(model)
        metrics = model.meta.get("metrics", {})
        rows.append({"name": cand.name, "score": list(value), "metrics": metrics})
        # Strictly better only: on a tie the earlier candidate (the plain baseline first) is kept.
        if best is None or value > best[0]:
            best = (value, n, model)
    assert best is not None  # noqa: S101 - there is always at least one candidate
    model = best[2]
    model.meta["selection"] = {
        "metric": metric,
        "chosen": tried[best[1]].name,
        "on": model.meta.get("metrics_on"),
        "candidates": rows,
    }
    return model


def select_category(
    texts: list[str],
    labels: list[list[str]],
    *,
    multi_label: bool,
    cfg: TrainConfig,
    dev: tuple[list[str], list[list[str]]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> TextModel:
    """Train every category candidate and keep the best by held-out macro-F1 (then accuracy)."""
    return _select(
        candidates("category", cfg, multi_label=multi_label),
        lambda c: train_category(texts, labels, multi_label=multi_label, cfg=c, dev=dev),
        _category_score,
        "macro-F1, then accuracy",
        progress,
    )


def select_risk(
    texts: list[str],
    levels: list[float],
    *,
    cfg: TrainConfig,
    dev: tuple[list[str], list[float]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> TextModel:
    """Train every risk-level candidate and keep the best by held-out F1 at the alert level (then the
    11-level weighted F1)."""
    return _select(
        candidates("risk-level", cfg),
        lambda c: train_risk(texts, levels, cfg=c, dev=dev),
        _risk_score,
        f"F1 of level >= {cfg.alert_level}, then weighted F1 over the levels",
        progress,
    )
