"""The scan of a backfill, shared by both engines (backfill.py runs it in-process, spark.py in Spark's
``mapPartitions`` on the executors), so they give identical results; and what both need of the options.

This module imports neither pyspark nor Django models or settings: Spark's executors import it with no project
configured. The model and rule files are shipped to the executors as bytes with the job (``ModelSpec``), so a
cluster needs no shared filesystem for them; each Python worker builds the engine once and reuses it for every
partition it runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from youthsafe.detection.engine import Engine
from youthsafe.pipeline import records

BATCH = 256  # texts per Engine.scan call
REJECTS = "_rejects"  # Spark and Hadoop readers skip names starting with "_": reading DIR never reads rejects
PAYLOAD_LIMIT = 10_000


class BackfillError(Exception):
    """The run cannot start or cannot finish: the message is the one-line reason."""


@dataclass(frozen=True)
class Fields:
    """Names of the input's fields (the ingest command's ``--*-field`` options, same defaults)."""

    id: str = "id"
    text: str = "text"
    author: str = "author"
    thread: str = "thread"
    time: str = "created_at"
    location: str = "location"

    def mapping(self) -> dict[str, str]:
        """Project name -> input name, for the fields that are read (an empty name is not read)."""
        names = dict(zip(records.POST_FIELDS, (self.id, self.text, self.author, self.thread, self.time,
                                               self.location), strict=True))
        return {ours: theirs for ours, theirs in names.items() if theirs}


def _read_tree(root: Path | None) -> tuple[tuple[str, bytes], ...] | None:
    if root is None:
        return None
    if not root.is_dir():
        raise BackfillError(f"not a directory: {root}")
    return tuple((str(p.relative_to(root)), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file())


@dataclass(frozen=True)
class ModelSpec:
    """What an executor needs to build the engine: the model and rule files as bytes (None: the packaged
    ones), so nothing has to be at the same path on every node."""

    model_files: tuple[tuple[str, bytes], ...] | None = None
    rules_files: tuple[tuple[str, bytes], ...] | None = None
    use_default_model: bool = True
    digest: str = "default"

    @classmethod
    def build(cls, model_dir: Path | None = None, rules_dir: Path | None = None, *,
              use_default_model: bool = True) -> ModelSpec:
        model_files, rules_files = _read_tree(model_dir), _read_tree(rules_dir)
        h = hashlib.sha256(repr((use_default_model, model_dir is None, rules_dir is None)).encode())
        for name, data in (model_files or ()) + (rules_files or ()):
            h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return cls(model_files, rules_files, use_default_model, h.hexdigest())


@dataclass
class Options:
    """What ``youthsafe backfill INPUT --out DIR`` was asked to do (the command's options)."""

    input: str
    out: str
    engine: str = "local"  # local | spark
    input_format: str = "auto"  # auto | jsonl | parquet
    fields: Fields = field(default_factory=Fields)
    model_dir: Path | None = None
    rules_dir: Path | None = None
    use_default_model: bool = True
    overwrite: bool = False
    master: str = "local[*]"
    conf: dict[str, str] = field(default_factory=dict)
    partitions: int | None = None


# --- paths ------------------------------------------------------------------------------------------------

def is_uri(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def local(path: str) -> str:
    return path.removeprefix("file://")


def prepare_out(out: str, overwrite: bool) -> None:
    if is_uri(out):
        return  # Spark's writer decides (error if it exists, unless --overwrite)
    path = Path(local(out))
    if path.exists():
        if not overwrite:
            raise BackfillError(f"output exists: {out} (pass --overwrite to replace it)")
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def need_columns(present: list[str], fields: Fields, where: str) -> None:
    missing = [c for c in (fields.id, fields.text) if c not in present]
    if missing:
        raise BackfillError(f"{where}: no column {', '.join(repr(m) for m in missing)}")


# --- the scan ----------------------------------------------------------------------------------------------

_ENGINES: dict[str, Engine] = {}


def _materialize(files: tuple[tuple[str, bytes], ...], root: Path) -> Path:
    for name, data in files:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def _engine(spec: ModelSpec) -> Engine:
    """The engine of this Python process for ``spec``, built on first use (model and rules load eagerly, so
    the temporary copy of their files is removed right after)."""
    engine = _ENGINES.get(spec.digest)
    if engine is None:
        with tempfile.TemporaryDirectory(prefix="youthsafe-backfill-") as tmp:
            model = _materialize(spec.model_files, Path(tmp, "model")) if spec.model_files is not None else None
            rules = _materialize(spec.rules_files, Path(tmp, "rules")) if spec.rules_files is not None else None
            engine = Engine(model, rules, use_default_model=spec.use_default_model)
        _ENGINES[spec.digest] = engine
    return engine


class TooLong(NamedTuple):
    """A JSONL line over the line limit, as the in-process reader hands it on: its size and first bytes (the
    rest was never read)."""

    size: int
    head: str


def _too_long(size: int) -> str:
    return f"line longer than {records.MAX_LINE_BYTES} bytes ({size} bytes)"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _parse_line(line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at column {exc.colno}") from exc
    except RecursionError as exc:
        raise ValueError("not valid JSON: nested too deeply") from exc


def _to_record(raw: Any, fields: Fields) -> dict[str, Any] | None:
    """A JSONL line (str) or a Parquet row (dict) as a record with the project's field names; None for a
    blank line. Raises ``ValueError`` with the reason the row is rejected."""
    if isinstance(raw, TooLong):
        raise ValueError(_too_long(raw.size))
    if isinstance(raw, str):
        # As the in-process reader measures: Spark reads a line whole, then it is held to the same limit.
        if len(raw) > records.MAX_LINE_BYTES // 4 and (size := len(raw.encode("utf-8", "surrogatepass"))) > \
                records.MAX_LINE_BYTES:
            raise ValueError(_too_long(size))
        line = raw.lstrip("\ufeff")
        if not line.strip():
            return None
        raw = _parse_line(line)
    if not isinstance(raw, dict):
        raise ValueError("record is not a JSON object")
    return {ours: _jsonable(raw[theirs]) for ours, theirs in fields.mapping().items()
            if raw.get(theirs) is not None}


def _reject(file: str, position: str, reason: str, raw: Any) -> str:
    """A reject line: the row as the dead-letter table would keep it (records.payload: a line as it came,
    a row as JSON; what UTF-8 cannot hold, a lone surrogate, as its JSON escape)."""
    payload = records.payload(raw.head if isinstance(raw, TooLong) else raw, PAYLOAD_LIMIT)
    return json.dumps({"reason": records.storable(reason), "file": file, "position": position, "payload": payload},
                      ensure_ascii=False)


def _scan_batch(engine: Engine, batch: list[dict[str, Any]]) -> Iterator[tuple[str, int, str, str]]:
    for record, result in zip(batch, engine.scan([r["text"] for r in batch]), strict=True):
        versions = f"model {result.model_version}, rules {result.rules_version}"
        line = json.dumps({**record, "model_version": result.model_version, "rules_version": result.rules_version,
                           "scan": result.to_dict()}, ensure_ascii=False, default=str)
        yield "ok", int(result.flagged), line, versions


def scan_partition(items: Iterable[tuple[str, str, Any]], spec: ModelSpec,
                   fields: Fields) -> Iterator[tuple[str, int, str, str]]:
    """Check and scan ``(file, position, raw)`` items; yield ``(kind, flagged, json_line, versions)`` with
    kind ``ok`` (a result line) or ``reject`` (a reject line with its reason). Never raises on a row."""
    engine = _engine(spec)
    batch: list[dict[str, Any]] = []
    for file, position, raw in items:
        try:
            record = _to_record(raw, fields)
            if record is None:
                continue
            records.check(record, dt.UTC)  # the ingest checks (reasons alike); the zone only parses here
        except ValueError as exc:
            yield "reject", 0, _reject(file, position, str(exc), raw), ""
            continue
        batch.append(record)
        if len(batch) >= BATCH:
            yield from _scan_batch(engine, batch)
            batch = []
    if batch:
        yield from _scan_batch(engine, batch)
