"""Training for ``TextModel``: sklearn fits the weights, everything else is stored as plain arrays.

Category heads: one L2-regularised logistic regression per label (lbfgs, deterministic), Platt calibration
and per-label thresholds fitted on held-out scores (k-fold out-of-fold scores, or a ``dev`` set when given).
Thresholds maximise F1 of the label for multi-label tasks and macro-F1 for binary single-label tasks.
Binary single-label tasks scale features with naive-Bayes log-count ratios (NB-LR), which beat plain TF-IDF
on COLD dev (0.915 vs 0.908 accuracy); other tasks scale by IDF. Risk heads: ridge regression on the same
features, clipped to 0-10. The seed fixes the folds, and every solver is deterministic, so two trainings on
the same data give byte-identical weights.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from youthsafe.detection.classifier import Head, TextModel, feature_counts, lowered, risk_decide, softmax
from youthsafe.detection.evaluation import category_report, risk_report
from youthsafe.detection.features import NgramSpace
from youthsafe.detection.word_features import WordVocabulary

__all__ = ["TrainConfig", "data_digest", "train_category", "train_risk"]

F32 = npt.NDArray[np.float32]
NEVER = 1.01  # a threshold no probability reaches: the model alone never flags the label


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


@dataclass(frozen=True)
class _Vocab:
    """The feature vocabularies of one training run (n-grams, optional words)."""

    space: NgramSpace
    words: WordVocabulary | None

    sublinear_tf: bool = True

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        return feature_counts(self.space, self.words, texts, sublinear_tf=self.sublinear_tf)


def _vocab(texts: list[str], cfg: TrainConfig, space: NgramSpace | None) -> _Vocab:
    if space is None:
        space = NgramSpace.fit(texts, n_max=cfg.n_max, min_df=cfg.min_df, max_features=cfg.max_features)
    words = WordVocabulary.fit(texts, min_df=cfg.word_min_df) if cfg.words else None
    return _Vocab(space, words, cfg.sublinear_tf)


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
    from sklearn.preprocessing import normalize

    return normalize(out)


def _fit_linear(counts: sp.csr_matrix, y: npt.NDArray[np.bool_], scale: F32, cfg: TrainConfig) -> Head:
    """One logistic regression; Platt parameters start as identity and are refitted on held-out scores."""
    from sklearn.linear_model import LogisticRegression

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


LARGE = 5000  # training texts from which the multinomial regression is fitted with SAGA


def _fit_softmax(counts: sp.csr_matrix, y: npt.NDArray[np.int64], k: int, cfg: TrainConfig) -> Head:
    """One multinomial logistic regression over ``k`` classes (class indices ``y``), IDF-scaled."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

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


def _fit_category_head(counts: sp.csr_matrix, y: npt.NDArray[np.bool_], cfg: TrainConfig) -> Head:
    """y is (n, k): k=1 for a binary task (NB-scaled), else one IDF-scaled scorer per label (or, with
    ``cfg.softmax``, one multinomial regression over the k labels)."""
    if cfg.softmax:
        return _fit_softmax(counts, np.argmax(y, axis=1), y.shape[1], cfg)
    scale = _nb_ratio(counts, y[:, 0], cfg.nb_smoothing) if y.shape[1] == 1 else _idf(counts)
    if counts.shape[0] <= LARGE or y.shape[1] < 2:
        return _stack([_fit_linear(counts, y[:, j], scale, cfg) for j in range(y.shape[1])])
    from joblib import Parallel, delayed  # type: ignore[import-untyped]  # scikit-learn's own dependency

    # One scorer per label, two at a time (liblinear releases the GIL): the same fits, in half the time.
    heads = Parallel(n_jobs=2, prefer="threads")(delayed(_fit_linear)(counts, y[:, j], scale, cfg)
                                                 for j in range(y.shape[1]))  # fmt: skip
    return _stack(list(heads))


