"""The scan command: output contract, bad lines and exit codes (0 ok, 3 bad lines, 2 unusable)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from youthsafe.detection.commands import EXIT_BAD_LINES, EXIT_OK, EXIT_UNUSABLE, main, register


def _run(tmp_path: Path, content: str, name: str = "in.jsonl", *extra: str) -> tuple[int, list[dict[str, object]]]:
    src = tmp_path / name
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = main(["scan", str(src), "--no-model", "--output", str(out), "--batch-size", "2", *extra])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return code, rows


def test_scan_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        {"id": "p1", "text": "最新菠菜平台注册就送"},
        {"id": "p2", "text": "今天天气真好"},
        {"id": "p3", "text": "遗书写好了，今晚就吃安眠药"},
    ]
    code, rows = _run(tmp_path, "\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    assert code == EXIT_OK
    assert [r["id"] for r in rows] == ["p1", "p2", "p3"]
    assert [r["flagged"] for r in rows] == [True, False, True]
    assert rows[2]["risk_level"] >= 8
    for key in ("categories", "evidence", "rules_fired", "model_version", "risk_level"):
        assert key in rows[0]
    assert "scanned 3 posts, flagged 2, bad lines 0" in capsys.readouterr().err


def test_bad_lines_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, rows = _run(tmp_path, '{"id": 1, "text": "hi"}\nnot json\n{"id": 3}\n')
    assert code == EXIT_BAD_LINES
    assert len(rows) == 1
    err = capsys.readouterr().err
    assert "line 2: not valid JSON" in err
    assert "line 3: missing required field 'text'" in err


def test_csv_with_custom_fields(tmp_path: Path) -> None:
    code, rows = _run(tmp_path, "\ufeff,TEXT\n7,刷单返利兼职日结\n", "in.csv", "--text-field", "TEXT", "--id-field", "")
    assert code == EXIT_OK
    assert rows[0]["id"] == "7"
    assert rows[0]["flagged"]


def test_unusable_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(tmp_path / "missing.jsonl"), "--no-model"]) == EXIT_UNUSABLE
    assert "not found" in capsys.readouterr().err
    code, _ = _run(tmp_path, "id,body\n1,x\n", "in.csv")
    assert code == EXIT_UNUSABLE
    assert main(["scan", str(tmp_path / "in.csv"), "--batch-size", "0"]) == EXIT_UNUSABLE
    assert main(["scan", str(tmp_path / "in.csv"), "--model", str(tmp_path / "nomodel")]) == EXIT_UNUSABLE


def test_register_sets_func() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["scan", "x.jsonl"])
    assert callable(args.func)
    assert args.text_field == "text"
    assert args.alert_level == 6
