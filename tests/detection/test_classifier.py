"""TextModel: training, pickle-free round trip, reproducibility, thresholds, calibration, explanations."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from youthsafe.detection.classifier import DEFAULT_MODEL_DIR, RISK_LABEL, TextModel, load_default_model
from youthsafe.detection.evaluation import predict_labels
from youthsafe.detection.features import NgramSpace
from youthsafe.detection.normalize import normalize_text
from youthsafe.detection.training import TrainConfig, train_category, train_risk
from youthsafe.detection.word_features import WordVocabulary

BAD = ["你这个垃圾滚出去", "傻子闭嘴吧", "垃圾东西滚", "去死吧傻子", "滚你这个蠢货", "蠢货垃圾傻子"]
GOOD = ["今天天气很好", "我们去公园散步", "这本书很好看", "谢谢你的帮助", "晚饭吃了面条", "周末一起去看电影"]
TEXTS = [normalize_text(t) for t in (BAD + GOOD) * 4]
LABELS = ([["1"]] * 6 + [["0"]] * 6) * 4
CFG = TrainConfig(min_df=1, folds=3, c=10.0)


@pytest.fixture(scope="module")
def model() -> TextModel:
    return train_category(TEXTS, LABELS, multi_label=False, cfg=CFG)


def test_ngram_space_matches_sklearn_counts() -> None:
    space = NgramSpace.fit(TEXTS, n_max=3, min_df=2, max_features=None)
    ref = CountVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, lowercase=False).fit(TEXTS)
    assert len(space) == len(ref.vocabulary_)
    assert space.counts(TEXTS).sum() == ref.transform(TEXTS).sum()


def test_predicts_offensive_and_safe(model: TextModel) -> None:
    probs = model.predict_proba([normalize_text("滚吧垃圾傻子"), normalize_text("今天去公园看书")])
    assert probs.shape == (2, 2)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert probs[0, 1] > 0.5 > probs[1, 1]
    assert model.predict_risk(["x"]) is None


def test_thresholds_cover_labels_and_drive_decisions(model: TextModel) -> None:
    assert set(model.thresholds) == {"0", "1"}
    assert all(0.0 <= t <= 1.0 for t in model.thresholds.values())
    probs = np.array([[0.0, model.thresholds["1"]], [1.0, model.thresholds["1"] - 0.01]], dtype=np.float32)
    assert predict_labels(model, probs)[:, 1].tolist() == [True, False]


def test_calibration_is_sane(model: TextModel) -> None:
    probs = model.predict_proba(TEXTS)[:, 1]
    y = np.array([lab == ["1"] for lab in LABELS])
    assert probs[y].mean() > 0.7
    assert probs[~y].mean() < 0.3
    assert model.meta["metrics"]["accuracy"] >= 0.9


def test_save_load_round_trip_without_pickle(model: TextModel, tmp_path: Path) -> None:
    model.save(tmp_path / "m")
    files = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert files == ["arrays.npz", "model.json"]
    with zipfile.ZipFile(tmp_path / "m" / "arrays.npz") as zf:
        assert all(n.endswith(".npy") for n in zf.namelist())
    with np.load(tmp_path / "m" / "arrays.npz", allow_pickle=False) as npz:
        assert all(npz[name].dtype != object for name in npz.files)
    doc = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    for key in (
        "version",
        "task",
        "labels",
        "thresholds",
        "features",
        "seed",
        "metrics",
        "created",
        "training",
    ):
        assert key in doc
    assert len(doc["training"]["data_sha256"]) == 64
    loaded = TextModel.load(tmp_path / "m")
    assert loaded.version == model.version
    assert loaded.labels == model.labels
    assert np.allclose(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))


def test_same_seed_gives_byte_identical_weights(tmp_path: Path) -> None:
    a = train_category(TEXTS, LABELS, multi_label=False, cfg=CFG)
    b = train_category(TEXTS, LABELS, multi_label=False, cfg=CFG)
    assert a.weights_digest() == b.weights_digest()
    a.save(tmp_path / "a")
    b.save(tmp_path / "b")
    with np.load(tmp_path / "a" / "arrays.npz") as x, np.load(tmp_path / "b" / "arrays.npz") as y:
        assert all(x[n].tobytes() == y[n].tobytes() for n in x.files)


def test_explain_spans_are_valid(model: TextModel) -> None:
    text = normalize_text("你这个傻子，今天天气很好")
    spans = model.explain(text, "1", k=3)
    assert 0 < len(spans) <= 3
    weights = [w for _, _, w in spans]
    assert weights == sorted(weights, reverse=True)
    for start, end, weight in spans:
        assert 0 <= start < end <= len(text)
        assert weight > 0
    assert any("傻" in text[s:e] for s, e, _ in spans)
    assert model.explain("", "1") == []
    with pytest.raises(KeyError):
        model.explain(text, "nope")


def test_multi_label_and_batch_of_unknown_text() -> None:
    texts = [
        normalize_text(t) for t in ["买卖银行卡", "出租银行卡", "代考包过", "替考代考", "今天好开心", "吃饭了"] * 3
    ]
    labels = [["A17"], ["A17"], ["A15"], ["A15"], [], []] * 3
    model = train_category(texts, labels, multi_label=True, cfg=CFG)
    assert model.labels == ["A15", "A17"]
    probs = model.predict_proba(["银行卡出租", "zzzz", ""])
    assert probs.shape == (3, 2)
    assert probs[0, 1] > probs[0, 0]


def test_risk_head_predicts_levels() -> None:
    texts = [
        normalize_text(t) for t in ["今天很开心", "有点累", "不想活了", "活着没意思想死", "吃了饭", "想结束一切"] * 4
    ]
    levels = [0.0, 2.0, 8.0, 9.0, 0.0, 8.0] * 4
    model = train_risk(texts, levels, cfg=CFG)
    risk = model.predict_risk([normalize_text("不想活了"), normalize_text("今天很开心")])
    assert risk is not None
    assert 0.0 <= risk[1] < 5.0 < risk[0] <= 10.0
    assert model.predict_proba(["x"]).shape == (1, 0)
    assert model.explain(normalize_text("不想活了"), RISK_LABEL)
    assert {"accuracy", "macro_f1", "binary", "mae"} <= set(model.meta["metrics"])


def _risk_set() -> tuple[list[str], list[float]]:
    """60 texts whose levels a ridge regressor compresses toward their mean (enough for a calibration)."""
    rows = [("今天很开心", 0.0), ("吃了饭", 0.0), ("周末去爬山", 0.0), ("有点累", 2.0), ("不想活了", 8.0),
            ("活着没意思想死", 9.0)] * 10  # fmt: skip
    return [normalize_text(t) for t, _ in rows], [lv for _, lv in rows]


def test_risk_calibration_lowers_levels_and_never_raises_them(tmp_path: Path) -> None:
    texts, levels = _risk_set()
    plain = train_risk(texts, levels, cfg=TrainConfig(min_df=1, folds=3, calibrate_risk=False))
    calibrated = train_risk(texts, levels, cfg=TrainConfig(min_df=1, folds=3))
    assert plain.risk_calibration is None
    assert calibrated.risk_calibration is not None
    x, y = calibrated.risk_calibration
    assert np.all(np.diff(x) >= 0)
    assert np.all(np.diff(y) >= 0)
    probe = [normalize_text(t) for t in ["今天很开心", "吃了饭", "有点累", "不想活了", "活着没意思想死"]]
    raw, mapped = plain.predict_risk(probe), calibrated.predict_risk(probe)
    assert raw is not None
    assert mapped is not None
    assert np.all(mapped <= raw + 1e-6)  # lowering only: the model alone never raises a level
    assert mapped[0] < raw[0]  # ordinary text the regressor pulled up toward the mean comes back down
    assert round(float(mapped[0])) == 0
    # Cross-fitted metrics, with the uncalibrated ones beside them.
    assert calibrated.meta["metrics"]["mae"] <= calibrated.meta["metrics"]["uncalibrated"]["mae"]
    assert "risk_calibration" in calibrated.meta
    # The map is part of the model: saved, loaded, and in the version digest.
    calibrated.save(tmp_path / "m")
    loaded = TextModel.load(tmp_path / "m")
    assert loaded.risk_calibration is not None
    assert np.array_equal(loaded.predict_risk(probe), mapped)
    plain.save(tmp_path / "p")
    assert TextModel.load(tmp_path / "p").risk_calibration is None
    assert loaded.version != TextModel.load(tmp_path / "p").version


def test_risk_calibration_needs_enough_heldout_predictions() -> None:
    texts, levels = _risk_set()
    model = train_risk(texts[:24], levels[:24], cfg=TrainConfig(min_df=1, folds=3))
    assert model.risk_calibration is None
    assert "uncalibrated" not in model.meta["metrics"]


def test_default_model_puts_ordinary_text_at_level_zero() -> None:
    """The default risk head treats the levels as classes (trained with 20,000 ordinary posts at level 0), so
    ordinary text lands on level 0 itself, with no calibration map to pull it down."""
    model = load_default_model()
    assert model is not None
    assert model.risk_levels is not None
    assert model.alert is not None
    ordinary = ["今天天气很好，我们去公园散步吧", "这个游戏真好玩", "晚饭吃了面条，作业写完了",
                "周末和同学一起去图书馆", "明天要考试了，复习一下", "这家店的奶茶很好喝",
                "我们班今天大扫除"]  # fmt: skip
    levels = model.predict_risk([normalize_text(t) for t in ordinary])
    assert levels is not None
    assert sum(round(float(v)) == 0 for v in levels) >= 6, levels
    assert max(levels.tolist()) < 4


def test_default_model_loads_and_predicts() -> None:
    model = load_default_model()
    assert model is not None
    assert model.task == "category+risk-level"
    assert model.category is not None
    assert model.risk is not None
    texts = [normalize_text("不想活了，明天就从楼上跳下去"), normalize_text("今天的数学作业好难")]
    probs, risk = model.predict_both(texts)
    assert probs.shape == (2, len(model.labels))
    assert risk is not None
    assert risk[0] > risk[1]
    assert sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir()) < 3_000_000


def test_default_model_alone_flags_few_identity_neutral_posts() -> None:
    """The model alone, before the engine's guards: measured 4 of 307 (1.3%: clothes read as B08, a church's
    "组织" as A08, an idol's fan as B06, a city as B09), each of which the engine withdraws (tests/detection/
    test_engine.py asserts that the engine flags none). The bound catches a model that learnt group names."""
    model = load_default_model()
    assert model is not None
    path = Path(__file__).resolve().parents[1] / "data" / "identity_neutral.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    probs, risk = model.predict_both([normalize_text(r["text"]) for r in rows])
    assert risk is not None
    flagged = predict_labels(model, probs).any(axis=1) | (risk >= 6)
    assert flagged.mean() <= 0.02, [rows[i]["text"] for i in np.flatnonzero(flagged)]


def test_word_features_round_trip_and_explain(tmp_path: Path) -> None:
    cfg = TrainConfig(min_df=1, folds=3, c=10.0, words=True, word_min_df=1)
    model = train_category(TEXTS, LABELS, multi_label=False, cfg=cfg)
    assert model.words is not None
    assert "垃圾" in model.words.words
    assert model.category is not None
    assert model.category.weights.shape[0] == len(model.space) + len(model.words)
    model.save(tmp_path / "m")
    with np.load(tmp_path / "m" / "arrays.npz", allow_pickle=False) as npz:
        assert {"words.chars", "words.offsets"} <= set(npz.files)
    assert json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))["features"]["words"] > 0
    loaded = TextModel.load(tmp_path / "m")
    assert loaded.words is not None
    assert loaded.words.words == model.words.words
    assert np.array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))
    text = normalize_text("你这个垃圾")
    spans = loaded.explain(text, "1", k=50)
    assert (3, 5) in [(s, e) for s, e, _ in spans]  # the word 垃圾 is evidence of its own
    vocab = WordVocabulary(["垃圾", "圾东"])  # overlapping matches both count; texts never leak into each other
    counts = vocab.counts(["垃圾东西", "", "垃", "圾东垃圾"]).toarray()
    assert counts.tolist() == [[1, 1], [0, 0], [0, 0], [1, 1]]
    arrays = vocab.arrays()
    assert WordVocabulary.from_arrays(arrays["chars"], arrays["offsets"]).words == vocab.words


def test_explain_batch_matches_explain(model: TextModel) -> None:
    texts = [normalize_text(t) for t in ["你这个傻子，今天天气很好", "", "垃圾东西滚", "今天去公园看书"]]
    asked: list[list[str]] = [["1", "0"], ["1"], [], ["1"]]
    batch = model.explain_batch(texts, asked, k=3)
    assert [sorted(b) for b in batch] == [["0", "1"], ["1"], [], ["1"]]
    for text, labels, got in zip(texts, asked, batch, strict=True):
        for label in labels:
            assert got[label] == model.explain(text, label, k=3)
