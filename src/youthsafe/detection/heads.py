"""Linear heads and the array maths shared by inference (``classifier``) and training (``training``).

A ``Head`` scores sublinear feature counts: per-head feature scale, L2 norm per text, sparse-dense product,
bias; Platt calibration turns decision values into probabilities. ``softmax`` and ``risk_decide`` read a risk
head with classes, ``lowered`` applies a risk calibration, ``quantize`` stores weights as int8.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from youthsafe.detection.features import NgramSpace, sublinear
from youthsafe.detection.word_features import WordVocabulary

__all__ = ["Head", "feature_counts", "lowered", "quantize", "risk_decide", "softmax"]

F32 = npt.NDArray[np.float32]

@dataclass(slots=True)
class Head:
    """One linear head: ``scale`` (V,), ``weights`` (V, k), ``bias`` (k,), Platt ``platt_a``/``_b`` (k,)."""

    scale: F32
    weights: F32
    bias: F32
    platt_a: F32
    platt_b: F32

    def raw_scores(self, counts: sp.csr_matrix) -> F32:
        """Decision values (n, k) for a sublinear count matrix."""
        data = counts.data * self.scale[counts.indices]
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=counts.shape[0]))
        norms[norms == 0] = 1.0  # a text without known n-grams scores the bias alone
        scaled = sp.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)
        out: F32 = (np.asarray(scaled @ self.weights) / norms[:, None] + self.bias).astype(np.float32)
        return out

    def calibrated(self, scores: F32) -> F32:
        """Platt sigmoid of the decision values."""
        z = np.clip(self.platt_a * scores + self.platt_b, -30.0, 30.0)
        out: F32 = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
        return out



def lowered(levels: npt.NDArray[Any], calibration: tuple[F32, F32] | None) -> npt.NDArray[Any]:
    """Risk levels mapped through an isotonic calibration where that lowers them (see ``TextModel``)."""
    if calibration is None:
        return levels
    out: npt.NDArray[Any] = np.minimum(levels, np.interp(levels, *calibration))
    return out


def feature_counts(
    space: NgramSpace, words: WordVocabulary | None, texts: Sequence[str], *, sublinear_tf: bool = True
) -> sp.csr_matrix:
    """Counts (sublinear unless told otherwise) of the n-grams, then (when ``words`` is given) of the words."""
    batch = list(texts)
    counts = space.counts(batch)
    if words is not None:
        counts = sp.hstack([counts, words.counts(batch)], format="csr")
    if sublinear_tf:
        counts.data = sublinear(counts.data)
    return counts


def quantize(weights: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int8], F32]:
    """int8 weights and the float step of each column (largest magnitude / 127; 1 for an all-zero column)."""
    step: F32 = (np.abs(weights).max(axis=0) / 127.0).astype(np.float32)
    step[step == 0] = 1.0
    q: npt.NDArray[np.int8] = np.clip(np.rint(weights / step[None, :]), -127, 127).astype(np.int8)
    return q, step


def softmax(scores: npt.NDArray[Any]) -> F32:
    """Row-wise softmax of decision values (n, k)."""
    z = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: F32 = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def risk_decide(
    probs: npt.NDArray[Any], levels: npt.NDArray[np.int64], alert: tuple[int, float] | None
) -> F32:
    """Levels from class probabilities: the most probable level, except that when P(level >= alert level)
    reaches the operating point the level is the most probable of the high levels, and when it does not, the
    most probable of the low ones (so the alert decision is the calibrated one, chosen on held-out recall)."""
    best: F32 = levels[np.argmax(probs, axis=1)].astype(np.float32)
    if alert is None:
        return best
    level, threshold = alert
    high = levels >= level
    if not high.any() or high.all():
        return best
    p_high = probs[:, high].sum(axis=1)
    best_high = levels[high][np.argmax(probs[:, high], axis=1)]
    best_low = levels[~high][np.argmax(probs[:, ~high], axis=1)]
    out: F32 = np.where(p_high >= threshold, best_high, best_low).astype(np.float32)
    return out
