"""ScanResult.to_dict is written out by hand for speed; it must stay equal to dataclasses.asdict."""

from __future__ import annotations

import json
from dataclasses import asdict

from youthsafe.detection.engine import Engine


def test_to_dict_matches_asdict_and_is_json() -> None:
    texts = ["有没有人一起走，约好这周六在江边烧炭，私信我", "加V信看彩票，稳赚不赔，上分快", "你好", ""]
    for result in Engine(dedup=True).scan(texts):
        as_dict = result.to_dict()
        assert as_dict == asdict(result)
        json.dumps(as_dict, ensure_ascii=False)
