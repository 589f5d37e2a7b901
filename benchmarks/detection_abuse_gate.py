"""What the abuse (B09) guard of the engine costs and buys, on real comments, for a few escape scores.

    .venv/bin/python benchmarks/detection_abuse_gate.py [--shared ../shared/data] [--scores 0.8 0.9 1.01]

The engine flags abuse from the model alone only with a word of abuse in the text (``B09.ctx.abuse``) or at a
model score of ``policy.MODEL_ALONE_ABUSE`` on evidence that does not name a group; 1.01 means never without
a word of abuse. For each score: COLD dev precision and recall of violations against COLD's offensive label
(dev is never trained on), LCCC test lines flagged, SWSR comments not labelled sexist that are flagged (and
how many of those carry a word of abuse), and identity-neutral statements flagged.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import youthsafe.detection.engine as engine_module
import youthsafe.detection.policy as policy_module
from youthsafe.detection.corpus import real_rows

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--scores", type=float, nargs="+", default=[0.8, 0.9, 1.01])
    args = parser.parse_args()
    real = real_rows(args.shared)
    cold = [r for r in real if r.source == "cold" and r.split == "dev"]
    lccc = [r.text for r in real if r.source == "lccc" and r.split == "test"]
    with (args.shared / "swsr" / "SexComment.csv").open(encoding="utf-8-sig", newline="") as fh:
        swsr = [row["comment_text"] for row in csv.DictReader(fh) if row["label"] == "0"]
    lines = (ROOT / "tests" / "data" / "identity_neutral.jsonl").read_text(encoding="utf-8").splitlines()
    identity = [json.loads(line)["text"] for line in lines if line.strip()]
    for score in args.scores:
        policy_module.MODEL_ALONE_ABUSE = score
        engine = engine_module.Engine()
        res = engine.scan([r.text for r in cold])
        tp = sum(bool(r.labels) and x.violation for r, x in zip(cold, res, strict=True))
        fp = sum(not r.labels and x.violation for r, x in zip(cold, res, strict=True))
        fn = sum(bool(r.labels) and not x.violation for r, x in zip(cold, res, strict=True))
        sw = engine.scan(swsr)
        flagged = sum(x.flagged for x in sw)
        worded = sum(x.flagged and any(h.rule_id == "B09.ctx.abuse" for h in x.rules_fired) for x in sw)
        print(f"escape score {score}: COLD dev P {tp / max(tp + fp, 1):.3f} R {tp / max(tp + fn, 1):.3f}; "
              f"LCCC test flagged {sum(x.flagged for x in engine.scan(lccc))}/{len(lccc)}; "
              f"SWSR not sexist flagged {flagged}/{len(swsr)} ({worded} with a word of abuse); "
              f"identity-neutral flagged {sum(x.flagged for x in engine.scan(identity))}/{len(identity)}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
