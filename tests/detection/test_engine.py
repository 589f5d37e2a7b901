"""Engine: contract shape, evidence offsets, identity neutrality, context, welfare routing, robustness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from youthsafe.detection.engine import Engine, ScanResult

RULES_ONLY = Engine(use_default_model=False)

IDENTITY_NEUTRAL = [
    "我是同性恋", "我是穆斯林", "我是跨性别女生", "我喜欢二次元", "我是追星族", "维吾尔族的朋友请我吃饭",
    "我是基督徒，周日去教堂", "我是残疾人，坐轮椅上学", "我是女生，喜欢打篮球", "我是藏族人", "我们班有个黑人同学",
    "我是双性恋", "作为一个lgbt群体的一员，我很骄傲", "我是佛教徒", "我在漫展cos了喜欢的角色",
]  # fmt: skip

NOT_FLAGGED = [
    "防止自杀，如果你需要帮助，请拨打心理援助热线", "不要自杀，我们陪着你", "警惕刷单返利骗局，国家反诈中心提醒",
    "提醒大家：远离赌博，网赌危害大", "据报道，警方破获一起网络赌博案，抓获犯罪嫌疑人12名",
    "据报道，一名学生跳楼身亡，警方已介入", "累死了", "笑死我了", "热死了", "气死我了", "想死你了",
    "菠菜炒鸡蛋很好吃", "王者荣耀今天上分好快", "考公终于上岸了", "下课了一起走吗", "我在刷题",
]  # fmt: skip


def _one(text: str, engine: Engine = RULES_ONLY) -> ScanResult:
    return engine.scan([text])[0]


@pytest.mark.parametrize("text", IDENTITY_NEUTRAL)
def test_identity_neutral_statements_are_not_flagged(text: str) -> None:
    result = _one(text)
    assert not result.flagged, result.explanation
    assert not result.rules_fired or all(h.category == "signal" for h in result.rules_fired)


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_prevention_education_news_hyperbole_not_flagged(text: str) -> None:
    result = _one(text)
    assert not result.flagged, result.explanation
    assert result.risk_level <= 2


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("最新菠菜平台注册就送，加V.X: abc12345", "A06"),
        ("学生兼职日结，刷单返利", "A15"),
        ("出售新生名单，带家长手机号", "A16"),
        ("高价收卡，跑分平台招人", "A17"),
        ("有没有人一起死，烧炭群私聊", "A07"),
        ("出萝莉资源 私聊", "A02"),
        ("免处方 包邮 私发", "A12"),
        ("学生专用电子烟，不查年龄", "A14"),
    ],
)
def test_violations_flagged(text: str, category: str) -> None:
    result = _one(text)
    assert result.flagged
    assert result.violation
    assert any(c.id == category and c.flagged for c in result.categories)
    assert any(e.category == category for e in result.evidence)


def test_welfare_routes_to_welfare_not_violation() -> None:
    result = _one("我真的很想死，活着没意思")
    assert result.welfare
    assert not result.violation
    assert result.risk_level == 5
    assert not result.flagged  # below the default alert level 6
    high = _one("遗书写好了，今晚就吃安眠药，不想活了")
    assert high.risk_level >= 8
    assert high.flagged
    assert high.welfare
    assert not high.violation
    assert "welfare" in high.explanation


def test_alert_level_parameter() -> None:
    engine = Engine(use_default_model=False, alert_level=4)
    assert _one("我不想活了", engine).flagged


def test_recruitment() -> None:
    result = _one("约死，有人一起烧炭吗")
    assert result.recruitment
    assert any(c.id == "A07" and c.flagged for c in result.categories)


@pytest.mark.parametrize(
    "text",
    [
        "最 新 菠-菜-平-台，加Ｖ.Ｘ：ａｂｃ12345",
        "賭場開業，百家樂上分",
        "我  想  死，今 晚 就 吃 安 眠 藥",
        "💊代购 免处方",
    ],
)
def test_evidence_offsets_map_into_original(text: str) -> None:
    result = _one(text)
    assert result.evidence
    for e in result.evidence:
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start : e.end] == e.text


def test_to_dict_is_json_contract() -> None:
    data = _one("最新菠菜平台注册就送").to_dict()
    json.dumps(data, ensure_ascii=False)
    for key in ("flagged", "categories", "risk_level", "evidence", "rules_fired", "model_version", "rules_version"):
        assert key in data
    assert {"id", "score", "flagged"} <= set(data["categories"][0])
    assert {"rule_id", "category", "shadow", "version"} <= set(data["rules_fired"][0])
    assert data["model_version"].startswith("rules-only")


def test_shadow_rules_reported() -> None:
    result = _one("读书无用，早点出去赚钱")
    assert any(h.shadow for h in result.rules_fired)
    assert not result.flagged


def test_broken_model_falls_back_to_rules(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text("{not json", encoding="utf-8")
    engine = Engine(model_dir=tmp_path)
    assert engine.model_version.startswith("rules-only")
    assert _one("最新菠菜平台注册就送", engine).flagged


def test_dedup_clusters() -> None:
    engine = Engine(use_default_model=False, dedup=True)
    a, b = engine.scan(["最新菠菜平台注册就送彩金，私聊我", "最新菠菜平台注册就送彩金！！私聊我"])
    assert a.cluster_id == b.cluster_id
    assert b.duplicate_of == a.cluster_id


def test_bad_alert_level() -> None:
    with pytest.raises(ValueError, match="alert_level"):
        Engine(use_default_model=False, alert_level=11)


def test_empty_batch() -> None:
    assert RULES_ONLY.scan([]) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), max_size=5))
def test_scan_never_raises(texts: list[str]) -> None:
    results = RULES_ONLY.scan(texts)
    assert len(results) == len(texts)
    for text, result in zip(texts, results, strict=True):
        assert 0 <= result.risk_level <= 10
        for e in result.evidence:
            assert text[e.start : e.end] == e.text


@settings(max_examples=20, deadline=None)
@given(st.text(alphabet=st.sampled_from("自杀赌博 *.V信想死👍\u0301\u200b①ＡБ"), min_size=1000, max_size=3000))
def test_scan_long_noisy_text(text: str) -> None:
    result = RULES_ONLY.scan([text])[0]
    assert 0 <= result.risk_level <= 10


FAIRNESS_SET = Path(__file__).resolve().parents[1] / "data" / "identity_neutral.jsonl"
# Plain statements of the fairness set (about one per group, plus n0002, n0111 and n0259, which earlier models
# flagged as A07, risk level 7 and B07): nothing in them but who the writer is and what they do.
CLEAREST_NEUTRAL = [
    "n0001", "n0002", "n0003", "n0040", "n0080", "n0111", "n0120", "n0160", "n0200", "n0240", "n0259", "n0280",
]  # fmt: skip


@pytest.fixture(scope="module")
def fairness_results() -> dict[str, tuple[str, ScanResult]]:
    rows = [json.loads(line) for line in FAIRNESS_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = Engine().scan([r["text"] for r in rows])
    return {r["id"]: (r["text"], res) for r, res in zip(rows, results, strict=True)}


def test_engine_flags_none_of_the_identity_neutral_posts(
    fairness_results: dict[str, tuple[str, ScanResult]],
) -> None:
    flagged = [(text, res.explanation) for text, res in fairness_results.values() if res.flagged]
    assert flagged == []


def test_engine_never_flags_the_clearest_identity_statements(
    fairness_results: dict[str, tuple[str, ScanResult]],
) -> None:
    for rid in CLEAREST_NEUTRAL:
        text, result = fairness_results[rid]
        assert not result.flagged, (text, result.explanation)
        assert not result.welfare, (text, result.explanation)
        assert result.risk_level < 4, (text, result.explanation)


_ANY_CHAR = st.characters(categories=["L", "M", "N", "P", "S", "Z", "C", "Cs"])  # lone surrogates included
_WITH_MODEL = Engine()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(_ANY_CHAR, max_size=30), st.sampled_from(
    ["赌搏平台加V.X: abc12345", "我不想活了", "ß💊①③⑧", "zi sha", "网 赌 稳 赚", "微信13812345678"]
)), min_size=8, max_size=24))  # fmt: skip
def test_a_batch_scans_like_each_post_alone(texts: list[str]) -> None:
    """Batches of 8+ take the vectorised paths (normalisation, syllable forms): same result as one by one."""
    batch = _WITH_MODEL.scan(texts)
    assert [r.to_dict() for r in batch] == [_WITH_MODEL.scan([t])[0].to_dict() for t in texts]
    for text, result in zip(texts, batch, strict=True):
        for e in result.evidence:
            assert text[e.start : e.end] == e.text


GREETINGS = ["你好", "在吗", "收到", "好的", "谢谢", "早安", "晚安", "哈哈哈", "嗯嗯", "ok", "在不在", "吃了吗",
             "您好", "拜拜", "好", "?", "👍", "收到，谢谢", "在的", "晚上好"]  # fmt: skip


@pytest.mark.parametrize("text", GREETINGS)
def test_greetings_are_never_flagged(text: str) -> None:
    """Too little content to judge: whatever the model scores, a greeting flags nothing (issue 15, point 3)."""
    result = _WITH_MODEL.scan([text])[0]
    assert not result.flagged, result.explanation
    assert not any(c.flagged for c in result.categories), result.categories
    assert result.risk_level < 4


def test_model_evidence_is_never_a_single_character() -> None:
    """Every span the model gives as evidence is at least two characters long: one ordinary character (你, 好)
    is nothing a reviewer could check, and a model flag without a longer span is withdrawn."""
    texts = [
        "最新菠菜平台注册就送彩金，稳赚不赔加v了解", "出售学生家长信息，全市小学名单都有",
        "兼职刷单日结三百，学生也可以",
        "你这个废物滚出去，看着就恶心", "今天天气真好，我们去公园散步吧", "药已经攒够了，今晚就结束", "你好呀在吗",
    ]  # fmt: skip
    for result in _WITH_MODEL.scan(texts):
        for e in result.evidence:
            if e.source == "model":
                assert e.end - e.start >= 2, (e, result.explanation)
