"""The project's labelled corpora and the real data sets the default model is trained on, with one fixed split.

Project corpora (``data/corpus``): ``categories.jsonl`` and ``posts/*.jsonl`` (labels per post, empty for a
hard negative), ``risk_levels.jsonl`` and ``risk/*.jsonl`` (first-person posts graded 0-10). Every project
row belongs to the **test split** when ``split_of(id)`` says so (a fifth of the rows, fixed by a hash of the
id): those rows never feed training, tuning or threshold choice, and their figures go into the model card.

Real data (read from ``../shared/data`` at training time, never copied into the project): COLD (Apache-2.0)
and SWSR (MIT) comments, whose offensive and sexist posts are abuse (B09) and the rest negatives, and the
LCCC sample (MIT) of everyday Weibo dialogue, all negatives. COLD keeps its own train/dev/test split; SWSR
and LCCC are split by a hash of the text like the project rows.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CORPUS_DIR", "LabelledText", "category_rows", "real_rows", "risk_rows", "split_of", "training_rows"]

CORPUS_DIR = Path(__file__).parent / "data" / "corpus"
TEST_SHARE = 5  # one row in five is held out
WISH_TO_DIE = 4  # risk.WELFARE_LEVEL: the level from which a first-person post is a W01 welfare signal


@dataclass(slots=True)
class LabelledText:
    """One labelled text: categories (empty: none) and, for first-person posts, a risk level."""

    id: str
    text: str
    labels: list[str] = field(default_factory=list)
    level: int | None = None
    source: str = "project"
    style: str = ""
    split: str = "train"


def split_of(key: str) -> str:
    """``test`` for a fixed fifth of the keys (by SHA-256), ``train`` for the rest."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return "test" if digest[0] % TEST_SHARE == 0 else "train"


def _jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _project_rows(paths: list[Path], *, graded: bool) -> list[LabelledText]:
    """The rows of the project files that exist: labels (category files) or a level (``graded``), each with
    its source file, style and split."""
    out: list[LabelledText] = []
    for path in paths:
        if not path.exists():
            continue
        for row in _jsonl(path):
            rid = str(row["id"])
            labels = [] if graded else [str(x) for x in row.get("labels") or []]  # type: ignore[attr-defined]
            level = int(row["level"]) if graded else None  # type: ignore[call-overload]
            out.append(LabelledText(rid, str(row["text"]), labels, level, f"project:{path.stem}",
                                    str(row.get("style", "")), split_of(rid)))  # fmt: skip
    return out


def category_rows(root: Path = CORPUS_DIR) -> list[LabelledText]:
    """Every row of the project's category corpora, each with its split."""
    return _project_rows([root / "categories.jsonl", *sorted((root / "posts").glob("*.jsonl"))], graded=False)


def risk_rows(root: Path = CORPUS_DIR) -> list[LabelledText]:
    """Every first-person graded post of the project's risk corpora, each with its split."""
    return _project_rows([root / "risk_levels.jsonl", *sorted((root / "risk").glob("*.jsonl"))], graded=True)


def _lccc_lines(path: Path) -> Iterator[str]:
    """LCCC's lines are tokenised with spaces between characters: join them back (keeping one space
    between two Latin or digit tokens)."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            tokens = line.split()
            text = ""
            for tok in tokens:
                if text and text[-1].isascii() and text[-1].isalnum() and tok[0].isascii() and tok[0].isalnum():
                    text += " "
                text += tok
            if len(text) >= 2:
                yield text


def real_rows(shared: Path) -> list[LabelledText]:
    """COLD, SWSR and LCCC rows (empty list for a data set that is not there). COLD's own split is kept
    (dev rows count as ``dev``); SWSR and LCCC are split by text."""
    out: list[LabelledText] = []
    for name in ("train", "dev", "test"):
        path = shared / "cold" / f"{name}.csv"
        if path.exists():
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    labels = ["B09"] if row["label"] == "1" else []
                    out.append(LabelledText(f"cold:{name}:{row['']}", row["TEXT"], labels, None, "cold", "weibo", name))
    swsr = shared / "swsr" / "SexComment.csv"
    if swsr.exists():
        with swsr.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                text = row["comment_text"]
                labels = ["B09"] if row["label"] == "1" else []
                out.append(LabelledText(f"swsr:{row['index']}", text, labels, None, "swsr", "weibo", split_of(text)))
    lccc = shared / "lccc-toy" / "data"
    for name in ("toy_train.txt", "toy_valid.txt"):
        if (lccc / name).exists():
            for text in _lccc_lines(lccc / name):
                out.append(LabelledText(f"lccc:{len(out)}", text, [], None, "lccc", "weibo", split_of(text)))
    return out


def training_rows(shared: Path) -> tuple[list[LabelledText], list[LabelledText]]:
    """(category rows, risk rows) the default model is trained on: the training splits only. First-person
    graded posts teach the category head too (W01 from level 4, the wish to die, upward; lower levels are
    negatives)."""
    cats = [r for r in category_rows() if r.split == "train"]
    risks = [r for r in risk_rows() if r.split == "train"]
    for r in risks:
        cats.append(LabelledText(r.id, r.text, ["W01"] if (r.level or 0) >= WISH_TO_DIE else [], None, r.source,
                                 r.style, r.split))  # fmt: skip
    cats += [r for r in real_rows(shared) if r.split == "train"]
    return cats, risks
