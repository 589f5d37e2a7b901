"""Normaliser: each evasion step, the fast path, and offsets that always land in the original text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youthsafe.detection.normalize import normalize, normalize_text, normalize_texts


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＱＱ１２３", "qq123"),  # full-width (NFKC) and case folding
        ("自殺", "自杀"),  # traditional to simplified
        ("賭場開業", "赌场开业"),
        ("自*杀", "自杀"),  # noise between Chinese characters
        ("赌 博", "赌博"),
        ("加.V.X", "加vx"),
        ("自\u200b杀", "自杀"),  # zero-width space
        ("自\u200d杀\ufe0f", "自杀"),  # zero-width joiner, variation selector
        ("①③⑧", "138"),  # circled digits
        ("𝟘𝟙𝟚", "012"),  # mathematical digits
        ("Вх", "bx"),  # Cyrillic homoglyphs
        ("νx", "vx"),  # Greek nu looks like v
        ("💊代购", "药代购"),  # emoji substitution table
        ("加🐧", "加qq"),
        ("z\u0301i sha", "zisha"),  # combining marks and spaces
        ("Hello World", "helloworld"),
        ("", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected
    assert normalize(raw).text == expected


def test_fast_path_returns_clean_ascii_unchanged() -> None:
    assert normalize_text("abc123") == "abc123"


def test_offsets_point_to_original_characters() -> None:
    n = normalize("加 Ｖ.x：abc")
    assert n.text == "加vxabc"
    assert n.original_slice(1, 3) == "Ｖ.x"
    assert n.to_original(0, 1) == (0, 1)


def test_multi_char_expansion_keeps_offsets() -> None:
    n = normalize("a💊b")
    assert n.text == "a药b"
    n2 = normalize("ß!")
    assert n2.text == "ss"
    assert n2.to_original(0, 2) == (0, 1)


def test_to_original_on_empty_text() -> None:
    assert normalize("   ").to_original(0, 1) == (0, 0)


@given(st.text())
def test_offsets_are_within_original(text: str) -> None:
    n = normalize(text)
    assert n.text == normalize_text(text)
    assert len(n.starts) == len(n.text)
    for i in range(len(n.text)):
        a, b = n.to_original(i, i + 1)
        assert 0 <= a < b <= len(text)
        # each normalised char comes from the original char it points at
        assert n.text[i] in normalize_text(text[a:b])


def _offsets_one_by_one(text: str) -> list[int]:
    """The offset map by definition: each original character's replacement, position by position."""
    starts: list[int] = []
    for i, ch in enumerate(text):
        starts.extend([i] * len(normalize_text(ch)))
    return starts


@pytest.mark.parametrize(
    "text",
    ["加 Ｖ.x：abc", "网 赌 稳 赚!!", "a💊b ß", "", "   ", "①③⑧ ①②", "線上賭場", "自\u200b杀"],
)
def test_offset_map_matches_definition(text: str) -> None:
    """Both ways of building the map (one C pass when no character expands, the loop when one does)."""
    n = normalize(text)
    assert n.text == normalize_text(text)
    assert list(n.starts) == _offsets_one_by_one(text)


@given(st.text())
def test_offset_map_matches_definition_on_any_text(text: str) -> None:
    assert list(normalize(text).starts) == _offsets_one_by_one(text)
    assert normalize(text, normalize_text(text)) == normalize(text)  # the caller's normalised text reused


@given(st.lists(st.text(), max_size=40))
def test_batch_normalisation_equals_one_by_one(texts: list[str]) -> None:
    """The vectorised batch path (with its fallbacks) gives exactly the per-text result."""
    assert normalize_texts(texts) == [normalize_text(t) for t in texts]


def test_batch_normalisation_fallbacks() -> None:
    texts = ["网 赌 稳 赚"] * 10
    special = ["a💊b", "ß!", "x\U0010ffffy", "\ud800x", "", "①③⑧"]
    for extra in special:
        batch = [*texts, extra, *texts]
        assert normalize_texts(batch) == [normalize_text(t) for t in batch]
