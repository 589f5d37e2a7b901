"""Risk grader: hyperbole is level 0, the Tree Hole ladder climbs with evidence, context lowers it."""

from __future__ import annotations

import pytest

from youthsafe.detection.policy import combine_risk
from youthsafe.detection.risk import WELFARE_LEVEL, RiskAssessment, RiskGrader

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


@pytest.mark.parametrize(
    "text",
    ["这题难死了", "可爱死了", "尴尬死了", "社死现场", "考完试终于解脱了", "下课了一起走吗", "喝了一整瓶水",
     "我才不会想不开", "我不会做傻事的，放心", "冬天烧炭取暖要开窗", "今天去天台晒被子", "周末去游乐园坐跳楼机"],
)  # fmt: skip
def test_wider_hyperbole_negation_and_everyday_words_stay_low(text: str) -> None:
    assert GRADER.grade(text).level == 0, GRADER.grade(text)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("活着有什么意义，没人在乎我", 3),
        ("想去另一个世界", 4),
        ("好想一了百了", 4),
        ("我想过自杀", 5),
        ("已经攒的药够了，不想活了", 7),
        ("明天去跳楼", 7),
        ("银行卡密码留给我妈了，这周末就走", 8),
        ("今晚烧炭，不想活了", 9),
        ("我吃了一整瓶安眠药", 10),
        ("吞了30片药，不想活了", 10),
        ("我站在天台边上，真的不想活了", 10),
    ],
)
def test_wider_vocabulary_ladder(text: str, level: int) -> None:
    assert GRADER.grade(text).level == level, GRADER.grade(text)


def test_weak_words_alone_are_no_signal_but_two_kinds_are() -> None:
    assert not GRADER.grade("我先走了").distress
    assert not GRADER.grade("准备好了").distress
    combo = GRADER.grade("药够了，就今晚")
    assert combo.distress  # a signal for the model...
    assert combo.level == 0  # ...with no level of its own


def test_group_recruitment_needs_context_for_weak_phrases() -> None:
    assert not GRADER.grade("有没有人一起去图书馆").recruitment
    assert GRADER.grade("有没有人一起走，不想活了").recruitment
    assert GRADER.grade("约烧炭，私聊").recruitment


@pytest.mark.parametrize(
    "text",
    ["我朋友说她不想活了，我该怎么办", "小说里主角说他不想活了", "他在日记里写“不想活了，永别了”",
     "这首歌的歌词是想消失", "据报道，一名学生留下遗书后跳楼身亡"],
)  # fmt: skip
def test_third_person_fiction_quotation_and_news_are_capped(text: str) -> None:
    result = GRADER.grade(text)
    assert result.level <= 2, result
    assert result.capped, result


@pytest.mark.parametrize(
    "text", ["我室友又吵到我了，我真的不想活了", "看小说也救不了我，我不想活了", "我发了一句“再见”，我不想活了"]
)
def test_writer_speaking_of_themself_is_not_capped(text: str) -> None:
    result = GRADER.grade(text)
    assert result.level >= 4, result
    assert not result.capped, result


@pytest.mark.parametrize(
    "text", ["我 已 經 吞 了 30 片 藥，不 想 活 了", "「永别了」我站在天台，今晚就跳", "ＢＹＥ，我想自殺。遗书写好了"]
)
def test_wider_evidence_points_into_original(text: str) -> None:
    result = GRADER.grade(text)
    assert result.level >= 6
    for e in result.evidence:
        assert text[e.start : e.end] == e.text


@pytest.mark.parametrize(
    "text",
    [
        "如果是你的女儿，你会怎么想。自杀是他自己懦弱",  # "想" and "自杀" in two sentences: not "想自杀"
        "我想！死的是那些坏人",
        "遗嘱的效力大于默认的继承顺序啊，父母写遗嘱全部财产给男孩",  # wills as a legal topic
        "他的后事由单位负责办理",
        "割手指德普早八百年他自己就说是自己割的",  # a cut finger, not cutting oneself
        "只是说了一个综艺词居然被要求死刑",  # 要求死刑: demanded the death penalty, not 求死
    ],
)
def test_sentence_ends_wills_and_fingers_are_not_ideation_or_plans(text: str) -> None:
    assessment = GRADER.grade(text)
    assert assessment.level < WELFARE_LEVEL, assessment
    assert not {"strong_wish", "wish", "plan"} & set(assessment.signals)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("我想自杀", 5),
        ("想*自*杀", 5),  # noise between characters is still removed (not a sentence end)
        ("后事都交代好了", 6),  # one's affairs being put in order is a plan
        ("我写好了遗嘱", 6),
        ("我又割手了", 5),
        ("我只求死", 5),
    ],
)
def test_what_stays_graded(text: str, level: int) -> None:
    assert GRADER.grade(text).level == level


def test_mild_means_level_one_wording_only() -> None:
    assert RiskAssessment(1, ("distress1",), ()).mild
    assert RiskAssessment(1, ("distress1", "time"), ()).mild  # time words are no signal of their own
    assert not RiskAssessment(2, ("distress1", "distress2"), ()).mild
    assert not RiskAssessment(4, ("distress1", "wish"), ()).mild
    assert not RiskAssessment(0, (), ()).mild


def test_the_model_may_not_read_a_wish_to_die_into_level_one_wording() -> None:
    def level(signals: tuple[str, ...], grade: int, model: float) -> int:
        return combine_risk(RiskAssessment(grade, signals, ()), model)

    assert level(("distress1",), 1, 7.0) == 3  # "委屈" in a long argument: at most level 3
    assert level(("distress1",), 1, 0.4) == 1  # the grader's own level stands
    assert level(("distress2",), 2, 7.0) == 7  # clear suffering: the model may raise it
    assert level(("wish",), 4, 8.0) == 8
    assert level((), 0, 7.0) == 3  # no signal at all: unchanged rule
