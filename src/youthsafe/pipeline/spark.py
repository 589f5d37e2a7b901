"""The Spark engine of a backfill (``--engine spark``): the input read by Spark (JSONL as text lines, Parquet
with its times as ISO 8601 text), ``scan_partition`` run in ``mapPartitions`` on the executors, results and
rejects written by Spark's writer (any path it can reach: ``hdfs://``, ``s3a://``...).

pyspark is an optional dependency (``pip install 'youthsafe[spark]'``): it is imported only when the Spark
engine runs, so every other command works without it, and a missing pyspark or Java is a one-line reason.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from youthsafe.pipeline.backfill_scan import (
    REJECTS,
    BackfillError,
    ModelSpec,
    Options,
    need_columns,
    prepare_out,
    scan_partition,
)

NO_PYSPARK = "pyspark is not installed: pip install 'youthsafe[spark]'"
NO_JAVA = "Java is not installed (Spark needs Java 17 or later): apt-get install default-jre-headless"
_FILE_COLUMN = "__youthsafe_file"


def _check_spark() -> None:
    try:
        import pyspark  # noqa: F401, PLC0415  (optional dependency: only the Spark engine needs it)
    except ImportError as exc:
        raise BackfillError(NO_PYSPARK) from exc
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and Path(java_home, "bin", "java").exists()):
        raise BackfillError(NO_JAVA)


def spark_session(master: str = "local[*]", conf: dict[str, str] | None = None) -> Any:
    """A SparkSession for a backfill (created; the caller stops it). In local mode the Python workers run
    this interpreter, so they import the same youthsafe; on a cluster set PYSPARK_PYTHON (see README)."""
    _check_spark()
    from pyspark.sql import SparkSession  # noqa: PLC0415  (optional dependency, checked above)

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


def run_spark(opts: Options, fmt: str, spec: ModelSpec, spark: Any) -> Counter[tuple[str, int, str]]:
    _check_spark()
    from py4j.protocol import Py4JError  # noqa: PLC0415  (optional dependency, checked above)
    from pyspark.errors import AnalysisException  # noqa: PLC0415  (optional dependency, checked above)
    from pyspark.sql import SparkSession  # noqa: PLC0415  (optional dependency, checked above)

    prepare_out(opts.out, opts.overwrite)
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
    from pyspark import StorageLevel  # noqa: PLC0415  (optional dependency, checked by the caller)
    from pyspark.sql import functions as F  # noqa: N812, PLC0415  (the usual name; optional dependency)
    from pyspark.sql.types import DateType, TimestampNTZType, TimestampType  # noqa: PLC0415  (optional)

    fields = opts.fields
    if fmt == "jsonl":
        frame = session.read.text(opts.input)
        items = frame.select(F.input_file_name(), "value").rdd.map(lambda r: (r[0], "", r[1]))
    else:
        frame = session.read.parquet(opts.input)
        present = [c for c in fields.mapping().values() if c in frame.columns]
        need_columns(present, fields, opts.input)
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
