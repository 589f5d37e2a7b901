"""Training for ``TextModel``: sklearn fits the weights, everything else is stored as plain arrays.

Category heads: one L2-regularised logistic regression per label (lbfgs, deterministic), Platt calibration
and per-label thresholds fitted on held-out scores (k-fold out-of-fold scores, or a ``dev`` set when given).
Thresholds maximise F1 of the label for multi-label tasks and macro-F1 for binary single-label tasks.
Binary single-label tasks scale features with naive-Bayes log-count ratios (NB-LR), which beat plain TF-IDF
on COLD dev (0.915 vs 0.908 accuracy); other tasks scale by IDF. Risk heads: ridge regression on the same
features, clipped to 0-10. The seed fixes the folds, and every solver is deterministic, so two trainings on
the same data give byte-identical weights.

The fits live in ``fitting`` (scikit-learn, imported only by training), held-out scores and operating points
in ``heldout``; this module puts them together into a ``TextModel`` with its metrics.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from youthsafe.detection.classifier import TextModel
from youthsafe.detection.evaluation import category_report, risk_report
from youthsafe.detection.features import NgramSpace
from youthsafe.detection.fitting import fit_calibration, fit_category_head, fit_risk_head, fit_softmax, fit_vocab, platt
from youthsafe.detection.heads import risk_decide, softmax
from youthsafe.detection.heldout import (
    alert_threshold,
    category_thresholds,
    cross_calibrated,
    heldout_scores,
    split_folds,
)

__all__ = ["TrainConfig", "data_digest", "train_category", "train_risk"]

F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; defaults were selected on COLD dev (see benchmarks/README.md)."""

    n_max: int = 3
    min_df: int = 2
    max_features: int | None = None
    c: float = 3.0  # inverse L2 strength of the logistic regressions
    ridge_alpha: float = 0.1
    folds: int = 5
    seed: int = 0
    nb_smoothing: float = 1.0
    # Lowest allowed threshold. F1-optimal thresholds of rare labels can sit near 0.05, which flags ordinary
    # text on unseen data; the default model sets 0.5 so a flag always means "more likely than not".
    min_threshold: float = 0.0
    # Multi-label only: raise each threshold above every out-of-fold score of the label-free texts (the
    # corpus's hard negatives), so ordinary text that merely shares words with a category is not flagged.
    guard_negatives: bool = False
    # Multi-label only: each threshold maximises held-out F1 among thresholds whose held-out precision is at
    # least this; a label that never reaches it gets ``NEVER`` (the model alone never flags it).
    precision_floor: float = 0.0
    # ``"balanced"`` weighs a label's few positives up against the many negatives (rare labels: ~12-40
    # positives of ~1,000 texts), which lifts their recall at the same precision.
    class_weight: str | None = None
    # Multi-label only: in the precision of ``precision_floor``, a false flag on a label-free text (a hard
    # negative) counts this many times. The corpus is ~70% harmful posts; real traffic is mostly ordinary
    # text, so unweighted corpus precision overstates the precision a moderator would see.
    negative_weight: float = 1.0
    # Multi-label only: raise each threshold to at least this quantile of the out-of-fold scores of the
    # everyday rows (``train_category(everyday=...)``), so a category flags at most 1 - q of ordinary text.
    negative_quantile: float | None = None
    # Labels that ``min_threshold`` and ``negative_quantile`` leave at their out-of-fold F1 threshold: those
    # the engine guards in its own way (abuse needs a word of abuse in the text, engine._ABUSE).
    floor_exempt: tuple[str, ...] = ()
    # Word features (``word_features.WordVocabulary``): jieba picks multi-character words of the training
    # texts seen in >= ``word_min_df`` texts; they are counted (overlapping) alongside the n-grams.
    words: bool = False
    word_min_df: int = 2
    # Risk head only: fit an isotonic map from the regressor's output to the level on its held-out
    # predictions (out-of-fold, or the dev set), when there are at least ``MIN_CALIBRATION`` of them.
    calibrate_risk: bool = True
    # ``False``: raw term counts, as a plain TF-IDF vectorizer has them (the baseline candidate).
    sublinear_tf: bool = True
    # Single-label only: one multinomial logistic regression (softmax) instead of one-vs-rest scorers.
    softmax: bool = False
    # Risk head as a multinomial classifier over the levels (instead of a ridge regressor), with the
    # operating point for "level >= alert_level" chosen on held-out predictions: the threshold on
    # P(level >= alert_level) with the best F1, or the highest one reaching ``alert_recall`` when given.
    risk_classes: bool = False
    alert_level: int = 6
    alert_recall: float | None = None


