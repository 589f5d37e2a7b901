"""The threat grader (issue 22) on the held-out split of the project corpora, and its speed.

    .venv/bin/python benchmarks/detection_threat.py [--split test] [--show 40] [--posts 50000]

Prints, on the chosen split (``corpus.split_of``; the default ``test`` is held out from every tuning):

* ``threats.jsonl``: recall of the positives (``threat`` set) at the alert threshold (level >= ALERT_LEVEL,
  or an arranged crime, or extended suicide), alone and with the thread (replies graded with their thread's
  opening post through ``grade_reply``, as the caller would); recall by labelled kind, by labelled cue and by
  labelled level band; precision of each predicted kind; level agreement; the hard negatives (no ``threat``)
  that scored (level > 2 or a kind), with their texts;
* the other ``posts/*.jsonl`` files: their everyday and hard-negative lines (no labels) that scored, with their
  texts, and how many labelled lines of each category alert (for information: many are violence or crime);
* the identity-neutral statements of ``tests/data/identity_neutral.jsonl`` that scored;
* grading speed (posts/s, one process, ``grade_many`` in batches of 1000) on the corpus lines without labels
  (the everyday and hard-negative lines of every file), repeated to ``--posts``, and on every corpus line.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from youthsafe.detection.corpus import CORPUS_DIR, split_of
from youthsafe.detection.threat import ThreatAssessment, ThreatGrader

ROOT = Path(__file__).resolve().parents[1]
POSTS = CORPUS_DIR / "posts"
NEUTRAL = ROOT / "tests" / "data" / "identity_neutral.jsonl"
BANDS = {"3": (3, 3), "4-5": (4, 5), "6-7": (6, 7), "8-10": (8, 10)}


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _scored(a: ThreatAssessment) -> bool:
    """A hard negative "scores" when it is graded above 2 or gets any kind."""
    return a.level > 2 or bool(a.kinds)


def grade_threads(grader: ThreatGrader, rows: list[dict[str, Any]]) -> tuple[list[ThreatAssessment], ...]:
    """(alone, with thread) assessments of every row: a reply (a row of a thread after its first) is graded with
    ``grade_reply`` against the thread's first row, whatever the split of that row (it is context, not labels)."""
    alone = grader.grade_many([str(r["text"]) for r in rows])
    first: dict[str, ThreatAssessment] = {}
    threaded = []
    for row, own in zip(rows, alone, strict=True):
        thread = str(row.get("thread") or "")
        if thread and thread in first:
            threaded.append(grader.grade_reply(str(row["text"]), first[thread]))
            continue
        if thread:
            first[thread] = own
        threaded.append(own)
    return alone, threaded


def label(row: dict[str, Any]) -> dict[str, Any]:
    """The ``threat`` label of a positive row."""
    return dict(row["threat"])


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} = {n / d:.3f}" if d else "0/0"


