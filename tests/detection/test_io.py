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


def test_lines_over_the_limit_and_bytes_that_are_not_utf8_are_bad_lines_and_the_reader_keeps_its_place(
    tmp_path: Path,
) -> None:
    """A line over ``max_line_bytes`` is skipped unread (its size in the reason), in JSONL and in CSV, also when it
    opens a quoted cell that the next line closes; in CSV as in JSONL a byte that is not UTF-8 makes a bad line
    (it was read as U+FFFD and the row kept)."""
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes(b'{"text": "a"}\n{"text": "' + b"x" * 200 + b'"}\n{"text": "b"}\n')
    items = list(read_records(jsonl, fields=["text"], required=["text"], max_line_bytes=100))
    assert items[1] == BadLine(2, "line longer than 100 bytes (212 bytes)", '{"text": "' + "x" * 90)
    assert [i.values["text"] for i in items if isinstance(i, Record)] == ["a", "b"]
    table = tmp_path / "in.csv"
    table.write_bytes(b'id,text\n1,a\n2,"' + b"y" * 200 + b'\nstill the cell",x\n3,"b\xff"\n4,c\n')
    items = list(read_records(table, fields=["id", "text"], required=["text"], max_line_bytes=100))
    assert [(i.line, i.reason) for i in items if isinstance(i, BadLine)] == [
        (3, "line longer than 100 bytes (203 bytes)"), (5, "not valid UTF-8 (byte 4)")]
    assert [i.values["id"] for i in items if isinstance(i, Record)] == ["1", "4"]