def data_digest(texts: Sequence[str], labels: Sequence[object]) -> str:
    """SHA-256 of the training pairs, recorded in model.json so a model names the data it came from."""
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(text.encode("utf-8") + b"\x1f" + repr(label).encode("utf-8") + b"\x1e")
    return digest.hexdigest()


def train_category(
    texts: list[str],
    labels: list[list[str]],
    *,
    multi_label: bool,
    cfg: TrainConfig,
    dev: tuple[list[str], list[list[str]]] | None = None,
    space: NgramSpace | None = None,
    everyday: Sequence[bool] | None = None,
) -> TextModel:
    """Train a category model on *normalised* texts; ``labels[i]`` lists the labels of text i (``everyday``:
    which rows stand for ordinary traffic, for ``cfg.negative_quantile``)."""
    names = sorted({lab for labs in labels for lab in labs}, key=_label_key)
    if not multi_label and len(names) < 2:
        raise ValueError("a single-label task needs at least two distinct labels")
    if cfg.softmax and multi_label:
        raise ValueError("a softmax head is for single-label tasks")
    binary = not multi_label and len(names) == 2 and not cfg.softmax
    columns = names[1:] if binary else names

    def matrix(rows: list[list[str]]) -> npt.NDArray[np.bool_]:
        return np.array([[c in r for c in columns] for r in rows], dtype=bool).reshape(len(rows), len(columns))

    y = matrix(labels)
    vocab = fit_vocab(texts, cfg, space)
    dev_pair = None if dev is None else (dev[0], matrix(dev[1]))
    held_scores, held_y = heldout_scores(vocab, texts, y, fit_category_head, cfg, dev_pair)
    head = fit_category_head(vocab.features(texts), y, cfg)
    if cfg.softmax:
        held_prob = softmax(held_scores)
    else:
        for j in range(len(columns)):
            head.platt_a[j], head.platt_b[j] = platt(held_scores[:, j], held_y[:, j])
        held_prob = head.calibrated(held_scores)
    thresholds = category_thresholds(held_prob, held_y, columns, cfg, multi_label=multi_label, binary=binary,
                                     everyday=everyday)  # fmt: skip
    if binary:
        thresholds = {names[0]: round(1.0 - thresholds[names[1]], 6), **thresholds}
    model = TextModel(
        task="category",
        labels=names,
        thresholds=thresholds,
        space=vocab.space,
        category=head,
        multi_label=multi_label,
        words=vocab.words,
        link="softmax" if cfg.softmax else "sigmoid",
        tf="sublinear" if cfg.sublinear_tf else "raw",
    )
    gold = labels if dev is None else dev[1]
    model.meta.update(
        _meta(cfg, texts, labels, "dev" if dev else f"{cfg.folds}-fold cross-validation"),
        metrics=category_report(model, _probs_for(model, held_prob), gold),
    )
    return model


def _probs_for(model: TextModel, calibrated: F32) -> F32:
    if calibrated.shape[1] == 1 and len(model.labels) == 2:
        return np.hstack([1.0 - calibrated, calibrated]).astype(np.float32)
    if not model.multi_label:
        total = calibrated.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        out: F32 = (calibrated / total).astype(np.float32)
        return out
    return calibrated


def train_risk(
    texts: list[str],
    levels: list[float],
    *,
    cfg: TrainConfig,
    dev: tuple[list[str], list[float]] | None = None,
    space: NgramSpace | None = None,
) -> TextModel:
    """Train a risk-level (0-10) regressor on *normalised* texts (``space``: reuse a vocabulary); with
    ``cfg.risk_classes`` a classifier over the levels instead (``_train_risk_classes``)."""
    if cfg.risk_classes:
        return _train_risk_classes(texts, levels, cfg=cfg, dev=dev, space=space)
    y = np.asarray(levels, dtype=np.float64)
    vocab = fit_vocab(texts, cfg, space)
    dev_pair = None if dev is None else (dev[0], np.asarray(dev[1], dtype=np.float64))
    held, held_y = heldout_scores(vocab, texts, y, fit_risk_head, cfg, dev_pair)
    head = fit_risk_head(vocab.features(texts), y, cfg)
    pred = np.clip(held[:, 0], 0.0, 10.0).astype(np.float64)
    calibration = fit_calibration(pred, held_y) if cfg.calibrate_risk else None
    model = TextModel(task="risk-level", labels=[], thresholds={}, space=vocab.space, risk=head,
                      words=vocab.words, risk_calibration=calibration)  # fmt: skip
    heldout = "dev" if dev else f"{cfg.folds}-fold cross-validation"
    if calibration is None:
        metrics = risk_report(pred, held_y)
    else:
        # The map is fitted on these same held-out predictions, so its metrics are cross-fitted: each
        # prediction is mapped by a calibration fitted without it.
        metrics = risk_report(cross_calibrated(pred, held_y, cfg), held_y)
        uncalibrated = risk_report(pred, held_y)
        metrics["uncalibrated"] = {k: uncalibrated[k] for k in ("accuracy", "mae", "binary")}
    model.meta.update(_meta(cfg, texts, levels, heldout), metrics=metrics)
    if calibration is not None:
        model.meta["risk_calibration"] = (
            f"isotonic, fitted on the {heldout} predictions ({len(held_y)}); metrics cross-fitted over them"
        )
    return model


