"""Held-out scores and operating points: k-fold out-of-fold scores (or a dev set), per-label thresholds of
category heads, the alert operating point of a risk head with classes, cross-fitted risk calibration.

The seed fixes the folds, so two trainings on the same data choose the same thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from youthsafe.detection.fitting import Vocab, fit_calibration
from youthsafe.detection.heads import lowered

if TYPE_CHECKING:
    from youthsafe.detection.training import TrainConfig

F32 = npt.NDArray[np.float32]
NEVER = 1.01  # a threshold no probability reaches: the model alone never flags the label


def _best_threshold(
    prob: F32,
    y: npt.NDArray[np.bool_],
    *,
    macro: bool,
    floor: float = 0.0,
    precision: float = 0.0,
    fp_weight: npt.NDArray[np.float64] | None = None,
) -> float:
    """Threshold maximising F1 of the label (or binary macro-F1); 0.5 when the label has no examples.

    With ``precision`` > 0 only thresholds whose held-out precision reaches it qualify; ``NEVER`` when none.
    """
    if not y.any():
        return 0.5
    best, best_t = -1.0, max(0.5, floor) if precision <= 0 else NEVER
    for t in np.unique(np.round(prob, 3)):
        if t < floor:
            continue
        pred = prob >= t
        tp = float(np.sum(pred & y))
        if precision > 0:
            fp = float(np.sum(fp_weight[pred & ~y])) if fp_weight is not None else float(np.sum(pred & ~y))
            if tp < precision * (tp + fp):
                continue
        f1 = 2 * tp / (pred.sum() + y.sum())
        if macro:
            tn = float(np.sum(~pred & ~y))
            f1 = (f1 + 2 * tn / ((~pred).sum() + (~y).sum())) / 2
        if f1 > best + 1e-9:
            best, best_t = f1, round(float(t), 6)
    return best_t


def split_folds(n: int, cfg: TrainConfig) -> list[npt.NDArray[np.int64]]:
    order = np.random.default_rng(cfg.seed).permutation(n)
    return [np.sort(order[i :: cfg.folds]) for i in range(cfg.folds)]


def heldout_scores(  # noqa: PLR0917 - private helper; the call sites read clearly positionally
    vocab: Vocab,
    texts: list[str],
    y: npt.NDArray[Any],
    fit: Any,
    cfg: TrainConfig,
    dev: tuple[list[str], npt.NDArray[Any]] | None,
) -> tuple[F32, npt.NDArray[Any]]:
    """Raw scores on held-out data: the dev set, or k-fold out-of-fold scores of the training set."""
    if dev is not None:
        head = fit(vocab.features(texts), y, cfg)
        return head.raw_scores(vocab.features(dev[0])), dev[1]
    counts = vocab.features(texts)
    scores: F32 | None = None
    for held in split_folds(len(texts), cfg):
        train = np.setdiff1d(np.arange(len(texts)), held)
        head = fit(counts[train], y[train], cfg)
        part = head.raw_scores(counts[held])
        if scores is None:
            scores = np.zeros((len(texts), part.shape[1]), np.float32)
        scores[held] = part
    assert scores is not None  # noqa: S101 - folds >= 2 always yields scores
    return scores, y


def cross_calibrated(pred: npt.NDArray[np.float64], gold: npt.NDArray[Any], cfg: TrainConfig) -> npt.NDArray[Any]:
    """Each prediction mapped by a calibration fitted on the other folds' predictions."""
    out = pred.copy()
    for held in split_folds(len(pred), cfg):
        rest = np.setdiff1d(np.arange(len(pred)), held)
        calibration = fit_calibration(pred[rest], gold[rest])
        out[held] = lowered(pred[held], calibration)  # as TextModel applies it
    return out


def alert_threshold(p_high: npt.NDArray[Any], gold_high: npt.NDArray[np.bool_], recall: float | None) -> float:
    """Operating point on P(level >= alert level): best F1 (ties: the higher recall, then the middle of the
    tied thresholds, so a text the data say nothing about is not pushed over by the class priors), or with
    ``recall`` the highest threshold whose recall reaches it. 0.5 when the data hold no high level."""
    if not gold_high.any() or gold_high.all():
        return 0.5
    best, tied = (-1.0, -1.0), [0.5]
    for t in np.unique(np.round(p_high, 4)):
        pred = p_high >= t
        tp = float(np.sum(pred & gold_high))
        rec = tp / float(gold_high.sum())
        if recall is not None:
            if rec >= recall:
                tied = [float(t)]  # thresholds ascend: keep the highest that still reaches the recall
            continue
        key = (round(2 * tp / (float(pred.sum()) + float(gold_high.sum())), 9), rec)
        if key > best:
            best, tied = key, [float(t)]
        elif key == best:
            tied.append(float(t))
    return round((min(tied) + max(tied)) / 2, 6)


def category_thresholds(
    held_prob: F32,
    held_y: npt.NDArray[np.bool_],
    columns: list[str],
    cfg: TrainConfig,
    *,
    multi_label: bool,
    binary: bool,
    everyday: Sequence[bool] | None,
) -> dict[str, float]:
    """Per-label thresholds on held-out probabilities: best F1 (binary: macro-F1) above the floors of ``cfg``,
    raised by its guards against flagging ordinary text (multi-label tasks)."""
    thresholds = {
        c: _best_threshold(
            held_prob[:, j],
            held_y[:, j],
            macro=binary,
            floor=0.0 if c in cfg.floor_exempt else cfg.min_threshold,
            precision=cfg.precision_floor if multi_label else 0.0,
            fp_weight=np.where(held_y.any(axis=1), 1.0, cfg.negative_weight),
        )
        for j, c in enumerate(columns)
    }
    if cfg.negative_quantile is not None and multi_label:
        # Real traffic is mostly ordinary text: no category may flag more than a sliver of the everyday texts
        # (``everyday``: the rows that stand for it; default every label-free row), out of fold.
        free = ~held_y.any(axis=1) if everyday is None else np.asarray(everyday, dtype=bool)
        if free.any():
            for j, c in enumerate(columns):
                if c in cfg.floor_exempt:
                    continue
                guard = float(np.quantile(held_prob[free, j], cfg.negative_quantile)) + 1e-6
                thresholds[c] = round(max(thresholds[c], min(guard, NEVER)), 6)
    if cfg.guard_negatives and multi_label and not held_y.any(axis=1).all():
        free = ~held_y.any(axis=1)
        for j, c in enumerate(columns):
            thresholds[c] = round(max(thresholds[c], float(held_prob[free, j].max()) + 1e-3), 6)
    return thresholds
