"""``youthsafe model train`` selects among candidates by cross-validation and never loses to the plain baseline.

The baseline (character 1-3-gram TF-IDF + logistic regression, C=1) is always a candidate, the choice and every
candidate's cross-validated figures are in model.json, and a risk model treats the levels as classes with an
alert operating point. The data are small files written here; the baseline is rebuilt with scikit-learn's own
vectorizer as an independent check of the figures.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline

from youthsafe.detection.classifier import TextModel
from youthsafe.detection.model_commands import main
from youthsafe.detection.selection import BASELINE, candidates
from youthsafe.detection.training import TrainConfig, train_risk

PLAN = ["药已经攒够了", "遗书写好了放在抽屉里", "今晚在天台结束这一切", "明天凌晨就走了", "东西都送人了，周五就走"]
WISH = ["真的不想活了", "好想死啊", "活着好累不想再醒来", "死了就解脱了吧", "我想消失"]
LOW = ["今天考试好难", "累死了搬了一天宿舍", "笑死我了这个视频", "晚饭吃什么好呢", "周末去看电影", "作业好多烦"]


def _risk_rows(seed: int = 0) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    tails = ["", "。", "……", "，算了", "，就这样吧", "！", "，真的", "，谁懂"]
    for level, texts in ((8, PLAN), (4, WISH), (0, LOW)):
        for text in texts:
            for tail in rng.sample(tails, 5):
                rows.append({"text": text + tail, "level": level})
    return rows


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_baseline_is_always_a_candidate_for_every_task() -> None:
    base = TrainConfig(c=3.0, min_df=2)
    for task, multi in (("category", False), ("category", True), ("risk-level", False)):
        tried = candidates(task, base, multi_label=multi)
        first = tried[0]
        assert first.name.startswith(BASELINE)
        assert (first.cfg.n_max, first.cfg.min_df, first.cfg.c, first.cfg.sublinear_tf) == (3, 1, 1.0, False)
        assert first.cfg.softmax == (task == "category" and not multi)
        assert len({c.name for c in tried}) == len(tried) >= 4


def test_risk_training_selects_and_records_the_choice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write(tmp_path / "risk.jsonl", _risk_rows())
    out = tmp_path / "m"
    rc = main(["model", "train", str(data), "--text-field", "text", "--label-field", "level",
               "--task", "risk-level", "--out", str(out), "--folds", "3"])  # fmt: skip
    assert rc == 0
    doc = json.loads((out / "model.json").read_text(encoding="utf-8"))
    selection = doc["selection"]
    names = [row["name"] for row in selection["candidates"]]
    assert names[0].startswith(BASELINE)
    assert selection["chosen"] in names
    scores = {row["name"]: row["score"] for row in selection["candidates"]}
    assert scores[selection["chosen"]] == max(scores.values())  # the best cross-validated score wins
    assert scores[selection["chosen"]] >= scores[names[0]]  # never below the baseline
    assert "saved" in capsys.readouterr().err
    model = TextModel.load(out)
    if model.risk_levels is not None:  # a classes model: levels seen in training, an alert operating point
        assert model.risk_levels.tolist() == [0, 4, 8]
        assert model.alert is not None
        assert model.alert[0] == 6
        assert 0.0 < model.alert[1] <= 1.0


def test_risk_classes_round_trip_and_decide_by_operating_point(tmp_path: Path) -> None:
    data = _write(tmp_path / "risk.jsonl", _risk_rows())
    out = tmp_path / "m"
    rc = main(["model", "train", str(data), "--text-field", "text", "--label-field", "level", "--task",
               "risk-level", "--out", str(out), "--folds", "3", "--candidates", "given", "--min-df", "1"])  # fmt: skip
    assert rc == 0
    model = TextModel.load(out)
    assert model.risk_levels is None  # "given": the project's ridge regressor only
    rows = _risk_rows()
    texts, levels = [str(r["text"]) for r in rows], [float(r["level"]) for r in rows]  # type: ignore[arg-type]
    classes = train_risk(texts, levels, cfg=TrainConfig(min_df=1, c=10.0, folds=3, risk_classes=True))
    classes.save(tmp_path / "classes")
    again = TextModel.load(tmp_path / "classes")
    assert again.version == classes.version
    assert again.alert == classes.alert
    probe = ["药已经攒够了，今晚就走", "今天天气不错"]
    assert np.array_equal(again.predict_risk(probe), classes.predict_risk(probe))
    high, low = again.predict_risk(probe).tolist()  # type: ignore[union-attr]
    assert high >= 6 > low
    probs = again.predict_risk_proba(probe)
    assert probs is not None
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    # The operating point decides the alert: a threshold above every probability keeps every text low.
    again.alert = (6, 1.01)
    assert max(again.predict_risk(probe).tolist()) < 6  # type: ignore[union-attr]
    metrics = classes.meta["metrics"]
    assert {"weighted_f1", "binary", "argmax"} <= set(metrics)


def test_category_selection_is_at_least_the_sklearn_baseline(tmp_path: Path) -> None:
    """On a 3-class task with noisy features, the chosen candidate's cross-validated macro-F1 is at least that
    of an independent TfidfVectorizer(char, 1-3) + LogisticRegression on the same folds' data."""
    rng = random.Random(3)
    words = {
        "gamble": ["下注", "百家乐", "返水", "充值", "彩金", "上岸"],
        "fraud": ["刷单", "返利", "垫付", "佣金", "客服", "退款"],
        "none": ["吃饭", "上课", "电影", "天气", "作业", "散步"],
    }
    filler = list("的了是我你他在有不这那就也都和很")
    every = [w for vocab in words.values() for w in vocab]
    rows = []
    for label, vocab in words.items():
        for _ in range(40):
            parts = rng.sample(vocab, 2) + rng.sample(filler, 4) + rng.sample(every, 1)
            rng.shuffle(parts)
            rows.append({"text": "".join(parts), "label": label})
    data = _write(tmp_path / "c.jsonl", rows)
    out = tmp_path / "m"
    assert main(["model", "train", str(data), "--text-field", "text", "--label-field", "label", "--out", str(out),
                 "--folds", "5"]) == 0  # fmt: skip
    doc = json.loads((out / "model.json").read_text(encoding="utf-8"))
    chosen = next(r for r in doc["selection"]["candidates"] if r["name"] == doc["selection"]["chosen"])
    texts, labels = [str(r["text"]) for r in rows], [str(r["label"]) for r in rows]
    plain = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LogisticRegression(max_iter=2000))
    pred = cross_val_predict(plain, texts, labels, cv=5)
    sklearn_macro = f1_score(labels, pred, average="macro")
    assert chosen["metrics"]["macro_f1"] >= sklearn_macro - 0.03  # same task, folds differ slightly
    assert chosen["score"][0] >= doc["selection"]["candidates"][0]["score"][0]


def test_quantized_model_predicts_as_saved(tmp_path: Path) -> None:
    """A model saved with int8 weights predicts after loading exactly what it predicted once saved, and close to
    the float weights it was trained with."""
    rows = _risk_rows()
    texts, levels = [str(r["text"]) for r in rows], [float(r["level"]) for r in rows]  # type: ignore[arg-type]
    model = train_risk(texts, levels, cfg=TrainConfig(min_df=1, c=10.0, folds=3, risk_classes=True))
    probe = ["药已经攒够了，今晚就走", "今天天气不错", "好想消失"]
    before = model.predict_risk_proba(probe)
    model.quantized = True
    model.save(tmp_path / "q")
    again = TextModel.load(tmp_path / "q")
    assert again.quantized
    assert np.array_equal(again.predict_risk_proba(probe), model.predict_risk_proba(probe))
    assert np.abs(again.predict_risk_proba(probe) - before).max() < 0.02  # type: ignore[operator]
    assert (tmp_path / "q" / "arrays.npz").stat().st_size < 200_000
