"""The project's corpora: well-formed, no near-duplicates, enough of every category, and a test split that never
feeds training (``youthsafe.detection.corpus``; the default model is built from ``training_rows``)."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from youthsafe.detection import taxonomy
from youthsafe.detection.corpus import category_rows, real_rows, risk_rows, split_of, training_rows

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def _corpus_check() -> object:
    spec = importlib.util.spec_from_file_location("corpus_check", ROOT / "benchmarks" / "corpus_check.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_corpus_line_is_well_formed_and_distinct() -> None:
    check = _corpus_check()
    problems = check.check(check.corpus_files())  # type: ignore[attr-defined]
    assert problems == []


def test_enough_posts_of_every_category_and_level() -> None:
    rows = category_rows()
    counts = Counter(label for r in rows for label in r.labels)
    counts["W01"] += sum((r.level or 0) >= 4 for r in risk_rows())  # graded first-person posts from the wish to die
    for cid in taxonomy.text_detectable_ids():
        if cid in {"A13"}:  # pushing content to minors is recommender behaviour, not a post
            continue
        assert counts[cid] >= 300, (cid, counts[cid])
    assert sum(1 for r in rows if not r.labels) >= 1500  # hard negatives
    levels = Counter(r.level for r in risk_rows())
    assert sum(levels.values()) >= 2000
    assert all(levels[level] >= 150 for level in range(11)), levels
    lengths = [len(r.text) for r in rows]
    assert min(lengths) <= 5
    assert max(lengths) >= 250


def test_the_split_is_fixed_and_a_fifth() -> None:
    rows = category_rows() + risk_rows()
    assert all(r.split == split_of(r.id) for r in rows)
    share = sum(r.split == "test" for r in rows) / len(rows)
    assert 0.17 < share < 0.23


def test_training_never_reads_a_test_row(tmp_path: Path) -> None:
    cats, risks = training_rows(tmp_path)  # no shared data here: the project corpora alone
    test_ids = {r.id for r in category_rows() + risk_rows() if r.split == "test"}
    assert test_ids
    assert not test_ids & {r.id for r in cats + risks}


def test_real_data_keep_their_split() -> None:
    if not (SHARED / "cold").exists():
        pytest.skip(f"shared data not found at {SHARED} (it is not part of the repository)")
    rows = real_rows(SHARED)
    cats, _ = training_rows(SHARED)
    trained = {r.id for r in cats}
    assert not any(r.id in trained for r in rows if r.split in {"test", "dev"})
    sources = Counter(r.source for r in rows)
    assert sources["cold"] == 37480
    assert sources["swsr"] == 8969
    assert sources["lccc"] > 11000  # 12,000 dialogue lines, less the few of one character
