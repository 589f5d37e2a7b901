"""Record reader: JSONL, CSV/TSV with BOM, stdin, bad lines with reasons, missing input."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from youthsafe.detection.io import BadLine, InputError, Record, read_records


def _read(path: Path | str, **kw: object) -> list[Record | BadLine]:
    return list(read_records(path, fields=["id", "text"], required=["text"], **kw))  # type: ignore[arg-type]


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    p = tmp_path / "in.jsonl"
    p.write_bytes(
        b'\xef\xbb\xbf{"id": 1, "text": "a"}\n\n'
        b"not json\n[1]\n"
        b'{"id": 2}\n{"text": 5}\n{"text": null}\n\xff\xfe\n{"id": "x", "text": "b", "extra": 1}\n'
    )
    rows = _read(p)
    assert rows[0] == Record(1, {"id": 1, "text": "a"})
    bad = {r.line: r.reason for r in rows if isinstance(r, BadLine)}
    assert "not valid JSON" in bad[3]
    assert "JSON object" in bad[4]
    assert "missing required field 'text'" in bad[5]
    assert "must be a string" in bad[6]
    assert "missing" in bad[7]
    assert "UTF-8" in bad[8]
    assert rows[-1] == Record(9, {"id": "x", "text": "b"})


def test_csv_with_bom_and_multiline_cell(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    p.write_text('\ufeffid,text\n1,你好\n2,"多\n行"\n3\n\n', encoding="utf-8")
    rows = _read(p)
    assert rows[0] == Record(2, {"id": "1", "text": "你好"})
    assert rows[1] == Record(3, {"id": "2", "text": "多\n行"})
    assert isinstance(rows[2], BadLine)
    assert rows[2].line == 5


def test_tsv(tmp_path: Path) -> None:
    p = tmp_path / "in.TSV"
    p.write_text("id\ttext\n1\thi\n", encoding="utf-8")
    assert _read(p) == [Record(2, {"id": "1", "text": "hi"})]


def test_csv_missing_column(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    p.write_text("id,body\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="'text'"):
        _read(p)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_records(tmp_path / "nope.jsonl", fields=["text"], required=["text"])
    with pytest.raises(InputError, match="directory"):
        read_records(tmp_path, fields=["text"], required=["text"])


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(b'{"text": "x"}\n'), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    assert _read("-") == [Record(1, {"text": "x"})]


def test_text_fields_override(tmp_path: Path) -> None:
    p = tmp_path / "in.jsonl"
    p.write_text('{"text": "a", "label": 3}\n', encoding="utf-8")
    rows = list(read_records(p, fields=["text", "label"], required=["text", "label"]))
    assert rows == [Record(1, {"text": "a", "label": 3})]
    rows = list(read_records(p, fields=["text"], required=["text", "label"], text_fields=["label"]))
    assert isinstance(rows[0], BadLine)


def test_a_number_past_the_digit_limit_and_an_oversize_csv_cell_are_bad_lines(tmp_path: Path) -> None:
    """Found by fuzzing: both raised out of the reader (ValueError, csv.Error) and ended the whole run."""
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"text": "a", "n": ' + "1" * 5000 + '}\n{"text": "b"}\n', encoding="utf-8")
    items = _read(jsonl)
    assert isinstance(items[0], BadLine)
    assert "too many digits" in items[0].reason
    assert isinstance(items[1], Record)
    table = tmp_path / "in.csv"
    table.write_text('text\n"' + "x" * 200_000 + '"\nnext\n', encoding="utf-8")
    items = _read(table)
    assert isinstance(items[0], BadLine)
    assert "unreadable CSV line" in items[0].reason
    assert [i.values["text"] for i in items if isinstance(i, Record)] == ["next"]
