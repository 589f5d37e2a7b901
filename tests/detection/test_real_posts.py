"""Real Weibo comments about gender (SWSR, needs ../shared/data/swsr): the default engine out of the box.

The comments discuss gender, sexuality, relationships, other people's deaths and the law in heated terms;
none is a suicide or self-harm post. The ones not labelled sexist must stay almost entirely unflagged, and
only a handful may reach the welfare band or the alert queue. Figures are from
``benchmarks/detection_swsr.py`` (see benchmarks/README.md); each bound leaves room for small changes but not
for a regression like the ones it was measured against (before the sentence-end, wills and level-1 rules
of risk lexicon 2026.12.1 and the long ordinary posts of the risk corpus: 48 comments in the welfare band and
10 at the alert level).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from youthsafe.detection.engine import Engine, ScanResult
from youthsafe.detection.risk import WELFARE_LEVEL

SWSR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "swsr" / "SexComment.csv"

pytestmark = pytest.mark.needs_shared_data


@pytest.fixture(scope="module")
def not_sexist() -> list[ScanResult]:
    if not SWSR.exists():
        pytest.skip(f"SWSR data not found at {SWSR.resolve()} (shared data is not part of the repo)")
    with SWSR.open(encoding="utf-8-sig", newline="") as fh:
        texts = [row["comment_text"] for row in csv.DictReader(fh) if row["label"] == "0"]
    assert len(texts) == 5876
    return Engine().scan(texts)


def test_ordinary_gender_talk_is_rarely_flagged(not_sexist: list[ScanResult]) -> None:
    """Since the default model learns abuse (B09) from COLD and SWSR, comments not labelled *sexist* are flagged
    when they abuse someone otherwise: measured 255 of 5,876 (4.3%), 151 of them with a word of abuse in the
    text (the rest: B09 at a model score of 0.8 or more, mostly heated arguments; a known weakness in the model
    card). Before, the engine flagged 103 (1.75%) and found almost no abuse at all on real comments."""
    flagged = sum(r.flagged for r in not_sexist)
    assert flagged / len(not_sexist) <= 0.05
    abuse_word = sum(r.flagged and any(h.rule_id == "B09.ctx.abuse" for h in r.rules_fired) for r in not_sexist)
    assert abuse_word >= flagged / 2  # most flags stand on a word of abuse a reviewer can see


def test_few_reach_the_welfare_band_or_the_alert_queue(not_sexist: list[ScanResult]) -> None:
    welfare = sum(r.risk_level >= WELFARE_LEVEL for r in not_sexist)
    alert = sum(r.risk_level >= 6 for r in not_sexist)
    assert welfare <= 25  # measured 19 (0.3%)
    assert alert <= 5  # measured 3
