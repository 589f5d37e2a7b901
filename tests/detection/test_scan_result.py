"""ScanResult.to_dict is written out by hand for speed; it must stay equal to dataclasses.asdict."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from youthsafe.detection.engine import Engine


def test_to_dict_matches_asdict_and_is_json() -> None:
    texts = ["有没有人一起走，约好这周六在江边烧炭，私信我", "加V信看彩票，稳赚不赔，上分快", "你好", ""]
    for result in Engine(dedup=True).scan(texts):
        as_dict = result.to_dict()
        assert as_dict == asdict(result)
        json.dumps(as_dict, ensure_ascii=False)


def test_no_welfare_signal_or_risk_on_identity_neutral_statements() -> None:
    """Saying who you are is never a welfare signal: no W01 and no risk level 4+ on the fairness set."""
    path = Path(__file__).parents[1] / "data" / "identity_neutral.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = Engine().scan([r["text"] for r in rows])
    welfare = [r["id"] for r, res in zip(rows, results, strict=True) if res.welfare or res.risk_level >= 4]
    assert welfare == []
