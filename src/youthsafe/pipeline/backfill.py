"""Batch backfill: rescan an archive of posts with a given model version, on Apache Spark or in-process.

``youthsafe backfill INPUT --out DIR`` reads an archive (JSONL or Parquet; a file, a directory of part files,
a glob, or with ``--engine spark`` any path Spark can read: ``hdfs://``, ``s3a://``...) and writes, as JSONL
part files in ``DIR``, one line per post: its fields under the project's names (``id``, ``text``, ``author``,
``thread``, ``created_at``, ``location``) plus ``scan`` (``ScanResult.to_dict()``), ``model_version`` and
``rules_version``. Rows that cannot be a post (not JSON, not an object, no text, no id, a line longer than
the ingest limit, a NUL, control character or lone surrogate in a field: records.py) are written to
``DIR/_rejects`` with their reason and payload: nothing is dropped, nothing crashes the run. ``youthsafe
ingest DIR --source NAME`` loads the results idempotently (pipeline/services.py says what goes live).

Both engines run the same function, ``scan_partition``, over their rows, so they give identical results:
``--engine spark`` runs it in ``mapPartitions`` on the executors, ``--engine local`` over the whole input in
this process. This module imports neither pyspark (imported only when the Spark engine runs, so every other
command works without it) nor Django models or settings: Spark's executors import it with no project
configured. The model and rule files are shipped to the executors as bytes with the job, so a cluster
needs no shared filesystem for them; each Python worker builds the engine once and reuses it for every
partition it runs.
"""

from __future__ import annotations

import datetime as dt
import glob
import gzip
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from youthsafe.detection.io import read_lines, shown
from youthsafe.detection.progress import progress_bar
from youthsafe.pipeline import records

if TYPE_CHECKING:
    from youthsafe.detection.engine import Engine

__all__ = ["BackfillError", "Fields", "ModelSpec", "Options", "Summary", "run", "scan_partition", "spark_session"]

BATCH = 256  # texts per Engine.scan call
REJECTS = "_rejects"  # Spark and Hadoop readers skip names starting with "_": reading DIR never reads rejects
PAYLOAD_LIMIT = 10_000
NO_PYSPARK = "pyspark is not installed: pip install 'youthsafe[spark]'"
NO_JAVA = "Java is not installed (Spark needs Java 17 or later): apt-get install default-jre-headless"
_JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson", ".txt", ".jsonl.gz", ".json.gz", ".ndjson.gz", ".txt.gz")
_PARQUET_SUFFIXES = (".parquet", ".pq")
_FILE_COLUMN = "__youthsafe_file"


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


@dataclass
class Summary:
    engine: str
    out: str
    rows: int = 0
    scanned: int = 0
    flagged: int = 0
    rejects: int = 0
    seconds: float = 0.0
    versions: list[str] = field(default_factory=list)

    def line(self) -> str:
        rate = self.rows / self.seconds if self.seconds else 0.0
        versions = "; ".join(self.versions) or "no rows scanned"
        return (f"backfill ({self.engine}): rows {self.rows}, scanned {self.scanned}, flagged {self.flagged}, "
                f"rejects {self.rejects}, {self.seconds:.1f}s ({rate:.0f} rows/s); {versions} -> {self.out}")


# --- the scan, shared by both engines -------------------------------------------------------------------

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
        from youthsafe.detection.engine import Engine

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


# --- input ------------------------------------------------------------------------------------------------