def _threats(grader: ThreatGrader, split: str, show: int) -> None:
    rows = _rows(POSTS / "threats.jsonl")
    alone, threaded = grade_threads(grader, rows)
    picked = [(r, a, t) for r, a, t in zip(rows, alone, threaded, strict=True) if split_of(str(r["id"])) == split]
    pos = [(r, a, t) for r, a, t in picked if r.get("threat")]
    neg = [(r, a, t) for r, a, t in picked if not r.get("threat")]
    print(f"== threats.jsonl, {split} split: {len(pos)} positives, {len(neg)} hard negatives")
    print("recall at the alert threshold, alone:       ", _pct(sum(a.alert for _, a, _ in pos), len(pos)))
    print("recall at the alert threshold, with thread: ", _pct(sum(t.alert for _, _, t in pos), len(pos)))
    replies = [(r, t) for r, _, t in pos if r.get("thread") and "reply" in t.cues]
    print("  replies that joined their thread:", len(replies))
    high = [t for r, _, t in pos if label(r)["level"] >= 6]
    print("recall, labelled level >= 6 graded >= 6:    ", _pct(sum(t.level >= 6 for t in high), len(high)))
    within = sum(abs(t.level - label(r)["level"]) <= 1 for r, _, t in pos)
    print("level within 1 of the label:", _pct(within, len(pos)))
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r, _, t in pos:
        for kind in label(r)["kind"]:
            by_kind[kind][0] += 1
            by_kind[kind][1] += int(t.alert)
            by_kind[kind][2] += int(kind in t.kinds)
    for kind, (n, hit, same) in sorted(by_kind.items()):
        made = [(r, t) for r, _, t in picked if kind in t.kinds]
        right = sum(1 for r, _ in made if r.get("threat") and kind in label(r)["kind"])
        print(
            f"  kind {kind}: alert recall {_pct(hit, n)}, kind recall {_pct(same, n)}, "
            f"kind precision {_pct(right, len(made))}"
        )
    by_cue: Counter[str] = Counter()
    hit_cue: Counter[str] = Counter()
    for r, _, t in pos:
        for cue in label(r)["cues"]:
            by_cue[cue] += 1
            hit_cue[cue] += t.alert
    print("  alert recall by labelled cue:", ", ".join(f"{c} {hit_cue[c]}/{n}" for c, n in by_cue.most_common()))
    for band, (lo, hi) in BANDS.items():
        inside = [t for r, _, t in pos if lo <= label(r)["level"] <= hi]
        print(f"  labelled level {band}: alert {_pct(sum(t.alert for t in inside), len(inside))}")
    alerts = [t for _, _, t in picked if t.alert]
    print(
        "precision of alerts on this split:",
        _pct(sum(1 for r, _, t in picked if t.alert and r.get("threat")), len(alerts)),
    )
    scored = [(r, t) for r, _, t in neg if _scored(t)]
    print("hard negatives that scored (level > 2 or a kind):", _pct(len(scored), len(neg)))
    print("hard negatives that alert:", _pct(sum(t.alert for _, _, t in neg), len(neg)))
    for r, t in scored[:show]:
        print(f"    {r['id']} level {t.level} {t.kinds} {t.cues} | {str(r['text'])[:120]}")
    missed = [(r, t) for r, _, t in pos if not t.alert]
    print(f"positives missed ({len(missed)}):")
    for r, t in missed[:show]:
        print(
            f"    {r['id']} label {label(r)['level']} {label(r)['kind']} got {t.level} {t.cues} | "
            f"{str(r['text'])[:100]}"
        )


def _others(grader: ThreatGrader, split: str, show: int) -> None:
    print(f"== other posts/*.jsonl, {split} split")
    total = hits = 0
    for path in sorted(POSTS.glob("*.jsonl")):
        if path.name == "threats.jsonl":
            continue
        rows = [r for r in _rows(path) if split_of(str(r["id"])) == split]
        graded = grader.grade_many([str(r["text"]) for r in rows])
        benign = [(r, a) for r, a in zip(rows, graded, strict=True) if not r["labels"]]
        scored = [(r, a) for r, a in benign if _scored(a)]
        labelled = Counter(str(x) for r, a in zip(rows, graded, strict=True) if a.alert for x in r["labels"])
        total, hits = total + len(benign), hits + len(scored)
        print(
            f"  {path.name}: unlabelled lines scored {_pct(len(scored), len(benign))}; "
            f"labelled lines alerting by category {dict(labelled)}"
        )
        for r, a in scored[:show]:
            print(f"    {r['id']} level {a.level} {a.kinds} {a.cues} | {str(r['text'])[:120]}")
    print("  everyday and hard-negative lines of the other files that scored:", _pct(hits, total))
    neutral = _rows(NEUTRAL)
    flagged = [
        r for r, a in zip(neutral, grader.grade_many([str(r["text"]) for r in neutral]), strict=True) if _scored(a)
    ]
    print("== identity-neutral statements that scored:", _pct(len(flagged), len(neutral)))


def _speed(grader: ThreatGrader, posts: int) -> None:
    everyday = [str(r["text"]) for p in sorted(POSTS.glob("*.jsonl")) for r in _rows(p) if not r["labels"]]
    every = [str(r["text"]) for p in sorted(POSTS.glob("*.jsonl")) for r in _rows(p)]
    for name, base in (("everyday and hard-negative lines", everyday), ("every corpus line", every)):
        texts = (base * (posts // len(base) + 1))[:posts]
        grader.grade_many(texts[:1000])
        started = time.perf_counter()
        for i in range(0, len(texts), 1000):
            grader.grade_many(texts[i : i + 1000])
        print(f"== speed on {name} ({len(texts)} posts): {len(texts) / (time.perf_counter() - started):,.0f} posts/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["test", "train"])
    parser.add_argument("--show", type=int, default=40, help="texts listed per section")
    parser.add_argument("--posts", type=int, default=50_000, help="posts graded for the speed figure")
    args = parser.parse_args()
    started = time.perf_counter()
    grader = ThreatGrader()
    print(f"grader {grader.version}, built in {time.perf_counter() - started:.2f} s")
    _threats(grader, args.split, args.show)
    _others(grader, args.split, args.show)
    _speed(grader, args.posts)


if __name__ == "__main__":
    main()
