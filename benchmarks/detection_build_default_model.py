"""Rebuild the shipped default model (``src/youthsafe/detection/data/model/``) from the project corpus only.

    .venv/bin/python benchmarks/detection_build_default_model.py [--out DIR] [--seed 0]

One directory, one shared n-gram vocabulary (fitted on both corpora), two heads:

* ``category``: multi-label one-vs-rest over ``data/corpus/categories.jsonl`` (hard negatives have no
  labels), Platt calibration and per-label thresholds from 5-fold out-of-fold scores;
* ``risk``: ridge regression of ``data/corpus/risk_levels.jsonl`` levels (0-10), plus the category
  corpus's label-free hard negatives as level 0.

Category thresholds maximise out-of-fold F1 among thresholds >= 0.8 and above every out-of-fold score of
the corpus's label-free hard negatives (precision first: every automated flag goes to a person).

Both heads' 5-fold cross-validated metrics are written into model.json (``metrics.category``,
``metrics.risk``) and printed. The fairness set ``tests/data/identity_neutral.jsonl`` is never read here.
Same corpus + same seed = byte-identical arrays (``weights_sha256`` in model.json).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from youthsafe.detection.classifier import DEFAULT_MODEL_DIR, TextModel
from youthsafe.detection.features import NgramSpace
from youthsafe.detection.normalize import normalize_text
from youthsafe.detection.training import TrainConfig, train_category, train_risk

CORPUS = Path(__file__).resolve().parents[1] / "src" / "youthsafe" / "detection" / "data" / "corpus"
# Chosen by 5-fold CV macro-F1 on the corpus (category) and CV MAE (risk); see benchmarks/README.md.
CATEGORY_CFG = TrainConfig(n_max=3, min_df=2, c=30.0, min_threshold=0.8, guard_negatives=True)
RISK_CFG = TrainConfig(n_max=3, min_df=2, ridge_alpha=0.03)


def _rows(name: str) -> list[dict[str, object]]:
    with (CORPUS / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def build(out: Path, seed: int) -> TextModel:
    """Train both heads on the corpus and save the combined model to ``out``."""
    cats = _rows("categories.jsonl")
    risks = _rows("risk_levels.jsonl")
    cat_texts = [normalize_text(str(r["text"])) for r in cats]
    cat_labels = [[str(x) for x in r["labels"]] for r in cats]  # type: ignore[attr-defined]
    # Texts of the category corpus with no category at all (hard negatives) join the risk head as level 0:
    # without them the regressor never sees ordinary text and scores it near the corpus mean (~4.5).
    negatives = [t for t, labs in zip(cat_texts, cat_labels, strict=True) if not labs]
    risk_texts = [normalize_text(str(r["text"])) for r in risks] + negatives
    risk_levels = [float(r["level"]) for r in risks] + [0.0] * len(negatives)  # type: ignore[arg-type]
    space = NgramSpace.fit(cat_texts + risk_texts, n_max=3, min_df=2, max_features=None)
    cat_cfg = TrainConfig(**{**CATEGORY_CFG.__dict__, "seed": seed})
    risk_cfg = TrainConfig(**{**RISK_CFG.__dict__, "seed": seed})
    cat = train_category(cat_texts, cat_labels, multi_label=True, cfg=cat_cfg, space=space)
    risk = train_risk(risk_texts, risk_levels, cfg=risk_cfg, space=space)
    model = TextModel(
        task="category+risk-level",
        labels=cat.labels,
        thresholds=cat.thresholds,
        space=space,
        category=cat.category,
        risk=risk.risk,
        multi_label=True,
        meta={
            "created": cat.meta["created"],
            "seed": seed,
            "features": cat.meta["features"],
            "training": {"category": cat.meta["training"], "risk": risk.meta["training"]},
            "metrics_on": "5-fold cross-validation on the project corpus",
            "metrics": {"category": cat.meta["metrics"], "risk": risk.meta["metrics"]},
        },
    )
    model.save(out)
    return model


def main() -> None:
    """Parse arguments, build, print the CV metrics."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    model = build(args.out, args.seed)
    metrics = model.meta["metrics"]
    summary = {
        "version": model.version,
        "category_cv": {k: metrics["category"][k] for k in ("accuracy", "macro_f1", "weighted_f1")},
        "risk_cv": {k: metrics["risk"][k] for k in ("accuracy", "macro_f1", "mae", "binary")},
        "size_bytes": sum(p.stat().st_size for p in args.out.iterdir()),
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