def _is_uri(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def _local(path: str) -> str:
    return path.removeprefix("file://")


def _local_files(path: str) -> list[Path]:
    """The files a local INPUT names (a file, a directory's visible files, or a glob), sorted."""
    path = _local(path)
    if any(ch in path for ch in "*?["):
        found = [Path(p) for p in sorted(glob.glob(path))]
        files = [f for p in found for f in (_dir_files(p) if p.is_dir() else [p])]
    elif Path(path).is_dir():
        files = _dir_files(Path(path))
    elif Path(path).is_file():
        files = [Path(path)]
    else:
        raise BackfillError(f"no such file or directory: {path}")
    if not files:
        raise BackfillError(f"no input files in {path}")
    return files


def _dir_files(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith(("_", ".")))


def _format_of(names: list[str]) -> str:
    kinds = {"parquet" if n.lower().endswith(_PARQUET_SUFFIXES) else
             "jsonl" if n.lower().endswith(_JSONL_SUFFIXES) else "?" for n in names}
    if kinds == {"parquet"}:
        return "parquet"
    if kinds == {"jsonl"}:
        return "jsonl"
    raise BackfillError("cannot tell the input format from the file names; pass --input-format jsonl|parquet")


def input_format(opts: Options) -> str:
    if opts.input_format != "auto":
        return opts.input_format
    if _is_uri(opts.input):
        return _format_of([opts.input.rstrip("/*")])
    return _format_of([f.name for f in _local_files(opts.input)])


def _local_items(files: list[Path], fmt: str, fields: Fields) -> Iterator[tuple[str, str, Any]]:
    for f in files:
        uri = f.resolve().as_uri()
        if fmt == "parquet":
            yield from _parquet_items(f, uri, fields)
            continue
        opener = gzip.open if f.name.endswith(".gz") else open
        with opener(f, "rb") as fh:
            handle: IO[bytes] = fh  # type: ignore[assignment]
            for line in read_lines(handle, records.MAX_LINE_BYTES):  # a longer line is never read whole
                if line.too_long(records.MAX_LINE_BYTES):
                    yield uri, f"line {line.number}", TooLong(line.size, shown(line.data[:PAYLOAD_LIMIT]))
                    continue
                # As Spark's text reader: undecodable bytes become U+FFFD, the row is still read and checked.
                yield uri, f"line {line.number}", line.data.decode("utf-8", errors="replace")


def _parquet_items(path: Path, uri: str, fields: Fields) -> Iterator[tuple[str, str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise BackfillError("reading Parquet with --engine local needs pyarrow (pip install pyarrow); "
                            "or use --engine spark") from exc
    table = pq.ParquetFile(path)
    present = [c for c in fields.mapping().values() if c in table.schema_arrow.names]
    _need_columns(present, fields, str(path))
    n = 0
    for batch in table.iter_batches(columns=present):
        for row in batch.to_pylist():
            n += 1
            yield uri, f"row {n}", row


def _need_columns(present: list[str], fields: Fields, where: str) -> None:
    missing = [c for c in (fields.id, fields.text) if c not in present]
    if missing:
        raise BackfillError(f"{where}: no column {', '.join(repr(m) for m in missing)}")


# --- output and engines -----------------------------------------------------------------------------------

def _prepare_out(out: str, overwrite: bool) -> None:
    if _is_uri(out):
        return  # Spark's writer decides (error if it exists, unless --overwrite)
    path = Path(_local(out))
    if path.exists():
        if not overwrite:
            raise BackfillError(f"output exists: {out} (pass --overwrite to replace it)")
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def run(opts: Options, *, spark: Any = None, spec: ModelSpec | None = None) -> Summary:
    """Run the backfill the options describe; raise ``BackfillError`` with a one-line reason when it cannot.
    ``spark``: a session to use (else one is made and stopped); ``spec``: the engine's files, read already."""
    if opts.engine not in {"local", "spark"}:
        raise BackfillError(f"unknown engine {opts.engine!r}: local or spark")
    if opts.input_format not in {"auto", "jsonl", "parquet"}:
        raise BackfillError(f"unknown input format {opts.input_format!r}: auto, jsonl or parquet")
    if opts.partitions is not None and opts.partitions < 1:
        raise BackfillError("--partitions must be at least 1")
    if opts.engine == "local" and (_is_uri(opts.input) or _is_uri(opts.out)):
        raise BackfillError("--engine local reads and writes local paths only; use --engine spark for URIs")
    spec = spec or ModelSpec.build(opts.model_dir, opts.rules_dir, use_default_model=opts.use_default_model)
    fmt = input_format(opts)
    started = time.perf_counter()
    counts = _run_local(opts, fmt, spec) if opts.engine == "local" else _run_spark(opts, fmt, spec, spark)
    label = "local" if opts.engine == "local" else f"spark {opts.master}" if spark is None else "spark"
    summary = Summary(engine=label, out=opts.out)
    for (kind, flagged, versions), n in counts.items():
        summary.rows += n
        if kind == "ok":
            summary.scanned += n
            summary.flagged += n if flagged else 0
            if versions not in summary.versions:
                summary.versions.append(versions)
        else:
            summary.rejects += n
    summary.seconds = time.perf_counter() - started
    return summary


def _run_local(opts: Options, fmt: str, spec: ModelSpec) -> Counter[tuple[str, int, str]]:
    files = _local_files(opts.input)
    _prepare_out(opts.out, opts.overwrite)
    out = Path(_local(opts.out))
    (out / REJECTS).mkdir(parents=True)
    counts: Counter[tuple[str, int, str]] = Counter()
    with (out / "part-00000.jsonl").open("w", encoding="utf-8") as ok, \
            (out / REJECTS / "part-00000.jsonl").open("w", encoding="utf-8") as bad, \
            progress_bar(desc="backfill", unit="row") as bar:
        for kind, flagged, line, versions in scan_partition(_local_items(files, fmt, opts.fields), spec,
                                                            opts.fields):
            (ok if kind == "ok" else bad).write(line + "\n")
            counts[(kind, flagged, versions)] += 1
            bar.update(1)
    for where in (out, out / REJECTS):
        (where / "_SUCCESS").touch()
    return counts


def _check_spark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise BackfillError(NO_PYSPARK) from exc
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and Path(java_home, "bin", "java").exists()):
        raise BackfillError(NO_JAVA)


def spark_session(master: str = "local[*]", conf: dict[str, str] | None = None) -> Any:
    """A SparkSession for a backfill (created; the caller stops it). In local mode the Python workers run
    this interpreter, so they import the same youthsafe; on a cluster set PYSPARK_PYTHON (see README)."""
    _check_spark()
    from pyspark.sql import SparkSession

    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName("youthsafe-backfill")
    settings = {"spark.ui.showConsoleProgress": "false", "spark.sql.session.timeZone": "UTC", **(conf or {})}
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: say why in one line
        raise BackfillError(f"Spark did not start: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc}"
                            ) from exc
    session.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.WARNING)  # not a line per closed connection, even at exit
    return session


def _run_spark(opts: Options, fmt: str, spec: ModelSpec, spark: Any) -> Counter[tuple[str, int, str]]:
    _check_spark()
    from py4j.protocol import Py4JError
    from pyspark.errors import AnalysisException
    from pyspark.sql import SparkSession

    _prepare_out(opts.out, opts.overwrite)
    session: Any = spark or SparkSession.getActiveSession()
    own = session is None
    if own:
        session = spark_session(opts.master, opts.conf)
    try:
        return _spark_job(session, opts, fmt, spec)
    except (AnalysisException, Py4JError) as exc:
        raise BackfillError(f"Spark cannot read or write: {_one_line(exc)}") from exc
    finally:
        if own:
            session.stop()


def _one_line(exc: BaseException) -> str:
    """The first line of a Spark error: the JVM exception's own message when there is one (the Python side
    only says which call failed), cut to a readable length."""
    java = getattr(exc, "java_exception", None)
    try:
        text = str(java.toString()) if java is not None else str(exc)
    except Exception:  # the JVM is gone: fall back to Python's message
        text = str(exc)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:300]


