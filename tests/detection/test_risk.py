"""Risk grader: hyperbole is level 0, the Tree Hole ladder climbs with evidence, context lowers it."""

from __future__ import annotations

import pytest

from youthsafe.detection.risk import RiskGrader

GRADER = RiskGrader()


@pytest.mark.parametrize(
    "text",
    ["累死了", "笑死我了", "热死了", "气死我了", "想死你了", "困死了今天", "饿死了快开饭", "我不想死",
     "这个跳楼价太划算", "手机又死机了", "今天天气真好", ""],
)  # fmt: skip
def test_hyperbole_and_neutral_are_level_zero(text: str) -> None:
    assert GRADER.grade(text).level == 0


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("好累啊，压力好大", 1),
        ("我好痛苦，每天都在哭", 2),
        ("活着没意思，看不到希望", 3),
        ("我不想活了", 4),
        ("我真的很想死", 5),
        ("我想自杀", 5),
        ("遗书已经写好了", 6),
        ("我想死，已经攒了很多安眠药", 7),
        ("遗书写好了，这周末就走", 8),
        ("今晚就吃安眠药，不想活了", 9),
        ("我站在楼顶了，永别了", 10),
        ("已经吃了一整瓶药，不想活了", 10),
    ],
)
def test_ladder(text: str, level: int) -> None:
    assert GRADER.grade(text).level == level


def test_evasive_spelling_still_graded() -> None:
    assert GRADER.grade("我好想s.i，不想 活了").level >= 4
    assert GRADER.grade("我不想活了").level == GRADER.grade("我不想活了").level


@pytest.mark.parametrize(
    "text",
    ["据报道，一名学生跳楼身亡", "如果你有自杀的想法，请拨打心理援助热线", "珍爱生命，预防自杀"],
)
def test_news_and_prevention_lower_the_level(text: str) -> None:
    result = GRADER.grade(text)
    assert result.level <= 2
    assert not result.welfare


def test_recruitment_signal() -> None:
    result = GRADER.grade("有没有人一起死，烧炭群")
    assert result.recruitment
    assert result.level >= 6


def test_evidence_points_into_original() -> None:
    text = "我  想  死，今 晚 就 吃 安 眠 藥"
    result = GRADER.grade(text)
    assert result.level >= 7
    assert result.evidence
    for e in result.evidence:
        assert text[e.start : e.end] == e.text


def test_masked_and_capped_flags() -> None:
    assert GRADER.grade("累死了").masked  # a hyperbole was seen: the model may not overrule it upwards
    assert GRADER.grade("想死你了").masked
    assert GRADER.grade("据报道一名学生想死").capped
