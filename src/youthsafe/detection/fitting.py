"""Fitting the heads of a ``TextModel`` with scikit-learn; what is kept is plain arrays (``heads.Head``).

Category heads: one L2-regularised logistic regression per label (lbfgs, or liblinear on large data), or one
multinomial regression (``fit_softmax``); binary single-label tasks scale features with naive-Bayes log-count
ratios (NB-LR), other tasks by IDF. Platt parameters are fitted on held-out scores (``platt``). Risk heads:
ridge regression on the same features (``fit_risk_head``) and an isotonic calibration of its held-out
predictions (``fit_calibration``). Every solver is deterministic.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from joblib import Parallel, delayed  # type: ignore[import-untyped]  # scikit-learn's own dependency
from sklearn import preprocessing
from sklearn.exceptions import ConvergenceWarning
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression, Ridge

from youthsafe.detection.features import NgramSpace
from youthsafe.detection.heads import Head, feature_counts
from youthsafe.detection.word_features import WordVocabulary

if TYPE_CHECKING:
    from youthsafe.detection.training import TrainConfig

F32 = npt.NDArray[np.float32]
LARGE = 5000  # training texts from which the regressions use their large-data solvers (liblinear, SAGA)
MIN_CALIBRATION = 50  # held-out predictions needed before a risk calibration is fitted


@dataclass(frozen=True)
class Vocab:
    """The feature vocabularies of one training run (n-grams, optional words)."""

    space: NgramSpace
    words: WordVocabulary | None

    sublinear_tf: bool = True

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        return feature_counts(self.space, self.words, texts, sublinear_tf=self.sublinear_tf)


def fit_vocab(texts: list[str], cfg: TrainConfig, space: NgramSpace | None) -> Vocab:
    if space is None:
        space = NgramSpace.fit(texts, n_max=cfg.n_max, min_df=cfg.min_df, max_features=cfg.max_features)
    words = WordVocabulary.fit(texts, min_df=cfg.word_min_df) if cfg.words else None
    return Vocab(space, words, cfg.sublinear_tf)


def _idf(counts: sp.csr_matrix) -> F32:
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    out: F32 = (np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0).astype(np.float32)
    return out


def _nb_ratio(counts: sp.csr_matrix, positive: npt.NDArray[np.bool_], alpha: float) -> F32:
    present = (counts > 0).astype(np.float64)
    p = np.asarray(present[positive].sum(axis=0)).ravel() + alpha
    q = np.asarray(present[~positive].sum(axis=0)).ravel() + alpha
    out: F32 = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
    return out


def _scaled(counts: sp.csr_matrix, scale: F32) -> sp.csr_matrix:
    out = sp.csr_matrix((counts.data * scale[counts.indices], counts.indices, counts.indptr), shape=counts.shape)
    return preprocessing.normalize(out)


def _fit_linear(counts: sp.csr_matrix, y: npt.NDArray[np.bool_], scale: F32, cfg: TrainConfig) -> Head:
    """One logistic regression; Platt parameters start as identity and are refitted on held-out scores."""
    if y.all() or not y.any():  # a label never (or always) seen: constant score, never flagged
        weights = np.zeros((counts.shape[1], 1), np.float32)
        bias = np.array([10.0 if y.all() else -10.0], np.float32)
    else:
        if counts.shape[0] > LARGE:  # liblinear's trust-region Newton: seconds where L-BFGS takes minutes
            model = LogisticRegression(C=cfg.c, solver="liblinear", tol=1e-4, class_weight=cfg.class_weight)
        else:
            model = LogisticRegression(C=cfg.c, max_iter=2000, tol=1e-6, class_weight=cfg.class_weight)
        model.fit(_scaled(counts, scale), y)
        weights = model.coef_.T.astype(np.float32)
        bias = model.intercept_.astype(np.float32)
    one = np.ones(1, np.float32)
    return Head(scale, weights, bias, one, np.zeros(1, np.float32))


def _stack(heads: list[Head]) -> Head:
    return Head(
        heads[0].scale,
        np.hstack([h.weights for h in heads]),
        np.concatenate([h.bias for h in heads]),
        np.ones(len(heads), np.float32),
        np.zeros(len(heads), np.float32),
    )


def fit_softmax(counts: sp.csr_matrix, y: npt.NDArray[np.int64], k: int, cfg: TrainConfig) -> Head:
    """One multinomial logistic regression over ``k`` classes (class indices ``y``), IDF-scaled."""
    scale = _idf(counts)
    weights = np.zeros((counts.shape[1], k), np.float32)
    bias = np.full(k, -30.0, np.float32)  # a class absent from this training data is never predicted
    present = np.unique(y)
    if len(present) == 1:
        bias[present[0]] = 0.0
    else:
        if counts.shape[0] > LARGE:  # SAGA converges in tens of passes where L-BFGS needs minutes
            model = LogisticRegression(C=cfg.c, solver="saga", max_iter=200, tol=1e-3, random_state=cfg.seed,
                                       class_weight=cfg.class_weight)  # fmt: skip
        else:
            model = LogisticRegression(C=cfg.c, max_iter=3000, tol=1e-6, class_weight=cfg.class_weight)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # SAGA at tol 1e-3: figures are held-out anyway
            model.fit(_scaled(counts, scale), y)
        coef, intercept = model.coef_, model.intercept_
        if len(present) == 2:  # sklearn keeps one row for two classes: split it into two softmax columns
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
        weights[:, present] = coef.T
        bias[present] = intercept
    return Head(scale, weights, bias, np.ones(k, np.float32), np.zeros(k, np.float32))


def fit_category_head(counts: sp.csr_matrix, y: npt.NDArray[np.bool_], cfg: TrainConfig) -> Head:
    """y is (n, k): k=1 for a binary task (NB-scaled), else one IDF-scaled scorer per label (or, with
    ``cfg.softmax``, one multinomial regression over the k labels)."""
    if cfg.softmax:
        return fit_softmax(counts, np.argmax(y, axis=1), y.shape[1], cfg)
    scale = _nb_ratio(counts, y[:, 0], cfg.nb_smoothing) if y.shape[1] == 1 else _idf(counts)
    if counts.shape[0] <= LARGE or y.shape[1] < 2:
        return _stack([_fit_linear(counts, y[:, j], scale, cfg) for j in range(y.shape[1])])
    # One scorer per label, two at a time (liblinear releases the GIL): the same fits, in half the time.
    heads = Parallel(n_jobs=2, prefer="threads")(delayed(_fit_linear)(counts, y[:, j], scale, cfg)
                                                 for j in range(y.shape[1]))  # fmt: skip
    return _stack(list(heads))


def platt(scores: F32, y: npt.NDArray[np.bool_]) -> tuple[float, float]:
    if y.all() or not y.any():
        return 1.0, 0.0
    lr = LogisticRegression(C=100.0).fit(scores.reshape(-1, 1).astype(np.float64), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def fit_risk_head(counts: sp.csr_matrix, y: npt.NDArray[np.float64], cfg: TrainConfig) -> Head:
    scale = _idf(counts)
    model = Ridge(alpha=cfg.ridge_alpha, solver="lsqr", tol=1e-6)  # lsqr: deterministic on sparse input
    model.fit(_scaled(counts, scale), y)
    one, zero = np.ones(1, np.float32), np.zeros(1, np.float32)
    return Head(
        scale,
        model.coef_.reshape(-1, 1).astype(np.float32),
        np.array([model.intercept_], np.float32),
        one,
        zero,
    )


def fit_calibration(pred: npt.NDArray[np.float64], gold: npt.NDArray[Any]) -> tuple[F32, F32] | None:
    """Isotonic (monotone) least-squares map from predicted to gold levels, as breakpoints; None if too
    few predictions or only one level to learn from."""
    if len(pred) < MIN_CALIBRATION or len(np.unique(gold)) < 2:
        return None
    iso = IsotonicRegression(y_min=0.0, y_max=10.0, increasing=True, out_of_bounds="clip")
    iso.fit(pred, np.asarray(gold, dtype=np.float64))
    return iso.X_thresholds_.astype(np.float32), iso.y_thresholds_.astype(np.float32)
