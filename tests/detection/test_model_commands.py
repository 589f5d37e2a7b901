"""``youthsafe model train`` / ``model evaluate`` on small files the tests write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from youthsafe.detection.model_commands import main

BAD = ["你这个垃圾滚出去", "傻子闭嘴吧", "垃圾东西滚", "去死吧傻子", "滚你这个蠢货", "蠢货垃圾傻子"]
GOOD = ["今天天气很好", "我们去公园散步", "这本书很好看", "谢谢你的帮助", "晚饭吃了面条", "周末一起去看电影"]


def _write_jsonl(path: Path, rows: list[dict[str, object]], extra: str = "") -> Path:
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n" + extra, encoding="utf-8"
    )
    return path


def _category_rows() -> list[dict[str, object]]:
    return [{"text": t, "label": 1} for t in BAD * 3] + [{"text": t, "label": "0"} for t in GOOD * 3]


def test_train_then_evaluate_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write_jsonl(tmp_path / "train.jsonl", _category_rows())
    out = tmp_path / "model"
    args = ["model", "train", str(data), "--text-field", "text", "--label-field", "label", "--min-df", "1"]
    assert main([*args, "--out", str(out), "--folds", "3"]) == 0
    assert (out / "model.json").exists()
    capsys.readouterr()
    rc = main(["model", "evaluate", "--model", str(out), str(data), "--text-field", "text",
               "--label-field", "label", "--json"])  # fmt: skip
    assert rc == 0
    report = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "weighted_f1", "per_label"} <= set(report)
    assert set(report["per_label"]) == {"0", "1"}
    assert set(report["per_label"]["1"]) == {"precision", "recall", "f1", "support"}
    assert report["accuracy"] >= 0.9


def test_bad_lines_are_reported_and_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write_jsonl(
        tmp_path / "t.jsonl", _category_rows(), extra='{"text": "x"}\nnot json\n{"text": 5, "label": 1}\n'
    )
    rc = main(["model", "train", str(data), "--text-field", "text", "--label-field", "label",
               "--out", str(tmp_path / "m"), "--min-df", "1", "--folds", "3"])  # fmt: skip
    assert rc == 3
    err = capsys.readouterr().err
    assert ":37: skipped: missing required field 'label'" in err
    assert ":38: skipped: not valid JSON" in err
    assert ":39: skipped" in err
    rc = main(["model", "evaluate", "--model", str(tmp_path / "m"), str(data), "--text-field", "text",
               "--label-field", "label", "--json"])  # fmt: skip
    assert rc == 3


def test_unusable_input_exits_2_with_one_line_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "missing.jsonl")
    rc = main(["model", "train", missing, "--text-field", "text", "--label-field", "l",
               "--out", str(tmp_path / "m")])  # fmt: skip
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert "not found" in err
    assert len(err.splitlines()) == 1
    csv_path = tmp_path / "x.csv"
    csv_path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["model", "train", str(csv_path), "--text-field", "text", "--label-field", "label",
                 "--out", str(tmp_path / "m")]) == 2  # fmt: skip
    assert main(["model", "evaluate", "--model", str(tmp_path / "nope"), str(csv_path), "--text-field", "a",
                 "--label-field", "b"]) == 2  # fmt: skip


def test_csv_with_bom_and_risk_level_task(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        ("今天很开心", 0),
        ("有点累", 2),
        ("不想活了", 8),
        ("活着没意思想死", 9),
        ("吃了饭", 0),
        ("想结束一切", 8),
    ]
    lines = ["\ufefftext,level"] + [f"{t},{lv}" for t, lv in rows * 4] + ["坏行,eleven"]
    path = tmp_path / "risk.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "risk"
    rc = main(["model", "train", str(path), "--text-field", "text", "--label-field", "level", "--task",
               "risk-level", "--out", str(out), "--min-df", "1", "--folds", "3"])  # fmt: skip
    assert rc == 3
    capsys.readouterr()
    rc = main(["model", "evaluate", "--model", str(out), str(path), "--text-field", "text", "--label-field",
               "level", "--json"])  # fmt: skip
    assert rc == 3
    report = json.loads(capsys.readouterr().out)
    assert report["task"] == "risk-level"
    assert {"accuracy", "macro_f1", "weighted_f1", "per_label", "binary"} <= set(report)
    assert set(report["binary"]) == {"precision", "recall", "f1", "support"}


def test_multi_label_reviewer_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"text": t, "labels": lab} for t, lab in
            [("买卖银行卡", ["A17"]), ("出租银行卡", ["A17"]), ("代考包过", ["A15"]), ("替考代考", ["A15"]),
             ("今天好开心", []), ("吃饭了", [])] * 3]  # fmt: skip
    data = _write_jsonl(tmp_path / "reviewed.jsonl", rows)
    rc = main(["model", "train", str(data), "--text-field", "text", "--label-field", "labels",
               "--multi-label", "--out", str(tmp_path / "m"), "--min-df", "1", "--folds", "3"])  # fmt: skip
    assert rc == 0
    capsys.readouterr()
    assert main(["model", "evaluate", "--model", str(tmp_path / "m"), str(data), "--text-field", "text",
                 "--label-field", "labels", "--json"]) == 0  # fmt: skip
    assert set(json.loads(capsys.readouterr().out)["per_label"]) == {"A15", "A17"}


def test_train_with_word_features(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write_jsonl(tmp_path / "train.jsonl", _category_rows())
    out = tmp_path / "model"
    rc = main(["model", "train", str(data), "--text-field", "text", "--label-field", "label", "--min-df", "1",
               "--folds", "3", "--features", "char+word", "--candidates", "given", "--out", str(out)])  # fmt: skip
    assert rc == 0
    doc = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert doc["features"]["kind"] == "char-ngram+word"
    assert doc["features"]["words"] > 0
    capsys.readouterr()
    rc = main(["model", "evaluate", "--model", str(out), str(data), "--text-field", "text",
               "--label-field", "label", "--json"])  # fmt: skip
    assert rc == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] >= 0.9


@pytest.mark.parametrize(("flag", "calibrated"), [([], True), (["--no-risk-calibration"], False)])
def test_risk_training_calibrates_unless_asked_not_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: list[str], calibrated: bool
) -> None:
    rows = [("今天很开心", 0), ("吃了饭", 0), ("周末去爬山", 0), ("有点累", 2), ("不想活了", 8), ("活着没意思想死", 9)]
    path = tmp_path / "risk.csv"
    path.write_text("\n".join(["text,level"] + [f"{t},{lv}" for t, lv in rows * 10]) + "\n", encoding="utf-8")
    out = tmp_path / "m"
    rc = main(["model", "train", str(path), "--text-field", "text", "--label-field", "level", "--task",
               "risk-level", "--out", str(out), "--min-df", "1", "--folds", "3", "--candidates", "given",
               *flag])  # fmt: skip
    assert rc == 0, capsys.readouterr()
    doc = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert ("risk_calibration" in doc) is calibrated
    assert ("uncalibrated" in doc["metrics"]) is calibrated
    assert doc["training"]["config"]["calibrate_risk"] is calibrated
