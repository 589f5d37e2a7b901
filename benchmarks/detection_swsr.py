"""Real Weibo comments about gender (SWSR): false alarms of the default engine, and train/evaluate on them.

    .venv/bin/python benchmarks/detection_swsr.py [--examples N] [--no-train] [--json]

SWSR (``../shared/data/swsr/SexComment.csv``, MIT licence, see its SOURCE.md) holds 8,969 real Sina Weibo
comments under posts about gender, labelled sexist (3,093) or not (5,876). None of them was written for this
project, and none is a suicide or self-harm post, which makes it a real-data check of two things the
project's own corpora cannot show:

1. **Out of the box** (the default ``Engine``, nothing trained on SWSR): how many comments of a heated
   discussion that touches gender, sexuality and relationships the engine flags, by category; how many reach
   the welfare band (risk level >= 4) and the alert level (>= 6), which would put a person on the review
   queue; and the risk levels it assigns. Identity-neutral talk must not be flagged (principle 0.2.1), and
   discussion of other people's deaths or of inheritance law is not distress.
2. **Train and evaluate unchanged on another labelled file**: ``youthsafe model train`` / ``model evaluate``
   on a fixed split (every 5th comment, by file order, is test: no official split exists), sexist vs not.

Nothing is asserted; ``tests/detection/test_real_posts.py`` guards the out-of-the-box figures when the data
is present. The commenters' profile fields (gender, location) are never read.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "swsr" / "SexComment.csv"
HIGH, WELFARE = 6, 4


def read_comments(path: Path = DATA) -> list[tuple[str, int]]:
    """(comment text, 1 if labelled sexist else 0) for every row; no other column is read."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [(row["comment_text"], int(row["label"])) for row in csv.DictReader(fh)]


def out_of_the_box(rows: list[tuple[str, int]], examples: int) -> dict[str, Any]:
    """Scan every comment with the default engine; counts per label."""
    from youthsafe.detection.engine import Engine

    engine = Engine()
    started = time.perf_counter()
    results = engine.scan([t for t, _ in rows])
    seconds = time.perf_counter() - started
    report: dict[str, Any] = {"model": engine.model_version, "rules": engine.rules_version,
                              "posts_per_s": round(len(rows) / seconds)}  # fmt: skip
    for label, name in ((0, "not_sexist"), (1, "sexist")):
        idx = [i for i, (_, lab) in enumerate(rows) if lab == label]
        flagged = [i for i in idx if results[i].flagged]
        part: dict[str, Any] = {
            "comments": len(idx),
            "flagged": len(flagged),
            "flagged_rate": round(len(flagged) / len(idx), 4),
            "violation": sum(results[i].violation for i in idx),
            "welfare_ge4": sum(results[i].risk_level >= WELFARE for i in idx),
            "alert_ge6": sum(results[i].risk_level >= HIGH for i in idx),
            "categories": dict(Counter(c.id for i in flagged for c in results[i].categories if c.flagged)),
            "risk_levels": dict(sorted(Counter(results[i].risk_level for i in idx).items())),
        }
        if examples:
            part["welfare_examples"] = [
                {"level": results[i].risk_level, "text": rows[i][0][:100],
                 "evidence": [(e.text, e.rule_id) for e in results[i].evidence if not e.rule_id.startswith("model.")]}
                for i in idx if results[i].risk_level >= WELFARE
            ][:examples]  # fmt: skip
        report[name] = part
    return report


def train_and_evaluate(rows: list[tuple[str, int]]) -> dict[str, Any]:
    """``youthsafe model train`` on 4/5 of the comments, ``model evaluate`` on the other 1/5."""
    tmp = Path(tempfile.mkdtemp(prefix="swsr-"))
    for name, keep in (("train.csv", lambda i: i % 5 != 4), ("test.csv", lambda i: i % 5 == 4)):
        with (tmp / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["text", "label"])
            writer.writerows([t, lab] for i, (t, lab) in enumerate(rows) if keep(i))
    cli = [sys.executable, "-m", "youthsafe", "model"]
    subprocess.run([*cli, "train", str(tmp / "train.csv"), "--text-field", "text", "--label-field", "label",
                    "--out", str(tmp / "m")], check=True, capture_output=True, cwd=ROOT)  # fmt: skip
    evaluate = [*cli, "evaluate", "--model", str(tmp / "m"), str(tmp / "test.csv"), "--text-field", "text",
                "--label-field", "label", "--json"]  # fmt: skip
    done = subprocess.run(evaluate, check=True, capture_output=True, text=True, cwd=ROOT)
    report = json.loads(done.stdout)
    return {k: report[k] for k in ("examples", "accuracy", "macro_f1") if k in report} | {"split": "row % 5 == 4"}


def main() -> int:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--examples", type=int, default=0, help="list up to N welfare-band comments per label")
    parser.add_argument("--no-train", action="store_true", help="skip train/evaluate (about a minute)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"SWSR not found at {DATA} (see ../shared/data); nothing measured", file=sys.stderr)
        return 2
    rows = read_comments()
    report = {"out_of_the_box": out_of_the_box(rows, args.examples)}
    if not args.no_train:
        report["train_evaluate"] = train_and_evaluate(rows)
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
