"""Check the project's labelled corpora: well-formed lines, known labels and styles, lengths, no near-duplicates.

    .venv/bin/python benchmarks/corpus_check.py [FILE ...]      # default: every corpus file

A line of ``data/corpus/posts/*.jsonl`` is ``{"id", "text", "labels": [...], "style", "note"}`` (``labels`` empty
for a hard negative, which then names the categories it is a negative of in ``"negative_of"``); a line of
``data/corpus/risk/*.jsonl`` is ``{"id", "text", "level": 0-10, "style", "note"}`` (``"recruitment": true`` when
the post also seeks companions for a suicide pact). Two texts anywhere in the corpora (and the identity-neutral
test set) must not be near-duplicates: estimated Jaccard of character 3-gram shingles of the normalised texts
below 0.8. Exit 1 with one line per problem.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from youthsafe.detection import taxonomy
from youthsafe.detection.dedup import DedupIndex

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "src" / "youthsafe" / "detection" / "data" / "corpus"
IDENTITY = ROOT / "tests" / "data" / "identity_neutral.jsonl"
STYLES = frozenset({
    "weibo", "treehole", "douyin", "bilibili", "kuaishou", "qq_group", "wechat_group", "wechat_moments", "tieba",
    "game_chat", "xiaohongshu", "sms", "zhihu", "private_message", "live_chat", "forum", "news", "notice",
    "ecommerce", "email",
})
MIN_LEN, MAX_LEN = 2, 300
NEAR_DUPLICATE = 0.8


def _show(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def corpus_files() -> list[Path]:
    return sorted((CORPUS / "posts").glob("*.jsonl")) + sorted((CORPUS / "risk").glob("*.jsonl"))


def _row_problems(row: dict[str, object], *, risk: bool, known: set[str]) -> list[str]:
    """What is wrong with one parsed line (an empty list when nothing is)."""
    text = row.get("text")
    if not isinstance(text, str) or not MIN_LEN <= len(text) <= MAX_LEN:
        return [f"text missing or not {MIN_LEN}-{MAX_LEN} characters"]
    out = []
    if row.get("style") not in STYLES:
        out.append(f"style {row.get('style')!r} is not one of {sorted(STYLES)}")
    if risk:
        level = row.get("level")
        if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 10:
            out.append("level must be an integer 0-10")
        return out
    labels = row.get("labels")
    if not isinstance(labels, list) or any(lab not in known for lab in labels):
        out.append(f"labels must be a list of {sorted(known)}")
    elif not labels and not set(row.get("negative_of") or []) <= known:  # type: ignore[call-overload]
        out.append("negative_of must name known categories")
    return out


def _near_duplicates(texts: list[tuple[str, str]]) -> list[str]:
    """Pairs at or above ``NEAR_DUPLICATE``, where at least one side is a corpus line (the identity-neutral
    test set is checked against the corpora, not against itself)."""
    results = DedupIndex(threshold=NEAR_DUPLICATE).assign([t for _, t in texts])
    first: dict[int, str] = {}
    out = []
    for (where, _), res in zip(texts, results, strict=True):
        if res.duplicate_of is None:
            first[res.cluster_id] = where
        elif not (where.startswith("tests/") and first[res.duplicate_of].startswith("tests/")):
            out.append(f"{where}: near-duplicate of {first[res.duplicate_of]}")
    return out


def check(paths: list[Path]) -> list[str]:
    known = set(taxonomy.text_detectable_ids()) | {"W01"}
    problems: list[str] = []
    ids: Counter[str] = Counter()
    texts: list[tuple[str, str]] = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{_show(path)}:{n}"
            try:
                row = json.loads(line)
            except ValueError as exc:
                problems.append(f"{where}: not JSON ({exc})")
                continue
            found = _row_problems(row, risk=path.parent.name == "risk", known=known)
            problems += [f"{where}: {p}" for p in found]
            ids[str(row.get("id"))] += 1
            if isinstance(row.get("text"), str):
                texts.append((where, row["text"]))
    problems += [f"id {i!r} used {c} times" for i, c in ids.items() if c > 1]
    if IDENTITY.exists():
        for n, line in enumerate(IDENTITY.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                texts.append((f"{_show(IDENTITY)}:{n}", json.loads(line)["text"]))
    return problems + _near_duplicates(texts)


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or corpus_files()
    problems = check(paths)
    for p in problems:
        print(p)
    print(f"{len(paths)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
