"""Threat grader (issue 22): the pathway to violence, crimes arranged online, hard negatives, held-out figures."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

from tests.detection.test_taxonomy import IDENTITY_WORDS
from youthsafe.detection.corpus import CORPUS_DIR, split_of
from youthsafe.detection.normalize import normalize_texts
from youthsafe.detection.threat import (
    ALERT_LEVEL,
    ARRANGED_CRIME,
    EXTENDED_SUICIDE,
    HARM_TO_OTHERS,
    TARGETED_LEVEL,
    ThreatAssessment,
    ThreatGrader,
    _leading,
)

GRADER = ThreatGrader()
TESTS = Path(__file__).resolve().parents[1]
LEXICON = Path(__file__).resolve().parents[2] / "src" / "youthsafe" / "detection" / "data" / "lexicon" / "threat.yaml"
POSTS = CORPUS_DIR / "posts"


def _quiet(a: ThreatAssessment) -> bool:
    """Not graded: level 2 or below and no kind."""
    return a.level <= 2 and not a.kinds


Held = dict[str, list[tuple[dict[str, object], ThreatAssessment, ThreatAssessment]]]


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ------------------------------------------------------------------------------------------- the issue's posts

ISSUE_POSTS = [
    ("明天我就带刀去学校，让欺负我的人都付出代价", {HARM_TO_OTHERS}),
    ("活着没意思，死之前我要拉几个人垫背", {EXTENDED_SUICIDE, HARM_TO_OTHERS}),
    ("我要报复社会，周五在商场门口动手", {HARM_TO_OTHERS}),
    ("谁有门路搞到土枪，价格好说，私聊", {ARRANGED_CRIME}),
    ("约人周末一起去砸那家店，带上家伙", {ARRANGED_CRIME}),
]


@pytest.mark.parametrize(("text", "kinds"), ISSUE_POSTS)
def test_issue_posts_are_graded_with_their_kind(text: str, kinds: set[str]) -> None:
    result = GRADER.grade(text)
    assert result.alert, result
    assert result.level >= TARGETED_LEVEL, result
    assert kinds <= set(result.kinds), result
    assert result.evidence


def test_issue_posts_flags() -> None:
    assert GRADER.grade(ISSUE_POSTS[0][0]).imminent  # 明天, with a knife and a target
    assert GRADER.grade(ISSUE_POSTS[2][0]).imminent  # 周五, with an attack
    assert GRADER.grade(ISSUE_POSTS[4][0]).recruitment  # the organiser pattern


# ------------------------------------------------------------------------------------------- the pathway

LADDER = [
    ("被他们欺负了三年 我受够了", 1, 2),  # grievance
    ("我脑子里全是把他们按进水池的画面 我不会真做的", 3, 3),  # ideation, disavowed
    ("你们给我等着", 4, 5),  # leakage
    ("再惹我一次 我弄死你", 5, 5),  # a direct threat
    ("班主任你给我等着", 6, 6),  # an identifiable target with intent
    ("刀已经买好了 那几个欺负我的人等着", 7, 7),  # means acquired
    ("我知道他每天放学走哪条路 跟了他一个礼拜了", 8, 8),  # surveillance
    ("明晚八点 后街 刀我带着 你们等着", 9, 9),  # time, place, means, intent
    ("我已经在你们班门外了 刀在袖子里", 10, 10),  # under way
    ("死之前拉几个垫背", 7, 10),  # extended suicide
]


@pytest.mark.parametrize(("text", "low", "high"), LADDER)
def test_ladder(text: str, low: int, high: int) -> None:
    assert low <= GRADER.grade(text).level <= high, GRADER.grade(text)


@pytest.mark.parametrize(
    "text",
    ["明天带砍dao去学校 让欺负我的人付出代价", "谁有土呛 私聊", "家 伙都带上 今晚后街集合 干他们",
     "🔪已经磨好了 你们等着",
     "明天帶刀去學校 讓欺負我的人付出代價", "  明天我就带刀去学校，\n让欺负我的人都付出代价  "],
)  # fmt: skip
def test_evasions_are_graded_and_evidence_points_into_the_original(text: str) -> None:
    result = GRADER.grade(text)
    assert result.alert, result
    for e in result.evidence:
        assert text[e.start : e.end] == e.text
        assert e.cue in result.cues


def test_arranged_crimes() -> None:
    for text, cue in (("日结 帮忙带个包裹 不问内容 学生可", "errand"), ("人肉他 地址发群里 去堵他", "doxxing")):
        result = GRADER.grade(text)
        assert ARRANGED_CRIME in result.kinds, result
        assert cue in result.cues, result
    for text in ("收迷药 私聊", "谁有门路搞到土枪"):
        assert "purchase" in GRADER.grade(text).cues
    hire = GRADER.grade("帮我找两个人把他腿打断 钱我出")
    assert hire.recruitment
    assert ARRANGED_CRIME in hire.kinds


def test_thread_replies_join_their_incident() -> None:
    organiser = GRADER.grade("今晚十点 桥底下 跟东街那帮人做个了断 能来的扣1 带家伙")
    assert organiser.recruitment
    assert organiser.imminent
    assert ARRANGED_CRIME in organiser.kinds
    for reply in ("1", "算我一个", "我带两根钢管", "几点集合"):
        joined = GRADER.grade_reply(reply, organiser)
        assert joined.level == organiser.level, reply
        assert ARRANGED_CRIME in joined.kinds, reply
        assert "reply" in joined.cues, reply
    assert _quiet(GRADER.grade_reply("你们别约了 会出事的 我去告诉老师", organiser))
    assert _quiet(GRADER.grade_reply("1", GRADER.grade("今天天气真好")))  # no incident to join
    for explicit in ("我带家伙", "算我一个 几点集合"):  # caught without the thread
        assert GRADER.grade(explicit).recruitment, explicit


# ------------------------------------------------------------------------------------------- hard negatives

HARD_NEGATIVES = {
    "hyperbole": ["气死我了", "气到想刀人", "笑死", "想掐死你个小可爱", "我要杀了你（开玩笑）", "这题难到我想砸电脑"],
    "games": ["今晚带刀去打boss", "杀了这个boss", "我要炸了这个塔", "草丛里蹲他",
              "五排开黑 上分 对面打野太猛了 我要杀穿他们",
              "帮战今晚八点 全员集合 带好药"],
    "fiction": ["这部电影里反派带着刀冲进学校 结局太震撼了", "小说主角为了报仇杀进魔王城 把反派砍了"],
    "news": ["据报道，某地一男子持刀伤人，已被警方控制"],
    "quotation": ["有人在群里说“明天带刀去学校”，我已经截图告诉老师了"],
    "prevention": ["防欺凌主题班会：遇到有人说要伤害别人，请及时告诉老师；请不要参与网络约架",
                   "你们别约了 会出事的 我去告诉老师"],
    "cooking": ["这刀工太厉害了 切土豆丝像机器", "周末在家炸鸡翅 差点把厨房炸了"],
    "sport": ["射箭协会招新 周三下午训练 器材统一保管", "周末去靶场打飞碟 教练一对一 枪用完就收回",
              "钓鱼佬集合 明早五点水库 带上家伙什"],
    "victim": ["前任一直发消息说“你等着”，我好害怕，该怎么办"],
    "everyday": ["约人周末一起去爬山 早上七点地铁站集合 带水", "我和这盒巧克力今天必须同归于尽"],
    "own suicide": ["我不想活了，今晚就去天台"],  # the suicide grader's: nothing against others
}  # fmt: skip


@pytest.mark.parametrize(("family", "text"), [(f, t) for f, texts in HARD_NEGATIVES.items() for t in texts])
def test_hard_negatives_are_not_graded(family: str, text: str) -> None:
    assert _quiet(GRADER.grade(text)), (family, GRADER.grade(text))


def _engine_identity_statements() -> list[str]:
    """``IDENTITY_NEUTRAL`` of test_engine.py, read without importing it (it builds an engine)."""
    tree = ast.parse((TESTS / "detection" / "test_engine.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "IDENTITY_NEUTRAL" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return []


def test_identity_neutral_statements_are_not_graded() -> None:
    texts = [str(r["text"]) for r in _rows(TESTS / "data" / "identity_neutral.jsonl")] + _engine_identity_statements()
    assert len(texts) > 300
    graded = [(t, a) for t, a in zip(texts, GRADER.grade_many(texts), strict=True) if not _quiet(a)]
    assert graded == []


def test_no_feature_names_a_group_of_people() -> None:
    doc = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    for name, spec in doc["features"].items():
        if spec.get("role") in {"mask", "context", "lift", "self"}:
            continue  # words that lower a grade
        for term in [*map(str, spec.get("terms", [])), *map(str, spec.get("patterns", []))]:
            assert not any(re.search(re.escape(w.strip()), term.lower()) for w in IDENTITY_WORDS), (name, term)


# ------------------------------------------------------------------------------------------- mechanics


def test_batch_and_single_grading_agree() -> None:
    texts = [t for t, _ in ISSUE_POSTS] + [t for texts in HARD_NEGATIVES.values() for t in texts]
    normalized = normalize_texts(texts)
    direct = GRADER.find_many(normalized)
    assert [GRADER.grade(t, n, None, d) for t, n, d in zip(texts, normalized, direct, strict=True)] == [
        GRADER.grade(t) for t in texts
    ]
    assert GRADER.grade_many(texts) == [GRADER.grade(t) for t in texts]
    assert GRADER.grade("").level == 0


def test_pattern_gate_skips_no_pattern_that_matches() -> None:
    """A pattern runs only on texts holding one of its leading literals: on every corpus line, each pattern
    that matches has (or needs) none skipped."""
    doc = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    patterns = [p for spec in doc["features"].values() for p in spec.get("patterns", [])]
    texts = normalize_texts([str(r["text"]) for p in sorted(POSTS.glob("*.jsonl")) for r in _rows(p)])
    for pattern in patterns:
        rx, leads = re.compile(pattern), _leading(pattern)
        skipped = [t for t in texts if leads and rx.search(t) and not any(lit in t for lit in leads)]
        assert skipped == [], pattern


# ------------------------------------------------------------------------------------------- held-out figures


@pytest.fixture(scope="module")
def held_out() -> Held:
    """The test split of threats.jsonl: (row, alone, with thread) — a reply is graded with its thread's first
    post, as the caller does (the first post is context whatever its split, never a label)."""
    rows = _rows(POSTS / "threats.jsonl")
    alone = GRADER.grade_many([str(r["text"]) for r in rows])
    first: dict[str, ThreatAssessment] = {}
    out: Held = {"pos": [], "neg": []}
    for row, own in zip(rows, alone, strict=True):
        thread = str(row.get("thread") or "")
        threaded = GRADER.grade_reply(str(row["text"]), first[thread]) if thread in first else own
        first.setdefault(thread, own) if thread else None
        if split_of(str(row["id"])) == "test":
            out["pos" if row.get("threat") else "neg"].append((row, own, threaded))
    return out


def _recall(items: list[tuple[dict[str, object], ThreatAssessment, ThreatAssessment]], threaded: bool) -> float:
    return sum(1 for _, alone, with_thread in items if (with_thread if threaded else alone).alert) / len(items)


def test_held_out_recall_does_not_regress(
    held_out: Held,
) -> None:
    # alert: level >= ALERT_LEVEL (4), an arranged crime or extended suicide
    # measured 0.699 with the thread, 0.636 alone
    assert ALERT_LEVEL == 4
    assert _recall(held_out["pos"], threaded=True) >= 0.65
    assert _recall(held_out["pos"], threaded=False) >= 0.60


@pytest.mark.xfail(
    strict=False,
    reason="known gap: held-out recall 0.699 with threads (0.636 alone) against the issue's 0.85; the misses are "
    "terse or veiled posts (a bare arrival, an innuendo about a crowded place) and phrasings outside the "
    "vocabulary; see benchmarks/detection_threat.py",
)
def test_held_out_recall_reaches_target(
    held_out: Held,
) -> None:
    assert _recall(held_out["pos"], threaded=True) >= 0.85


def test_held_out_hard_negatives_are_rarely_graded(
    held_out: Held,
) -> None:
    graded = [row["id"] for row, _, threaded in held_out["neg"] if not _quiet(threaded)]
    assert len(graded) <= 0.05 * len(held_out["neg"])  # measured 2 of 83


def test_everyday_lines_of_the_other_corpora_are_almost_never_graded() -> None:
    rows = [r for p in sorted(POSTS.glob("*.jsonl")) if p.name != "threats.jsonl" for r in _rows(p)
            if not r["labels"] and split_of(str(r["id"])) == "test"]  # fmt: skip
    graded = [
        r["id"] for r, a in zip(rows, GRADER.grade_many([str(r["text"]) for r in rows]), strict=True) if not _quiet(a)
    ]
    assert len(rows) > 400
    assert len(graded) <= 0.01 * len(rows)  # measured 1 of 460


def test_first_person_suicide_posts_are_not_threats() -> None:
    """The writer's own suicide plan (means, time, place) is the suicide grader's: few alert as a threat."""
    files = [CORPUS_DIR / "risk_levels.jsonl", *sorted((CORPUS_DIR / "risk").glob("*.jsonl"))]
    rows = [r for p in files for r in _rows(p)
            if split_of(str(r["id"])) == "test"]  # fmt: skip
    alerts = [r["id"] for r, a in zip(rows, GRADER.grade_many([str(r["text"]) for r in rows]), strict=True) if a.alert]
    assert len(alerts) <= 0.03 * len(rows)  # measured 10 of 713