def _meta(cfg: TrainConfig, texts: Sequence[str], labels: Sequence[object], heldout: str) -> dict[str, Any]:
    return {
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seed": cfg.seed,
        "training": {
            "examples": len(texts),
            "data_sha256": data_digest(texts, labels),
            "config": asdict(cfg),
        },
        "features": {
            "kind": "char-ngram" if not cfg.words else "char-ngram+word",
            "n_min": 1,
            "tf": "sublinear",
            "norm": "l2",
        },
        "metrics_on": heldout,
    }


def _label_key(label: str) -> tuple[int, float | str]:
    """Numeric labels sort numerically ("2" < "10"), then strings; the binary positive is sorted last."""
    try:
        return (0, float(label))
    except ValueError:
        return (1, label)


def _train_risk_classes(
    texts: list[str],
    levels: list[float],
    *,
    cfg: TrainConfig,
    dev: tuple[list[str], list[float]] | None,
    space: NgramSpace | None,
) -> TextModel:
    """Risk head as a multinomial classifier over the levels seen in training, plus the alert operating
    point. Metrics are cross-fitted: each fold's levels are decided with a threshold chosen on the others."""
    gold = np.clip(np.rint(np.asarray(levels, dtype=np.float64)), 0, 10).astype(np.int64)
    present = np.unique(gold)
    index = np.searchsorted(present, gold)
    k = len(present)
    vocab = fit_vocab(texts, cfg, space)
    counts = vocab.features(texts)
    high = present >= cfg.alert_level
    if dev is None:
        probs = np.zeros((len(texts), k), np.float32)
        folds = split_folds(len(texts), cfg)
        for held in folds:
            train = np.setdiff1d(np.arange(len(texts)), held)
            probs[held] = softmax(fit_softmax(counts[train], index[train], k, cfg).raw_scores(counts[held]))
        held_gold = gold
        decided = np.zeros(len(texts), np.float32)
        for held in folds:  # cross-fitted operating point
            rest = np.setdiff1d(np.arange(len(texts)), held)
            t = alert_threshold(probs[rest][:, high].sum(axis=1), held_gold[rest] >= cfg.alert_level,
                                 cfg.alert_recall)  # fmt: skip
            decided[held] = risk_decide(probs[held], present, (cfg.alert_level, t))
    else:
        held_gold = np.clip(np.rint(np.asarray(dev[1], dtype=np.float64)), 0, 10).astype(np.int64)
        probs = softmax(fit_softmax(counts, index, k, cfg).raw_scores(vocab.features(dev[0])))
        decided = None
    threshold = alert_threshold(probs[:, high].sum(axis=1), held_gold >= cfg.alert_level, cfg.alert_recall)
    alert = (cfg.alert_level, threshold)
    if decided is None:
        decided = risk_decide(probs, present, alert)
    head = fit_softmax(counts, index, k, cfg)
    model = TextModel(task="risk-level", labels=[], thresholds={}, space=vocab.space, risk=head, words=vocab.words,
                      tf="sublinear" if cfg.sublinear_tf else "raw", risk_levels=present, alert=alert)  # fmt: skip
    metrics = risk_report(decided, held_gold.astype(np.float64))
    plain = risk_report(risk_decide(probs, present, None), held_gold.astype(np.float64))
    metrics["argmax"] = {key: plain[key] for key in ("accuracy", "weighted_f1", "macro_f1", "binary")}
    model.meta.update(_meta(cfg, texts, levels, "dev" if dev else f"{cfg.folds}-fold cross-validation"),
                      metrics=metrics)  # fmt: skip
    return model