def _spark_job(session: Any, opts: Options, fmt: str, spec: ModelSpec) -> Counter[tuple[str, int, str]]:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F  # noqa: N812 - the usual name
    from pyspark.sql.types import DateType, TimestampNTZType, TimestampType

    fields = opts.fields
    if fmt == "jsonl":
        frame = session.read.text(opts.input)
        items = frame.select(F.input_file_name(), "value").rdd.map(lambda r: (r[0], "", r[1]))
    else:
        frame = session.read.parquet(opts.input)
        present = [c for c in fields.mapping().values() if c in frame.columns]
        _need_columns(present, fields, opts.input)
        types = {f.name: f.dataType for f in frame.schema.fields}
        # Times as ISO 8601 text with their offset (the session's zone, UTC unless configured), as JSONL has them.
        columns = [F.date_format(F.col(c), "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").alias(c)
                   if isinstance(types[c], TimestampType | TimestampNTZType)
                   else F.date_format(F.col(c), "yyyy-MM-dd").alias(c) if isinstance(types[c], DateType)
                   else F.col(c) for c in present]
        items = frame.select(F.input_file_name().alias(_FILE_COLUMN), *columns).rdd.map(
            lambda r: (r[0], "", {k: v for k, v in r.asDict().items() if k != _FILE_COLUMN}))
    if opts.partitions:
        items = items.repartition(opts.partitions)
    shipped = session.sparkContext.broadcast(spec)
    scanned = items.mapPartitions(lambda rows: scan_partition(rows, shipped.value, fields))
    scanned.persist(StorageLevel.MEMORY_AND_DISK)  # written twice and counted: scanned once
    try:
        mode = "overwrite" if opts.overwrite else "errorifexists"
        ok = scanned.filter(lambda t: t[0] == "ok").map(lambda t: (t[2],))
        bad = scanned.filter(lambda t: t[0] != "ok").map(lambda t: (t[2],))
        session.createDataFrame(ok, "value string").write.mode(mode).text(opts.out)
        session.createDataFrame(bad, "value string").write.mode(mode).text(f"{opts.out.rstrip('/')}/{REJECTS}")
        return Counter(scanned.map(lambda t: (t[0], t[1], t[3])).countByValue())
    finally:
        scanned.unpersist()
        shipped.unpersist()