def _platt(scores: F32, y: npt.NDArray[np.bool_]) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    if y.all() or not y.any():
        return 1.0, 0.0
    lr = LogisticRegression(C=100.0).fit(scores.reshape(-1, 1).astype(np.float64), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


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


def _folds(n: int, cfg: TrainConfig) -> list[npt.NDArray[np.int64]]:
    order = np.random.default_rng(cfg.seed).permutation(n)
    return [np.sort(order[i :: cfg.folds]) for i in range(cfg.folds)]


def _heldout_scores(  # noqa: PLR0917 - private helper; the call sites read clearly positionally
    vocab: _Vocab,
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
    for held in _folds(len(texts), cfg):
        train = np.setdiff1d(np.arange(len(texts)), held)
        head = fit(counts[train], y[train], cfg)
        part = head.raw_scores(counts[held])
        if scores is None:
            scores = np.zeros((len(texts), part.shape[1]), np.float32)
        scores[held] = part
    assert scores is not None  # noqa: S101 - folds >= 2 always yields scores
    return scores, y


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
    vocab = _vocab(texts, cfg, space)
    dev_pair = None if dev is None else (dev[0], matrix(dev[1]))
    held_scores, held_y = _heldout_scores(vocab, texts, y, _fit_category_head, cfg, dev_pair)
    head = _fit_category_head(vocab.features(texts), y, cfg)
    if cfg.softmax:
        held_prob = softmax(held_scores)
    else:
        for j in range(len(columns)):
            head.platt_a[j], head.platt_b[j] = _platt(held_scores[:, j], held_y[:, j])
        held_prob = head.calibrated(held_scores)
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


def _fit_risk_head(counts: sp.csr_matrix, y: npt.NDArray[np.float64], cfg: TrainConfig) -> Head:
    from sklearn.linear_model import Ridge

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
    vocab = _vocab(texts, cfg, space)
    dev_pair = None if dev is None else (dev[0], np.asarray(dev[1], dtype=np.float64))
    held, held_y = _heldout_scores(vocab, texts, y, _fit_risk_head, cfg, dev_pair)
    head = _fit_risk_head(vocab.features(texts), y, cfg)
    pred = np.clip(held[:, 0], 0.0, 10.0).astype(np.float64)
    calibration = _fit_calibration(pred, held_y) if cfg.calibrate_risk else None
    model = TextModel(task="risk-level", labels=[], thresholds={}, space=vocab.space, risk=head,
                      words=vocab.words, risk_calibration=calibration)  # fmt: skip
    heldout = "dev" if dev else f"{cfg.folds}-fold cross-validation"
    if calibration is None:
        metrics = risk_report(pred, held_y)
    else:
        # The map is fitted on these same held-out predictions, so its metrics are cross-fitted: each
        # prediction is mapped by a calibration fitted without it.
        metrics = risk_report(_cross_calibrated(pred, held_y, cfg), held_y)
        uncalibrated = risk_report(pred, held_y)
        metrics["uncalibrated"] = {k: uncalibrated[k] for k in ("accuracy", "mae", "binary")}
    model.meta.update(_meta(cfg, texts, levels, heldout), metrics=metrics)
    if calibration is not None:
        model.meta["risk_calibration"] = (
            f"isotonic, fitted on the {heldout} predictions ({len(held_y)}); metrics cross-fitted over them"
        )
    return model


MIN_CALIBRATION = 50  # held-out predictions needed before a risk calibration is fitted


def _fit_calibration(pred: npt.NDArray[np.float64], gold: npt.NDArray[Any]) -> tuple[F32, F32] | None:
    """Isotonic (monotone) least-squares map from predicted to gold levels, as breakpoints; None if too
    few predictions or only one level to learn from."""
    from sklearn.isotonic import IsotonicRegression

    if len(pred) < MIN_CALIBRATION or len(np.unique(gold)) < 2:
        return None
    iso = IsotonicRegression(y_min=0.0, y_max=10.0, increasing=True, out_of_bounds="clip")
    iso.fit(pred, np.asarray(gold, dtype=np.float64))
    return iso.X_thresholds_.astype(np.float32), iso.y_thresholds_.astype(np.float32)


def _cross_calibrated(pred: npt.NDArray[np.float64], gold: npt.NDArray[Any], cfg: TrainConfig) -> npt.NDArray[Any]:
    """Each prediction mapped by a calibration fitted on the other folds' predictions."""
    out = pred.copy()
    for held in _folds(len(pred), cfg):
        rest = np.setdiff1d(np.arange(len(pred)), held)
        calibration = _fit_calibration(pred[rest], gold[rest])
        out[held] = lowered(pred[held], calibration)  # as TextModel applies it
    return out


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


def _alert_threshold(p_high: npt.NDArray[Any], gold_high: npt.NDArray[np.bool_], recall: float | None) -> float:
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
    vocab = _vocab(texts, cfg, space)
    counts = vocab.features(texts)
    high = present >= cfg.alert_level
    if dev is None:
        probs = np.zeros((len(texts), k), np.float32)
        folds = _folds(len(texts), cfg)
        for held in folds:
            train = np.setdiff1d(np.arange(len(texts)), held)
            probs[held] = softmax(_fit_softmax(counts[train], index[train], k, cfg).raw_scores(counts[held]))
        held_gold = gold
        decided = np.zeros(len(texts), np.float32)
        for held in folds:  # cross-fitted operating point
            rest = np.setdiff1d(np.arange(len(texts)), held)
            t = _alert_threshold(probs[rest][:, high].sum(axis=1), held_gold[rest] >= cfg.alert_level,
                                 cfg.alert_recall)  # fmt: skip
            decided[held] = risk_decide(probs[held], present, (cfg.alert_level, t))
    else:
        held_gold = np.clip(np.rint(np.asarray(dev[1], dtype=np.float64)), 0, 10).astype(np.int64)
        probs = softmax(_fit_softmax(counts, index, k, cfg).raw_scores(vocab.features(dev[0])))
        decided = None
    threshold = _alert_threshold(probs[:, high].sum(axis=1), held_gold >= cfg.alert_level, cfg.alert_recall)
    alert = (cfg.alert_level, threshold)
    if decided is None:
        decided = risk_decide(probs, present, alert)
    head = _fit_softmax(counts, index, k, cfg)
    model = TextModel(task="risk-level", labels=[], thresholds={}, space=vocab.space, risk=head, words=vocab.words,
                      tf="sublinear" if cfg.sublinear_tf else "raw", risk_levels=present, alert=alert)  # fmt: skip
    metrics = risk_report(decided, held_gold.astype(np.float64))
    plain = risk_report(risk_decide(probs, present, None), held_gold.astype(np.float64))
    metrics["argmax"] = {key: plain[key] for key in ("accuracy", "weighted_f1", "macro_f1", "binary")}
    model.meta.update(_meta(cfg, texts, levels, "dev" if dev else f"{cfg.folds}-fold cross-validation"),
                      metrics=metrics)  # fmt: skip
    return model
