"""Linear character n-gram text models: fast numpy inference, explanations, pickle-free artefacts.

A ``TextModel`` holds one shared ``NgramSpace`` (optionally followed by a ``WordVocabulary`` of
multi-character words, whose features are appended after the n-gram features) and up to two heads over it:

* a **category** head: one linear scorer per label (one-vs-rest; a two-label single-label task stores only
  the positive, sorted-last label) followed by per-label Platt calibration and a per-label threshold;
* a **risk** head: one linear regressor whose output, clipped to 0-10, is the risk level.

Features are sublinear term frequencies (``1 + log count``) of the n-grams, multiplied by a per-head feature
scale (IDF, or naive-Bayes log-count ratios for binary tasks) and L2-normalised per text; the score is a
sparse-dense product. All of it runs on numpy/scipy arrays, never on sklearn vectorizers.

Artefact (a directory; see ``save``): ``model.json`` (version, task, labels, thresholds, feature config,
training data SHA-256, seed, metrics, created) and ``arrays.npz`` read with ``allow_pickle=False`` so a
model file can never execute code. The shipped default model lives in ``data/model/`` and has both heads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from youthsafe.detection.features import NgramSpace, code_points, sublinear
from youthsafe.detection.heads import Head, feature_counts, lowered, quantize, risk_decide, softmax
from youthsafe.detection.word_features import WordVocabulary

__all__ = ["RISK_LABEL", "ModelError", "TextModel", "feature_counts", "load_default_model"]

FORMAT = 1
RISK_LABEL = "risk"  # pass to ``explain`` to explain the risk head
DEFAULT_MODEL_DIR = Path(__file__).parent / "data" / "model"
F32 = npt.NDArray[np.float32]
_JOIN = "\x00"  # batch separator, as in ``features.code_points``: no n-gram or word spans two texts


class ModelError(Exception):
    """A model directory is missing, malformed or of an unknown format."""


@dataclass
class TextModel:
    """A trained model: ``predict_proba``/``predict_risk`` take already *normalised* texts."""

    task: str
    labels: list[str]
    thresholds: dict[str, float]
    space: NgramSpace
    category: Head | None = None
    risk: Head | None = None
    multi_label: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    words: WordVocabulary | None = None  # word features, indexed after the n-gram features
    # Isotonic map of the risk head's clipped output to a level: breakpoints (x ascending, y), applied by
    # linear interpolation and constant beyond the ends, and only ever to LOWER a level. A ridge regressor
    # pulls its outputs toward the mean of its training levels, so ordinary text scored 1-3; the map, fitted
    # on held-out predictions (training.train_risk), brings it back to 0. Raising is not applied: the full
    # map also lifted mid-range outputs into alert levels (6-7) on texts with no plan at all, e.g. a
    # third-person story or "我很难过" (measured on COLD test texts), and a model alone must not put a person
    # on the alert queue. None: the raw output is the level.
    risk_calibration: tuple[F32, F32] | None = None
    # ``"sigmoid"``: one Platt-calibrated scorer per label (one-vs-rest); ``"softmax"``: one multinomial
    # logistic regression over the labels (single-label tasks), whose softmax is the probability.
    link: str = "sigmoid"
    # Term frequency of the features: ``"sublinear"`` (1 + log count) or ``"raw"`` (the count, as a plain
    # TF-IDF vectorizer gives it).
    tf: str = "sublinear"
    # Risk head as classes (``training.train_risk`` with ``risk_classes``): the level of each weight column,
    # and the operating point for "level >= alert level": the level is the most probable class, moved to the
    # most probable class on the other side when P(level >= alert level) says so (see ``risk_decide``).
    risk_levels: npt.NDArray[np.int64] | None = None
    alert: tuple[int, float] | None = None
    # Weights stored as int8 with one step per column (a quarter of the size; scores move by less than 1%):
    # the shipped default model, whose vocabulary is large. ``save`` first rounds the in-memory weights the
    # same way, so a saved model predicts exactly as the model that was saved.
    quantized: bool = False

    @property
    def version(self) -> str:
        """Stable identifier: task plus a digest of the weights (set at save/load)."""
        return str(self.meta.get("version") or f"{self.task}-unsaved")

    # -- inference -------------------------------------------------------------------------------------

    def _counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        return feature_counts(self.space, self.words, texts, sublinear_tf=self.tf == "sublinear")

    def predict_proba(self, normalized_texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Calibrated probability per label, shape (n, len(labels)); (n, 0) for a risk-only model."""
        n = len(normalized_texts)
        if self.category is None or n == 0:
            return np.zeros((n, len(self.labels)), dtype=np.float32)
        return self._proba_from_counts(self._counts(normalized_texts))

    def _proba_from_counts(self, counts: sp.csr_matrix) -> npt.NDArray[np.float32]:
        assert self.category is not None  # noqa: S101 - callers check; narrows the type for mypy
        if self.link == "softmax":
            return softmax(self.category.raw_scores(counts))
        probs = self.category.calibrated(self.category.raw_scores(counts))
        if len(self.labels) == 2 and not self.multi_label and probs.shape[1] == 1:
            return np.hstack([1.0 - probs, probs]).astype(np.float32)
        if not self.multi_label:
            total = probs.sum(axis=1, keepdims=True)
            total[total == 0] = 1.0
            probs = (probs / total).astype(np.float32)
        return probs

    def predict_risk(self, normalized_texts: Sequence[str]) -> npt.NDArray[np.float32] | None:
        """Risk level 0-10 (float) per text, or None when the model has no risk head."""
        if self.risk is None:
            return None
        if not normalized_texts:
            return np.zeros(0, dtype=np.float32)
        return self._risk_from_counts(self._counts(normalized_texts))

    def _risk_from_counts(self, counts: sp.csr_matrix) -> npt.NDArray[np.float32]:
        assert self.risk is not None  # noqa: S101 - callers check; narrows the type for mypy
        if self.risk_levels is not None:
            return risk_decide(softmax(self.risk.raw_scores(counts)), self.risk_levels, self.alert)
        raw = np.clip(self.risk.raw_scores(counts)[:, 0], 0.0, 10.0)
        return lowered(raw, self.risk_calibration).astype(np.float32)

    def predict_risk_proba(self, normalized_texts: Sequence[str]) -> npt.NDArray[np.float32] | None:
        """P(level) per text and class (columns: ``risk_levels``); None unless the risk head has classes."""
        if self.risk is None or self.risk_levels is None:
            return None
        return softmax(self.risk.raw_scores(self._counts(normalized_texts)))

    def predict_both(
        self, normalized_texts: Sequence[str]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
        """``predict_proba`` and ``predict_risk`` sharing one feature extraction (what the engine wants)."""
        counts = self._counts(normalized_texts) if normalized_texts else None
        n = len(normalized_texts)
        if counts is None:
            empty = np.zeros(0, np.float32)
            return np.zeros((0, len(self.labels)), np.float32), None if self.risk is None else empty
        probs = (
            self._proba_from_counts(counts)
            if self.category is not None
            else np.zeros((n, len(self.labels)), np.float32)
        )
        return probs, None if self.risk is None else self._risk_from_counts(counts)

    def predict_scan(
        self, normalized_texts: Sequence[str]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None, npt.NDArray[np.float32] | None]:
        """What the engine wants from one feature pass: ``predict_both`` plus, for a risk head with classes,
        P(level >= alert level) per text (None otherwise)."""
        if self.risk is None or self.risk_levels is None or not normalized_texts:
            probs, risk = self.predict_both(normalized_texts)
            return probs, risk, None
        counts = self._counts(normalized_texts)
        n = len(normalized_texts)
        probs = self._proba_from_counts(counts) if self.category is not None else np.zeros((n, 0), np.float32)
        classes = softmax(self.risk.raw_scores(counts))
        high = self.risk_levels >= (self.alert[0] if self.alert else 6)
        p_high: npt.NDArray[np.float32] = classes[:, high].sum(axis=1).astype(np.float32)
        return probs, risk_decide(classes, self.risk_levels, self.alert), p_high

    def explain(self, normalized_text: str, label: str, k: int = 5) -> list[tuple[int, int, float]]:
        """Strongest n-gram spans pushing ``label`` (or ``RISK_LABEL``) up: ``(start, end, weight)``.

        Offsets index ``normalized_text``; weights are each occurrence's share of the decision value, sorted
        strongest first. Only positive contributions are returned: they are the evidence for a flag.
        """
        self._head_for(label)  # unknown labels raise KeyError even for an empty text
        return self.explain_batch([normalized_text], [[label]], k)[0][label]

    def explain_batch(
        self, normalized_texts: Sequence[str], labels_per_text: Sequence[Sequence[str]], k: int = 5
    ) -> list[dict[str, list[tuple[int, int, float]]]]:
        """``explain`` for many texts and labels with one n-gram (and word) pass over the joined batch.

        Returns, per text, ``{label: spans}`` for the labels asked for that text. Texts with no label asked
        cost nothing beyond the shared pass.
        """
        texts = list(normalized_texts)
        out: list[dict[str, list[tuple[int, int, float]]]] = [{} for _ in texts]
        wanted = [i for i, labs in enumerate(labels_per_text) if labs and texts[i]]
        for i, labs in enumerate(labels_per_text):
            out[i] = {lab: [] for lab in labs}
        if not wanted:
            return out
        batch = [texts[i] for i in wanted]
        occ = self.space.occurrences(code_points(batch))
        feats, starts, ends = occ.feature, occ.start, occ.start + occ.length
        if self.words is not None:
            w = self.words.spans(_JOIN.join(batch))
            feats = np.concatenate([feats, w[0] + len(self.space)])
            starts, ends = np.concatenate([starts, w[1]]), np.concatenate([ends, w[2]])
        offsets = np.concatenate([np.zeros(1, np.int64), np.cumsum([len(t) + 1 for t in batch])])
        rows = np.searchsorted(offsets, starts, side="right") - 1
        order = np.argsort(rows, kind="stable")
        bounds = np.searchsorted(rows[order], np.arange(len(batch) + 1))
        for b, i in enumerate(wanted):
            sel = order[bounds[b] : bounds[b + 1]]
            if not len(sel):
                continue
            base = offsets[b]
            uniq, inverse, counts = np.unique(feats[sel], return_inverse=True, return_counts=True)
            sub = sublinear(counts.astype(np.float32)) if self.tf == "sublinear" else counts.astype(np.float32)
            s_loc, e_loc = starts[sel] - base, ends[sel] - base
            for label in labels_per_text[i]:
                head, column, sign = self._head_for(label)
                values = sub * head.scale[uniq]
                norm = float(np.sqrt(np.sum(values * values))) or 1.0
                weight = (sign * values * head.weights[uniq, column] / norm / counts)[inverse]
                top = np.lexsort((s_loc, -weight))[: max(k, 0)]
                out[i][label] = [
                    (int(s_loc[j]), int(e_loc[j]), round(float(weight[j]), 6)) for j in top if weight[j] > 0
                ]
        return out

    def _head_for(self, label: str) -> tuple[Head, int, float]:
        if label == RISK_LABEL:
            if self.risk is None:
                raise KeyError("this model has no risk head")
            if self.risk_levels is not None:  # classes: the direction from the low levels to the high ones
                high = self.risk_levels >= (self.alert[0] if self.alert else 6)
                w = self.risk.weights
                lift = w[:, high].mean(axis=1) - (w[:, ~high].mean(axis=1) if (~high).any() else 0.0)
                return Head(self.risk.scale, lift.reshape(-1, 1).astype(np.float32), self.risk.bias[:1],
                            self.risk.platt_a[:1], self.risk.platt_b[:1]), 0, 1.0  # fmt: skip
            return self.risk, 0, 1.0
        if self.category is None or label not in self.labels:
            raise KeyError(f"unknown label {label!r}; labels are {self.labels}")
        index = self.labels.index(label)
        if self.category.weights.shape[1] == 1:  # binary: one scorer for the positive (last) label
            return self.category, 0, 1.0 if index == 1 else -1.0
        return self.category, index, 1.0

    # -- persistence -----------------------------------------------------------------------------------

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Every array of the model by name (what ``arrays.npz`` holds)."""
        out: dict[str, npt.NDArray[Any]] = {"alphabet": self.space.alphabet, "keys": self.space.keys}
        if self.words is not None:
            out.update({f"words.{name}": arr for name, arr in self.words.arrays().items()})
        for name, head in (("category", self.category), ("risk", self.risk)):
            if head is not None:
                for part in ("scale", "weights", "bias", "platt_a", "platt_b"):
                    if part == "weights" and self.quantized:
                        q, step = quantize(head.weights)
                        out[f"{name}.weights_q"], out[f"{name}.weights_step"] = q, step
                        continue
                    out[f"{name}.{part}"] = np.ascontiguousarray(getattr(head, part), dtype=np.float32)
        if self.risk is not None and self.risk_levels is not None:
            out["risk.levels"] = np.ascontiguousarray(self.risk_levels, dtype=np.int64)
        if self.risk is not None and self.risk_calibration is not None:
            for part, arr in zip(("calibration_x", "calibration_y"), self.risk_calibration, strict=True):
                out[f"risk.{part}"] = np.ascontiguousarray(arr, dtype=np.float32)
        return out

    def weights_digest(self) -> str:
        """SHA-256 over all array bytes: equal digests mean byte-identical weights."""
        digest = hashlib.sha256()
        for name, arr in sorted(self.arrays().items()):
            digest.update(name.encode())
            digest.update(str(arr.dtype).encode() + str(arr.shape).encode())
            digest.update(np.ascontiguousarray(arr).tobytes())
        # Thresholds and labels change decisions as much as weights do, so they are part of the version.
        digest.update(json.dumps([self.labels, self.thresholds], sort_keys=True).encode())
        if self.link != "sigmoid" or self.tf != "sublinear" or self.alert is not None:
            digest.update(json.dumps([self.link, self.tf, self.alert]).encode())
        return digest.hexdigest()

    def save(self, path: str | Path) -> None:
        """Write ``model.json`` and ``arrays.npz`` into directory ``path`` (created if needed)."""
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        if self.quantized:
            for head in (self.category, self.risk):
                if head is not None:
                    q, step = quantize(head.weights)
                    head.weights = (q.astype(np.float32) * step[None, :]).astype(np.float32)
        digest = self.weights_digest()
        self.meta["version"] = f"{self.task}-{digest[:12]}"
        np.savez_compressed(out / "arrays.npz", allow_pickle=False, **self.arrays())
        doc = {
            "format": FORMAT,
            **self.meta,
            "version": self.meta["version"],
            "task": self.task,
            "labels": self.labels,
            "multi_label": self.multi_label,
            "thresholds": self.thresholds,
            "heads": [h for h in ("category", "risk") if getattr(self, h) is not None],
            "link": self.link,
            **({"alert": {"level": self.alert[0], "threshold": self.alert[1]}} if self.alert else {}),
            "features": {
                **self.meta.get("features", {}),
                "tf": self.tf,
                "n_max": self.space.n_max,
                "words": 0 if self.words is None else len(self.words),
            },
            "weights_sha256": digest,
        }
        (out / "model.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> TextModel:
        """Load a model directory written by ``save`` (never unpickles anything)."""
        root = Path(path)
        try:
            doc = json.loads((root / "model.json").read_text(encoding="utf-8"))
            with np.load(root / "arrays.npz", allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load model from {root}: {exc}") from exc
        if doc.get("format") != FORMAT:
            raise ModelError(f"{root}: unsupported model format {doc.get('format')!r}")
        if doc.get("link", "sigmoid") not in {"sigmoid", "softmax"} or doc.get("features", {}).get(
            "tf", "sublinear"
        ) not in {"sublinear", "raw"}:
            raise ModelError(f"{root}: unknown link or term-frequency mode")
        space = NgramSpace(arrays["alphabet"], arrays["keys"], int(doc["features"]["n_max"]))
        words = (
            WordVocabulary.from_arrays(arrays["words.chars"], arrays["words.offsets"])
            if "words.chars" in arrays
            else None
        )
        for name in doc.get("heads", []):  # int8 weights with a step per column (``quantize``)
            if f"{name}.weights_q" in arrays:
                q, step = arrays[f"{name}.weights_q"], arrays[f"{name}.weights_step"]
                arrays[f"{name}.weights"] = (q.astype(np.float32) * step[None, :]).astype(np.float32)
        heads = {
            name: Head(*(arrays[f"{name}.{part}"] for part in ("scale", "weights", "bias", "platt_a", "platt_b")))
            for name in doc.get("heads", [])
        }
        return cls(
            task=str(doc["task"]),
            labels=[str(x) for x in doc["labels"]],
            thresholds={str(k): float(v) for k, v in doc["thresholds"].items()},
            space=space,
            category=heads.get("category"),
            risk=heads.get("risk"),
            multi_label=bool(doc.get("multi_label", False)),
            meta={k: v for k, v in doc.items() if k not in {"format", "heads", "link", "alert"}},
            words=words,
            link=str(doc.get("link", "sigmoid")),
            quantized=any(f"{name}.weights_q" in arrays for name in doc.get("heads", [])),
            tf=str(doc["features"].get("tf", "sublinear")),
            risk_levels=arrays["risk.levels"].astype(np.int64) if "risk.levels" in arrays and "risk" in heads else None,
            alert=(int(doc["alert"]["level"]), float(doc["alert"]["threshold"])) if doc.get("alert") else None,
            risk_calibration=(arrays["risk.calibration_x"], arrays["risk.calibration_y"])
            if "risk.calibration_x" in arrays and "risk" in heads
            else None,
        )


def load_default_model() -> TextModel | None:
    """The model shipped in ``data/model/`` (category + risk heads), or None when it is not installed."""
    if not (DEFAULT_MODEL_DIR / "model.json").exists():
        return None
    return TextModel.load(DEFAULT_MODEL_DIR)
