"""Streaming readers for the scan and model commands: JSONL (default), CSV and TSV.

The readers never raise on bad *content*: each unusable line becomes a ``BadLine`` carrying its line number
and an English reason, so a run over millions of posts reports the few broken lines instead of dying. They
raise ``InputError`` only when the input as a whole is unusable (missing file, CSV without a needed column).
"""

from __future__ import annotations

import codecs
import csv
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["BadLine", "InputError", "Record", "read_records"]

_BOM = codecs.BOM_UTF8


class InputError(Exception):
    """The input cannot be read at all (missing file, unreadable, CSV header lacks a required column)."""


@dataclass(frozen=True, slots=True)
class Record:
    """One usable input line: its 1-based line number and the requested fields that were present."""

    line: int
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BadLine:
    """One unusable input line, with a human-readable English reason."""

    line: int
    reason: str


def read_records(
    path: str | Path,
    *,
    fields: Sequence[str],
    required: Sequence[str],
    text_fields: Sequence[str] | None = None,
) -> Iterator[Record | BadLine]:
    """Yield a ``Record`` or ``BadLine`` for every non-blank line of a JSONL, CSV or TSV input.

    ``path`` ending in ``.csv`` or ``.tsv`` (any case) is read as a table with a header row; ``-`` is JSONL
    on standard input; anything else is JSONL. A UTF-8 byte-order mark is ignored. ``fields`` are copied
    into ``Record.values`` when present; a line missing one of ``required`` (or holding ``null`` there) is a
    ``BadLine``. ``text_fields`` must hold strings; by default that is the first required field, which by
    convention is the text to scan.
    """
    wanted = list(dict.fromkeys([*fields, *required]))
    strings = list(required[:1] if text_fields is None else text_fields)
    if str(path) == "-":
        return _read_jsonl(sys.stdin.buffer, wanted, required, strings)
    p = Path(path)
    if not p.exists():
        raise InputError(f"input file not found: {p}")
    if p.is_dir():
        raise InputError(f"input is a directory, not a file: {p}")
    suffix = p.suffix.lower()
    if suffix in {".csv", ".tsv"}:
        return _read_table(p, "\t" if suffix == ".tsv" else ",", wanted, required, strings)
    return _read_jsonl_path(p, wanted, required, strings)


def _read_jsonl_path(
    p: Path, wanted: list[str], required: Sequence[str], strings: list[str]
) -> Iterator[Record | BadLine]:
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open {p}: {exc.strerror}") from exc
    with fh:
        yield from _read_jsonl(fh, wanted, required, strings)


def _read_jsonl(
    fh: IO[bytes], wanted: list[str], required: Sequence[str], strings: list[str]
) -> Iterator[Record | BadLine]:
    for lineno, raw in enumerate(fh, start=1):
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]  # noqa: PLW2901 - strip the BOM in place on the first line only
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield BadLine(lineno, f"not valid UTF-8 (byte {exc.start})")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield BadLine(lineno, f"not valid JSON: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            yield BadLine(lineno, "not valid JSON: nested too deeply")
            continue
        except ValueError:  # an integer past Python's 4,300-digit conversion limit
            yield BadLine(lineno, "not valid JSON: a number with too many digits")
            continue
        if not isinstance(obj, dict):
            yield BadLine(lineno, f"expected a JSON object, got {_json_type(obj)}")
            continue
        yield _check(lineno, obj, wanted, required, strings)


def _read_table(
    p: Path, delimiter: str, wanted: list[str], required: Sequence[str], strings: list[str]
) -> Iterator[Record | BadLine]:
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open {p}: {exc.strerror}") from exc
    with fh:
        # Undecodable bytes become U+FFFD rather than aborting the table: one bad cell must not lose the file.
        lines = _decoded_lines(fh)
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InputError(f"{p.name}: unreadable header: {exc}") from exc
        if header is None:
            return
        missing = [f for f in required if f not in header]
        if missing:
            raise InputError(f"{p.name}: header has no column {', '.join(repr(m) for m in missing)}")
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # a cell past the csv module's field limit; the reader goes on after it
                lineno, start = start, reader.line_num + 1
                yield BadLine(lineno, f"unreadable CSV line: {exc}")
                continue
            lineno, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield BadLine(lineno, f"expected {len(header)} columns, found {len(row)}")
                continue
            yield _check(lineno, dict(zip(header, row, strict=True)), wanted, required, strings)


def _decoded_lines(fh: IO[bytes]) -> Iterable[str]:
    for i, raw in enumerate(fh):
        text = raw.decode("utf-8", errors="replace")
        yield text.removeprefix("\ufeff") if i == 0 else text


def _check(
    lineno: int, obj: dict[str, Any], wanted: list[str], required: Sequence[str], strings: list[str]
) -> Record | BadLine:
    for name in required:
        if obj.get(name) is None:
            return BadLine(lineno, f"missing required field {name!r}")
    for name in strings:
        if name in obj and not isinstance(obj[name], str):
            return BadLine(lineno, f"field {name!r} must be a string, got {_json_type(obj[name])}")
    return Record(lineno, {name: obj[name] for name in wanted if name in obj})


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return "a string"
