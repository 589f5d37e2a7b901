"""Rule files: every file loads, every rule proves itself on its own hit/miss examples, loader errors."""

from __future__ import annotations

import random
import resource
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from youthsafe.detection.lexicon import Lexicon, TermSpec, _syllable_table, syllable_forms
from youthsafe.detection.normalize import normalize, normalize_text
from youthsafe.detection.rules import Rule, RuleError, RuleSet, default_rules_dir, load_rules

RULES = load_rules()


def _fired(rules: RuleSet, text: str) -> set[str]:
    hits, _ = rules.apply(text, normalize_text(text))
    return {h.rule.id for h in hits}


def test_every_file_loads_with_versions() -> None:
    files = sorted(default_rules_dir().glob("*.yaml"))
    assert len(files) >= 10
    assert RULES.version.startswith("rules-")
    assert {r.file for r in RULES.rules} == {f.name for f in files}


def test_every_rule_has_examples() -> None:
    for rule in RULES.rules:
        assert rule.examples_hit, f"{rule.id} has no hit example"
        assert rule.examples_miss, f"{rule.id} has no miss example"
        assert rule.description


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_examples(rule: Rule) -> None:
    for text in rule.examples_hit:
        assert rule.id in _fired(RULES, text), f"{rule.id} should fire on {text!r}"
    for text in rule.examples_miss:
        assert rule.id not in _fired(RULES, text), f"{rule.id} should not fire on {text!r}"


def test_hits_point_into_original_text() -> None:
    text = "最新 菠 菜 平 台 注册就送，加Ｖ.Ｘ：abc12345"
    hits, _ = RULES.apply(text, normalize_text(text))
    assert hits
    for h in hits:
        assert text[h.start : h.end] == h.text
        assert h.text


def test_shadow_rules_do_not_score() -> None:
    text = "读书无用，早点出去赚钱"
    hits, _ = RULES.apply(text, normalize_text(text))
    assert any(h.rule.shadow for h in hits)
    scores, _ = RULES.score(hits)
    assert "B07" not in scores


def test_suppression_factors() -> None:
    text = "警惕刷单返利骗局"
    hits, _ = RULES.apply(text, normalize_text(text))
    scores, factors = RULES.score(hits)
    assert scores["A15"] * factors["A15"] < RULES.threshold("A15")


def test_latin_word_boundaries() -> None:
    assert "SIG.contact.wechat" not in _fired(RULES, "november xyzabc")
    assert "A09.bully.direct" not in _fired(RULES, "absb cd")  # "sb" inside a word
    assert "A09.bully.direct" in _fired(RULES, "你就是个sb")


def test_homophone_does_not_flag_real_word() -> None:
    scores, _ = RULES.score(RULES.apply("菠菜很好吃", normalize_text("菠菜很好吃"))[0])
    assert scores.get("A06", 0) < RULES.threshold("A06")
    assert _fired(RULES, "紫砂壶很漂亮") == set()


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "r.yaml").write_text(body, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("rules: []", "version"),
        ("version: 1\nrules: [{id: x, kind: nope, category: A01, version: 1, description: d}]", "kind"),
        ("version: 1\nrules: [{id: x, kind: term, category: Z01, version: 1, description: d, terms: [a]}]",
         "unknown category"),
        ("version: 1\nrules: [{id: x, kind: regex, category: A01, version: 1, description: d, patterns: ['(']}]",
         "bad pattern"),
        ("version: 1\nrules: [{id: x, kind: term, category: A01, version: 1, description: d, terms: [a], "
         "weight: 2}]", "weight"),
        ("version: 1\nrules: [{id: x, kind: combination, category: A01, version: 1, description: d, "
         "requires: [y]}]", "unknown rules"),
        ("version: 1\nrules: [{id: x, kind: term, category: A01, description: d, terms: [a]}]", "version"),
    ],
)  # fmt: skip
def test_loader_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        load_rules(_write(tmp_path, body))


def test_empty_dir(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no rule files"):
        load_rules(tmp_path)


def test_large_lexicon_memory_and_speed() -> None:
    """200,000 synthetic terms build quickly, match, and stay far below 500 MB peak (RSS grows < 300 MB)."""
    rng = random.Random(7)
    terms = {"".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 6))) for _ in range(200_000)}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    lex = Lexicon(TermSpec(t, i) for i, t in enumerate(terms))
    built = time.perf_counter() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert len(lex) > 0.99 * len(terms)  # a few terms merge after traditional→simplified folding
    sample = next(iter(terms))
    assert lex.find(normalize_text("前缀" + sample + "后缀"))
    assert built < 30
    assert grown_mb < 300


