"""Near-duplicate index: repost waves share a cluster, different texts do not."""

from __future__ import annotations

import pytest

from youthsafe.detection.dedup import DedupIndex, minhash_many

AD = "最新菠菜平台注册就送彩金，私聊我加微信abc12345，日入过千"


def test_repost_wave_is_one_cluster() -> None:
    index = DedupIndex()
    results = index.assign(
        [
            AD,
            AD.replace("12345", "12346"),
            "最新 菠菜平台 注册就送彩金！！私聊我加微信abc12345，日入过千",
            "今天天气很好我们去公园散步吧",
        ]
    )
    assert results[0].duplicate_of is None
    assert results[1].cluster_id == results[0].cluster_id == results[2].cluster_id
    assert results[1].duplicate_of == results[0].cluster_id
    assert results[3].cluster_id != results[0].cluster_id
    assert len(index) == 2


def test_short_texts_need_exact_match() -> None:
    index = DedupIndex()
    a, b, c = index.assign(["你好", "你好", "您好"])
    assert a.cluster_id == b.cluster_id
    assert c.cluster_id != a.cluster_id


def test_minhash_deterministic_and_empty() -> None:
    h1 = minhash_many(["abcdefghij", ""])
    h2 = minhash_many(["abcdefghij", ""])
    assert (h1 == h2).all()
    assert not h1[1].any()


def test_bad_distance() -> None:
    with pytest.raises(ValueError, match="threshold"):
        DedupIndex(threshold=0)
