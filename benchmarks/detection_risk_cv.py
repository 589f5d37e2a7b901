"""Engine-level cross-validation of the suicide-risk level on ``data/corpus/risk_levels.jsonl``.

    .venv/bin/python benchmarks/detection_risk_cv.py [--seed 0] [--folds 5] [--cache DIR] [--rules-only] [--json]

Same folds, seed and training as ``detection_build_default_model.engine_cv``: for each fold a model is trained
on both corpora without that fold, and the whole ``Engine`` (risk grader + the model's risk head + the
combination in ``engine._combine_risk``) grades the held-out risk posts. Prints the per-level confusion
(rounded engine level vs gold level), binary level >= 6 precision/recall/F1, welfare level >= 4
precision/recall, MAE, and how many held-out hard negatives of ``categories.jsonl`` reach level >= 4.
``--cache DIR`` keeps the fold models (they do not depend on the grader), so grader changes can be re-measured
in seconds; delete the directory after changing the corpus or the training. The fairness set is never read.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection_build_default_model import _rows, _split, train

from youthsafe.detection.engine import Engine
from youthsafe.detection.evaluation import HIGH_RISK_LEVEL
from youthsafe.detection.risk import WELFARE_LEVEL


def _prf(pred: np.ndarray[Any, Any], gold: np.ndarray[Any, Any]) -> dict[str, float | int]:
    tp = int(np.sum(pred & gold))
    p = tp / int(pred.sum()) if pred.sum() else 0.0
    r = tp / int(gold.sum()) if gold.sum() else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4), "predicted": int(pred.sum()),
            "support": int(gold.sum())}  # fmt: skip


def run(seed: int, folds: int, cache: Path | None, rules_only: bool) -> dict[str, Any]:
    """Engine risk levels of every risk post (out of fold) and of the held-out hard negatives."""
    cats, risks = _rows("categories.jsonl"), _rows("risk_levels.jsonl")
    cat_folds, risk_folds = _split(len(cats), folds, seed), _split(len(risks), folds, seed + 1)
    level = np.zeros(len(risks), dtype=int)
    neg_levels: list[int] = []
    rules_engine = Engine(use_default_model=False) if rules_only else None
    for k in range(folds):
        engine = rules_engine
        if engine is None:
            model_dir = (cache or Path("/nonexistent")) / f"seed{seed}-fold{k}of{folds}"
            if cache is None or not (model_dir / "model.json").exists():
                held_c, held_r = set(cat_folds[k].tolist()), set(risk_folds[k].tolist())
                model = train(
                    [r for i, r in enumerate(cats) if i not in held_c],
                    [r for i, r in enumerate(risks) if i not in held_r],
                    seed,
                )
                if cache is None:
                    model_dir = Path(tempfile.mkdtemp()) / "m"
                model.save(model_dir)
            engine = Engine(model_dir=model_dir)
        for i, res in zip(risk_folds[k], engine.scan([str(risks[i]["text"]) for i in risk_folds[k]]), strict=True):
            level[i] = res.risk_level
        negs = [str(cats[i]["text"]) for i in cat_folds[k] if not cats[i]["labels"]]
        neg_levels.extend(r.risk_level for r in engine.scan(negs))
    gold = np.array([int(r["level"]) for r in risks])
    confusion = np.zeros((11, 11), dtype=int)
    for g, p in zip(gold, level, strict=True):
        confusion[g, p] += 1
    return {
        "examples": len(risks),
        "mae": round(float(np.mean(np.abs(level - gold))), 4),
        "exact": round(float(np.mean(level == gold)), 4),
        "high_risk_ge6": _prf(level >= HIGH_RISK_LEVEL, gold >= HIGH_RISK_LEVEL),
        "welfare_ge4": _prf(level >= WELFARE_LEVEL, gold >= WELFARE_LEVEL),
        "hard_negatives_ge4": f"{sum(v >= WELFARE_LEVEL for v in neg_levels)}/{len(neg_levels)}",
        "hard_negatives_ge3": f"{sum(v >= 3 for v in neg_levels)}/{len(neg_levels)}",
        "confusion": confusion.tolist(),
    }


def _table(confusion: list[list[int]]) -> str:
    head = "| gold \\ engine | " + " | ".join(str(i) for i in range(11)) + " | n |"
    rows = [head, "|" + " --- |" * 13]
    for g, row in enumerate(confusion):
        rows.append(f"| {g} | " + " | ".join(str(v) if v else "." for v in row) + f" | {sum(row)} |")
    return "\n".join(rows)


def main() -> None:
    """Parse arguments, run the CV, print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=None, help="directory to keep and reuse the fold models")
    parser.add_argument("--rules-only", action="store_true", help="the grader alone (no model)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = run(args.seed, args.folds, args.cache, args.rules_only)
    if args.json:
        print(json.dumps(report))
        return
    print(_table(report["confusion"]))
    print({k: v for k, v in report.items() if k != "confusion"})


if __name__ == "__main__":
    main()
