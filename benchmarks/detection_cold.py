"""COLD benchmark: train on COLD train+dev, evaluate once on test, then on an evasion-perturbed test.

    .venv/bin/python benchmarks/detection_cold.py [--cold DIR] [--seed 0] [--features char|char+word] [--out DIR]

Prints one JSON object: test accuracy / macro-F1 / per-label figures, the same on the perturbed test, and the
offensive-class recall drop (target <= 3 points: normalisation should undo the perturbations).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import time
from pathlib import Path

from youthsafe.detection.evaluation import category_report
from youthsafe.detection.normalize import normalize_text
from youthsafe.detection.training import TrainConfig, train_category

COLD = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "cold"
NOISE = ["*", "·", ".", " ", "\u200b", "_", "~"]


def perturb(text: str, rng: random.Random) -> str:
    """Evasions posters use: traditional characters, noise between Chinese characters, full width, case."""
    from opencc import OpenCC

    text = OpenCC("s2t").convert(text) if rng.random() < 0.5 else text
    out: list[str] = []
    for ch in text:
        if "a" <= ch.lower() <= "z" and rng.random() < 0.5:
            ch = ch.swapcase()  # noqa: PLW2901 - rewrite the character being emitted
        if "!" <= ch <= "~" and rng.random() < 0.5:
            ch = chr(ord(ch) + 0xFEE0)  # noqa: PLW2901 - ASCII -> full-width form
        out.append(ch)
        if "\u4e00" <= ch <= "\u9fff" and rng.random() < 0.3:
            out.append(rng.choice(NOISE))
    return "".join(out)


def _load(root: Path, name: str) -> tuple[list[str], list[list[str]]]:
    with (root / name).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["TEXT"] for r in rows], [[r["label"]] for r in rows]


def main() -> None:
    """Train, evaluate, perturb, evaluate, print JSON."""
    parser = argparse.ArgumentParser(description="COLD accuracy and robustness benchmark")
    parser.add_argument("--cold", type=Path, default=COLD)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--features", choices=["char", "char+word"], default="char")
    parser.add_argument("--out", type=Path, help="also save the trained model here (e.g. for detection_speed.py)")
    args = parser.parse_args()
    train, train_y = _load(args.cold, "train.csv")
    dev, dev_y = _load(args.cold, "dev.csv")
    test, test_y = _load(args.cold, "test.csv")
    started = time.perf_counter()
    model = train_category([normalize_text(t) for t in train + dev], train_y + dev_y, multi_label=False,
                           cfg=TrainConfig(seed=args.seed, words=args.features == "char+word"))  # fmt: skip
    train_s = time.perf_counter() - started
    if args.out:
        model.save(args.out)
    clean = category_report(model, model.predict_proba([normalize_text(t) for t in test]), test_y)
    rng = random.Random(args.seed)
    noisy_texts = [perturb(t, rng) for t in test]
    noisy = category_report(model, model.predict_proba([normalize_text(t) for t in noisy_texts]), test_y)
    drop = clean["per_label"]["1"]["recall"] - noisy["per_label"]["1"]["recall"]
    print(json.dumps({
        "model": model.version,
        "train_seconds": round(train_s, 1),
        "features": args.features,
        "vocabulary": len(model.space) + (0 if model.words is None else len(model.words)),
        "test": {k: clean[k] for k in ("accuracy", "macro_f1", "weighted_f1", "per_label")},
        "perturbed_test": {k: noisy[k] for k in ("accuracy", "macro_f1", "per_label")},
        "offensive_recall_drop_points": round(100 * drop, 2),
        "perturbed_example": noisy_texts[0],
    }, ensure_ascii=False, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
