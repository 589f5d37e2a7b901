"""Streaming readers for the scan and model commands: JSONL (default), CSV and TSV.

The readers never raise on bad *content*: each unusable line becomes a ``BadLine`` carrying its line number,
an English reason and what could be read of it, so a run over millions of posts reports the few broken lines
instead of dying. A line that is not UTF-8 is such a line in JSONL and CSV alike, and so is, when the caller
sets ``max_line_bytes``, a line longer than that: it is skipped unread, so no line costs more memory than the
limit. They raise ``InputError`` only when the input as a whole is unusable (missing file, CSV without a
needed column).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

__all__ = ["BadLine", "InputError", "Line", "Record", "read_lines", "read_records", "shown"]

_BOM = codecs.BOM_UTF8
_SKIP_CHUNK = 64 * 1024  # the rest of an over-long line is read and dropped this much at a time
PAYLOAD_CHARS = 10_000  # how much of a bad line a ``BadLine`` keeps


class InputError(Exception):
    """The input cannot be read at all (missing file, unreadable, CSV header lacks a required column)."""


@dataclass(frozen=True, slots=True)
class Record:
    """One usable input line: its 1-based line number and the requested fields that were present."""

    line: int
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BadLine:
    """One unusable input line, with a human-readable English reason and, for the dead-letter table, what
    could be read of it (``shown``: at most 10,000 characters, bytes that are not UTF-8 as ``\\xNN``)."""

    line: int
    reason: str
    payload: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line: its 1-based number, its bytes without the line ending (``end``) and its size in bytes
    without it. A line longer than the reader's limit has only its first ``limit`` bytes in ``data`` (``size``
    says how long it was); ``quotes`` counts its double quotes, all of them (how a CSV reader keeps its place
    past it)."""

    number: int
    data: bytes
    size: int
    quotes: int = 0
    end: bytes = b""

    def too_long(self, limit: int) -> bool:
        return self.size > limit


def read_lines(fh: IO[bytes], max_bytes: int | None = None) -> Iterator[Line]:
    """The lines of a binary file, each read whole up to ``max_bytes`` (no limit when None): a longer line is
    read on in small pieces that are dropped, so memory stays bounded whatever the input holds."""
    number = 0
    while True:
        raw = fh.readline() if max_bytes is None else fh.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        if max_bytes is None or raw.endswith(b"\n") or len(raw) <= max_bytes:
            end = b"\r\n" if raw.endswith(b"\r\n") else b"\n" if raw.endswith(b"\n") else b""
            data = raw[: len(raw) - len(end)]
            yield Line(number, data, len(data), data.count(b'"'), end)
            continue
        size, quotes, piece = len(raw), raw.count(b'"'), raw
        while piece and not piece.endswith(b"\n"):
            piece = fh.readline(_SKIP_CHUNK)
            size += len(piece)
            quotes += piece.count(b'"')
        end = b"\n" if piece.endswith(b"\n") else b""
        yield Line(number, raw[:max_bytes], size - len(end), quotes, end)


def shown(data: bytes) -> str:
    """A line's bytes as a ``BadLine`` payload: the first 10,000 characters, each byte that is not UTF-8 written
    as ``\\xNN``."""
    return data[:PAYLOAD_CHARS].decode("utf-8", errors="backslashreplace")[:PAYLOAD_CHARS]


def _too_long(line: Line, limit: int) -> str:
    return f"line longer than {limit} bytes ({line.size} bytes)"


def read_records(
    path: str | Path,
    *,
    fields: Sequence[str],
    required: Sequence[str],
    text_fields: Sequence[str] | None = None,
    max_line_bytes: int | None = None,
) -> Iterator[Record | BadLine]:
    """Yield a ``Record`` or ``BadLine`` for every non-blank line of a JSONL, CSV or TSV input.

    ``path`` ending in ``.csv`` or ``.tsv`` (any case) is read as a table with a header row; ``-`` is JSONL
    on standard input; anything else is JSONL. A UTF-8 byte-order mark is ignored. ``fields`` are copied
    into ``Record.values`` when present; a line missing one of ``required`` (or holding ``null`` there) is a
    ``BadLine``. ``text_fields`` must hold strings; by default that is the first required field, which by
    convention is the text to scan. With ``max_line_bytes``, a longer line is a ``BadLine`` (in CSV, the row
    holding it), read no further than the limit.
    """
    wanted = list(dict.fromkeys([*fields, *required]))
    strings = list(required[:1] if text_fields is None else text_fields)
    limits = _Limits(wanted, required, strings, max_line_bytes)
    if str(path) == "-":
        return _read_jsonl(sys.stdin.buffer, limits)
    p = Path(path)
    if not p.exists():
        raise InputError(f"input file not found: {p}")
    if p.is_dir():
        raise InputError(f"input is a directory, not a file: {p}")
    suffix = p.suffix.lower()
    if suffix in {".csv", ".tsv"}:
        return _read_table(p, "\t" if suffix == ".tsv" else ",", limits)
    return _read_jsonl_path(p, limits)


@dataclass(frozen=True, slots=True)
class _Limits:
    """What a reader keeps and checks: fields copied, fields required, fields that must be strings, and the
    longest line read."""

    wanted: list[str]
    required: Sequence[str]
    strings: list[str]
    max_line_bytes: int | None


def _read_jsonl_path(p: Path, limits: _Limits) -> Iterator[Record | BadLine]:
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open {p}: {exc.strerror}") from exc
    with fh:
        yield from _read_jsonl(fh, limits)