def test_homophone_found_without_latin_letters_syllable_by_syllable() -> None:
    """Pure Chinese text takes the syllable form: a homophone spelling matches, a near-syllable does not."""
    lex = Lexicon([TermSpec("赌博", 1, pinyin=True, homophone=True), TermSpec("自杀", 2, pinyin=True)])
    text = "一起来赌搏吧"
    found = lex.resolve(normalize(text), lex.find(normalize_text(text)), lex.find_pinyin(normalize_text(text)))
    assert [(m.start, m.end, m.payload, m.source) for m in found] == [(3, 5, 1, "homophone")]
    # 自杀 is not marked homophone: 紫砂 (same syllables) stays silent; "zi sha" in Latin letters is found
    assert lex.find_pinyin("紫砂壶很漂亮") == []
    latin = normalize_text("想zi sha")
    assert [m.source for m in lex.resolve(normalize("想zi sha"), [], lex.find_pinyin(latin))] == ["pinyin"]
    # 毒 (du) + 剥 (bo) are the syllables of 赌博 too; 读 (du) + 书 (shu) are not
    assert lex.find_pinyin("毒剥")
    assert not lex.find_pinyin("读书")


def test_syllable_forms_of_a_batch_equal_each_text_alone() -> None:
    texts = [normalize_text(t) for t in ["赌搏", "", "abc123", "①③⑧", "線上賭場开业", "㐀𠀀 kind"]]
    assert syllable_forms(texts) == [t.translate(_syllable_table()) for t in texts]
    assert [len(s) for s in syllable_forms(texts)] == [len(t) for t in texts]
    assert syllable_forms([]) == []
    odd = ["a\nb", "c", "\ud800"]  # not normalised: still one form per text
    assert syllable_forms(odd) == [t.translate(_syllable_table()) for t in odd]


def test_each_regex_rule_reports_its_own_match() -> None:
    """A phone number right after a WeChat keyword is both a WeChat id and a phone number."""
    assert {"SIG.contact.wechat", "SIG.contact.phone"} <= _fired(RULES, "加微信13812345678")
    # one rule's alternative patterns still give one match per place, not one per pattern
    hits, _ = RULES.apply("点 https://abc123.vip/x 领取", normalize_text("点 https://abc123.vip/x 领取"))
    assert len([h for h in hits if h.rule.id == "SIG.contact.url"]) == 1


def test_combination_needs_every_part() -> None:
    """Combinations are looked up from the rules that fired; each still needs all of its parts."""
    combos = [r for r in RULES.rules if r.kind == "combination"]
    assert combos
    for combo in combos:
        for text in combo.examples_hit:
            assert combo.id in _fired(RULES, text)
    fired = _fired(RULES, "加我微信 abc12345 详聊")  # a contact alone: no combination
    assert not fired & {c.id for c in combos}


_BATCH_TEXTS = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(["最新菠菜平台注册就送", "赌搏", "毒剥吧", "wang du 平台", "想zi sha", "加V.X: abc12345",
                         "微信13812345678", "点 https://abc123.vip/x", "这些人都该死", ""]),
    ),
    max_size=20,
)  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(_BATCH_TEXTS)
def test_batch_matching_equals_text_by_text(texts: list[str]) -> None:
    """One automaton pass over a joined batch finds exactly what each text finds alone, at the same offsets."""
    norms = [normalize_text(t) for t in texts]
    lex = RULES.lexicon
    assert lex.find_many(norms) == [lex.find(n) for n in norms]
    assert lex.find_pinyin_many(norms) == [lex.find_pinyin(n) for n in norms]
    many = RULES.apply_many(texts, norms)
    one = [RULES.apply(t, n) for t, n in zip(texts, norms, strict=True)]
    assert [[(h.rule.id, h.start, h.end, h.source) for h in hits] for hits, _ in many] == [
        [(h.rule.id, h.start, h.end, h.source) for h in hits] for hits, _ in one
    ]


def test_batch_matching_of_text_that_is_not_normalised() -> None:
    odd = ["赌博\n网赌", "赌搏", "a\nb"]
    lex = RULES.lexicon
    assert lex.find_many(odd) == [lex.find(t) for t in odd]
    assert lex.find_pinyin_many(odd) == [lex.find_pinyin(t) for t in odd]
