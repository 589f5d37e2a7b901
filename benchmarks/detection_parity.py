"""YouthSafe's training against the plain baseline, side by side, in one run, on the same splits.

    .venv/bin/python benchmarks/detection_parity.py [--shared ../shared/data] [--folds 5] [--only NAME ...]

For each data set, ``youthsafe model train``'s code path (``selection.select_category`` / ``select_risk``:
candidates chosen by cross-validation on the training split only) and the plain baseline (scikit-learn's
``TfidfVectorizer(analyzer="char", ngram_range=(1, 3))`` + ``LogisticRegression()``, defaults, on the raw text)
are trained on the same training split and scored on the same test split:

* ``cold`` (category, offensive or not): COLD's own train and test files;
* ``swsr`` (category, sexist or not): SWSR comments, split by a hash of the text (``corpus.split_of``);
* ``project-categories`` (category, the first label or ``none``): the project's category corpora, their split;
* ``project-risk`` (risk-level, 11 levels): the project's graded posts, their split.

Category figures: macro-F1 and accuracy. Risk figures: F1 of "level >= 6" and the 11-level weighted F1.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline

from youthsafe.detection.corpus import LabelledText, category_rows, real_rows, risk_rows
from youthsafe.detection.evaluation import category_report, risk_report
from youthsafe.detection.normalize import normalize_texts
from youthsafe.detection.selection import select_category, select_risk
from youthsafe.detection.training import TrainConfig

ROOT = Path(__file__).resolve().parents[1]
Split = tuple[list[LabelledText], list[LabelledText]]


def _datasets(shared: Path) -> dict[str, tuple[str, Callable[[], Split]]]:
    def real(source: str) -> Split:
        rows = [r for r in real_rows(shared) if r.source == source]
        return [r for r in rows if r.split == "train"], [r for r in rows if r.split == "test"]

    def project(rows: list[LabelledText]) -> Split:
        return [r for r in rows if r.split == "train"], [r for r in rows if r.split == "test"]

    return {
        "cold": ("category", lambda: real("cold")),
        "swsr": ("category", lambda: real("swsr")),
        "project-categories": ("category", lambda: project(category_rows())),
        "project-risk": ("risk-level", lambda: project(risk_rows())),
    }


def _label(row: LabelledText) -> str:
    return row.labels[0] if row.labels else "none"


def _baseline(train: list[LabelledText], test: list[LabelledText], task: str) -> dict[str, Any]:
    plain = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LogisticRegression(max_iter=1000))
    if task == "risk-level":
        gold_train = [str(r.level) for r in train]
        plain.fit([r.text for r in train], gold_train)
        pred = np.array([int(p) for p in plain.predict([r.text for r in test])])
        gold = np.array([r.level or 0 for r in test])
        report = risk_report(pred.astype(np.float64), gold.astype(np.float64))
        return {"alert_f1": report["binary"]["f1"], "alert": report["binary"], "weighted_f1": report["weighted_f1"]}
    plain.fit([r.text for r in train], [_label(r) for r in train])
    pred = plain.predict([r.text for r in test])
    gold = [_label(r) for r in test]
    return {"macro_f1": round(float(f1_score(gold, pred, average="macro")), 4),
            "accuracy": round(float(accuracy_score(gold, pred)), 4)}  # fmt: skip


def _youthsafe(train: list[LabelledText], test: list[LabelledText], task: str, folds: int) -> dict[str, Any]:
    cfg = TrainConfig(folds=folds)
    texts, tests = normalize_texts([r.text for r in train]), normalize_texts([r.text for r in test])
    if task == "risk-level":
        model = select_risk(texts, [float(r.level or 0) for r in train], cfg=cfg)
        pred = model.predict_risk(tests)
        assert pred is not None
        report = risk_report(pred.astype(np.float64), np.array([float(r.level or 0) for r in test]))
        out = {"alert_f1": report["binary"]["f1"], "alert": report["binary"], "weighted_f1": report["weighted_f1"]}
    else:
        model = select_category(texts, [[_label(r)] for r in train], multi_label=False, cfg=cfg)
        report = category_report(model, model.predict_proba(tests), [[_label(r)] for r in test])
        out = {"macro_f1": report["macro_f1"], "accuracy": report["accuracy"]}
    out["chosen"] = model.meta["selection"]["chosen"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    rows = []
    for name, (task, load) in _datasets(args.shared).items():
        if args.only and name not in args.only:
            continue
        train, test = load()
        if not train or not test:
            print(f"{name}: no data (is {args.shared} there?)")
            continue
        t0 = time.perf_counter()
        ours = _youthsafe(train, test, task, args.folds)
        t1 = time.perf_counter()
        base = _baseline(train, test, task)
        t2 = time.perf_counter()
        key = "alert_f1" if task == "risk-level" else "macro_f1"
        rows.append({"data": name, "task": task, "train": len(train), "test": len(test), "youthsafe": ours,
                     "baseline": base, "seconds": [round(t1 - t0, 1), round(t2 - t1, 1)]})  # fmt: skip
        verdict = "at least the baseline" if ours[key] >= base[key] else "BELOW the baseline"
        second = "weighted_f1" if task == "risk-level" else "accuracy"
        print(f"{name:20} {task:10} train {len(train):6} test {len(test):5}  {key}: youthsafe {ours[key]:.4f} "
              f"baseline {base[key]:.4f}  {second}: youthsafe {ours[second]:.4f} baseline {base[second]:.4f}  "
              f"{verdict}; chosen: {ours['chosen']}", flush=True)  # fmt: skip
    print(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
