"""Taxonomy: all ids present, tiers and flags right, and no identity categories anywhere."""

from __future__ import annotations

import re

import pytest

from youthsafe.detection import taxonomy
from youthsafe.detection.taxonomy import CATEGORIES, Tier

EXPECTED = (
    [f"A{i:02d}" for i in range(1, 18)]
    + [f"B{i:02d}" for i in range(1, 11)]
    + ["C01", "C02"]
    + [f"D{i:02d}" for i in range(1, 6)]
    + ["W01"]
)

# Identity words (regulatory-reference 0.2): a category may never be *about* these groups.
IDENTITY_WORDS = [
    "gay", "lesbian", "lgbt", "transgender", "queer", "muslim", "christian", "buddhist", "religion",
    "ethnic", "uyghur", "tibetan", "race", "disabled", "disability", "fandom", "fans ", "acg", "anime",
    "同性恋", "跨性别", "穆斯林", "宗教", "民族", "维吾尔", "残疾", "二次元", "追星", "粉丝", "性取向",
]  # fmt: skip


def test_all_ids_present() -> None:
    assert sorted(CATEGORIES) == sorted(EXPECTED)


def test_tiers_and_flags() -> None:
    for cat in CATEGORIES.values():
        assert cat.tier is Tier(cat.id[0])
        assert cat.welfare is (cat.id == "W01")
        assert cat.text_detectable is (cat.tier is not Tier.D)
        assert cat.handling
        assert cat.legal_basis


def test_project_categories() -> None:
    assert "诈骗" in taxonomy.get("A15").name_zh
    assert "个人信息" in taxonomy.get("A16").name_zh
    assert "Black-industry" in taxonomy.get("A17").name_en


def test_unknown_id() -> None:
    with pytest.raises(KeyError, match="Z99"):
        taxonomy.get("Z99")


def test_no_category_targets_identity_groups() -> None:
    for cat in CATEGORIES.values():
        blob = f"{cat.name_zh} {cat.name_en} ".lower()
        for word in IDENTITY_WORDS:
            assert not re.search(re.escape(word), blob), f"{cat.id} mentions identity word {word!r}"


def test_text_detectable_excludes_design_tier() -> None:
    ids = taxonomy.text_detectable_ids()
    assert "D01" not in ids
    assert "W01" in ids
    assert "A17" in ids
