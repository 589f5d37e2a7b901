"""Batch backfill: rescan an archive of posts with a given model version, on Apache Spark or in-process.

``youthsafe backfill INPUT --out DIR`` reads an archive (JSONL or Parquet; a file, a directory of part files,
a glob, or with ``--engine spark`` any path Spark can read: ``hdfs://``, ``s3a://``...) and writes, as JSONL
part files in ``DIR``, one line per post: its fields under the project's names (``id``, ``text``, ``author``,
``thread``, ``created_at``, ``location``) plus ``scan`` (``ScanResult.to_dict()``), ``model_version`` and
``rules_version``. Rows that cannot be a post (not JSON, not an object, no text, no id, a line longer than
the ingest limit, a NUL, control character or lone surrogate in a field: records.py) are written to
``DIR/_rejects`` with their reason and payload: nothing is dropped, nothing crashes the run. ``youthsafe
ingest DIR --source NAME`` loads the results idempotently (pipeline/store.py says what goes live).

Both engines run the same function, ``scan_partition`` (backfill_scan.py), over their rows, so they give
identical results: ``--engine spark`` (spark.py) runs it in ``mapPartitions`` on the executors, ``--engine
local`` (here) over the whole input in this process.
"""

from __future__ import annotations

import glob
import gzip
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from youthsafe.detection.io import read_lines, shown
from youthsafe.detection.progress import progress_bar
from youthsafe.pipeline import records
from youthsafe.pipeline.backfill_scan import (
    PAYLOAD_LIMIT,
    REJECTS,
    BackfillError,
    Fields,
    ModelSpec,
    Options,
    TooLong,
    is_uri,
    local,
    need_columns,
    prepare_out,
    scan_partition,
)
from youthsafe.pipeline.spark import run_spark

_JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson", ".txt", ".jsonl.gz", ".json.gz", ".ndjson.gz", ".txt.gz")
_PARQUET_SUFFIXES = (".parquet", ".pq")


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


# --- input ------------------------------------------------------------------------------------------------

def _local_files(path: str) -> list[Path]:
    """The files a local INPUT names (a file, a directory's visible files, or a glob), sorted."""
    path = local(path)
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
    if is_uri(opts.input):
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
        import pyarrow.parquet as pq  # noqa: PLC0415  (optional dependency: only Parquet input needs it)
    except ImportError as exc:
        raise BackfillError("reading Parquet with --engine local needs pyarrow (pip install pyarrow); "
                            "or use --engine spark") from exc
    table = pq.ParquetFile(path)
    present = [c for c in fields.mapping().values() if c in table.schema_arrow.names]
    need_columns(present, fields, str(path))
    n = 0
    for batch in table.iter_batches(columns=present):
        for row in batch.to_pylist():
            n += 1
            yield uri, f"row {n}", row


# --- the run --------------------------------------------------------------------------------------------

def run(opts: Options, *, spark: Any = None, spec: ModelSpec | None = None) -> Summary:
    """Run the backfill the options describe; raise ``BackfillError`` with a one-line reason when it cannot.
    ``spark``: a session to use (else one is made and stopped); ``spec``: the engine's files, read already."""
    if opts.engine not in {"local", "spark"}:
        raise BackfillError(f"unknown engine {opts.engine!r}: local or spark")
    if opts.input_format not in {"auto", "jsonl", "parquet"}:
        raise BackfillError(f"unknown input format {opts.input_format!r}: auto, jsonl or parquet")
    if opts.partitions is not None and opts.partitions < 1:
        raise BackfillError("--partitions must be at least 1")
    if opts.engine == "local" and (is_uri(opts.input) or is_uri(opts.out)):
        raise BackfillError("--engine local reads and writes local paths only; use --engine spark for URIs")
    spec = spec or ModelSpec.build(opts.model_dir, opts.rules_dir, use_default_model=opts.use_default_model)
    fmt = input_format(opts)
    started = time.perf_counter()
    counts = _run_local(opts, fmt, spec) if opts.engine == "local" else run_spark(opts, fmt, spec, spark)
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
    prepare_out(opts.out, opts.overwrite)
    out = Path(local(opts.out))
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