def _read_jsonl(fh: IO[bytes], limits: _Limits) -> Iterator[Record | BadLine]:
    for line in read_lines(fh, limits.max_line_bytes):
        lineno, raw = line.number, line.data
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]  # strip the BOM on the first line only
        if limits.max_line_bytes is not None and line.too_long(limits.max_line_bytes):
            yield BadLine(lineno, _too_long(line, limits.max_line_bytes), shown(raw))
            continue
        if not raw.strip():
            continue
        try:  # the fast path; anything orjson refuses goes the standard library's way, with its reasons
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
        else:
            if isinstance(obj, dict):
                checked = _check(lineno, obj, limits)
                yield dataclasses.replace(checked, payload=shown(raw)) if isinstance(checked, BadLine) else checked
                continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield BadLine(lineno, f"not valid UTF-8 (byte {exc.start})", shown(raw))
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield BadLine(lineno, f"not valid JSON: {exc.msg} at column {exc.colno}", shown(raw))
            continue
        except RecursionError:
            yield BadLine(lineno, "not valid JSON: nested too deeply", shown(raw))
            continue
        except ValueError:  # an integer past Python's 4,300-digit conversion limit
            yield BadLine(lineno, "not valid JSON: a number with too many digits", shown(raw))
            continue
        if not isinstance(obj, dict):
            yield BadLine(lineno, f"expected a JSON object, got {_json_type(obj)}", shown(raw))
            continue
        checked = _check(lineno, obj, limits)
        yield dataclasses.replace(checked, payload=shown(raw)) if isinstance(checked, BadLine) else checked


def _read_table(p: Path, delimiter: str, limits: _Limits) -> Iterator[Record | BadLine]:
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open {p}: {exc.strerror}") from exc
    with fh:
        lines = _TableLines(fh, limits.max_line_bytes)
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InputError(f"{p.name}: unreadable header: {exc}") from exc
        if header is None:
            return
        missing = [f for f in limits.required if f not in header]
        if missing:
            raise InputError(f"{p.name}: header has no column {', '.join(repr(m) for m in missing)}")
        lines.bad.clear()  # a header with a byte that is not UTF-8 names its columns with U+FFFD; they were found
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # a cell past the csv module's field limit; the reader goes on after it
                lineno, start = start, reader.line_num + 1
                yield lines.bad_row(lineno, reader.line_num) or BadLine(lineno, f"unreadable CSV line: {exc}")
                continue
            lineno, start = start, reader.line_num + 1
            bad = lines.bad_row(lineno, reader.line_num)
            if bad is not None:  # not UTF-8, or a line over the limit: the whole row is refused
                yield bad
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield BadLine(lineno, f"expected {len(header)} columns, found {len(row)}", _row_text(row, delimiter))
                continue
            checked = _check(lineno, dict(zip(header, row, strict=True)), limits)
            yield dataclasses.replace(checked, payload=_row_text(row, delimiter)) if isinstance(
                checked, BadLine) else checked
        for number in sorted(lines.bad):  # a bad last line the reader made no row of: reported all the same
            yield lines.bad_row(number, number) or BadLine(number, "unreadable CSV line")


class _TableLines:
    """The physical lines of a table, decoded, for ``csv.reader``; remembers the ones that are not UTF-8 or
    are over the limit, so that the row holding one becomes a ``BadLine`` and the rows around it are read as
    usual. Such a line reaches the reader as a stand-in that keeps the reader's place: the line decoded with
    U+FFFD (same quotes and delimiters), or for a line over the limit, unread, one double quote when it held
    an odd number of them (a quoted cell opened or closed on it) and nothing otherwise."""

    def __init__(self, fh: IO[bytes], limit: int | None) -> None:
        self.fh = fh
        self.limit = limit
        # line number -> (the reason when the line starts its row, when it does not, what was read of it)
        self.bad: dict[int, tuple[str, str, str]] = {}

    def __iter__(self) -> Iterator[str]:
        for line in read_lines(self.fh, self.limit):
            raw = line.data.removeprefix(_BOM) if line.number == 1 else line.data
            end = line.end.decode("ascii")
            if self.limit is not None and line.too_long(self.limit):
                reason = _too_long(line, self.limit)
                self.bad[line.number] = (reason, f"line {line.number} {reason.removeprefix('line ')}", shown(raw))
                yield ('"' if line.quotes % 2 else "") + end
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.bad[line.number] = (f"not valid UTF-8 (byte {exc.start})",
                                         f"not valid UTF-8 (line {line.number}, byte {exc.start})", shown(raw))
                text = raw.decode("utf-8", errors="replace")
            yield text + end

    def bad_row(self, first: int, last: int) -> BadLine | None:
        """A ``BadLine`` for the row on lines ``first``-``last`` when one of them was not usable, else None."""
        numbers = sorted(n for n in self.bad if n <= last)
        if not numbers:
            return None
        reasons = [self.bad.pop(n) for n in numbers]
        starting, later, payload = reasons[0]
        return BadLine(first, starting if numbers[0] == first else later, payload)


def _row_text(row: list[str], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(row)
    return out.getvalue()[:PAYLOAD_CHARS]


def _check(lineno: int, obj: dict[str, Any], limits: _Limits) -> Record | BadLine:
    for name in limits.required:
        if obj.get(name) is None:
            return BadLine(lineno, f"missing required field {name!r}")
    for name in limits.strings:
        if name in obj and not isinstance(obj[name], str):
            return BadLine(lineno, f"field {name!r} must be a string, got {_json_type(obj[name])}")
    return Record(lineno, {name: obj[name] for name in limits.wanted if name in obj})


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
