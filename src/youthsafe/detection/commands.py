"""The ``youthsafe scan`` command: scan a JSONL/CSV file (or stdin) and write one JSON object per line.

Exit codes:

* 0: every line was scanned;
* 2: the input is unusable (missing file, CSV without the text column, bad option) - one-line reason;
* 3: the run finished but some lines were bad (reported on stderr with line numbers and skipped).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import orjson

from youthsafe.detection.io import BadLine, InputError, Record, read_records
from youthsafe.detection.progress import progress_bar

__all__ = ["EXIT_BAD_LINES", "EXIT_OK", "EXIT_UNUSABLE", "main", "register", "run_scan"]

EXIT_OK = 0
EXIT_UNUSABLE = 2
EXIT_BAD_LINES = 3


def register(subparsers: Any) -> None:
    """Add the ``scan`` sub-command to an argparse sub-parser collection."""
    p = subparsers.add_parser(
        "scan",
        help="scan posts for harmful content and suicide risk",
        description="Scan a JSONL or CSV file (or - for JSONL on stdin); write one JSON object per line. "
        "Exit 0 when all lines were scanned, 3 when some lines were bad (skipped, listed on stderr), "
        "2 when the input is unusable.",
    )
    p.add_argument("input", help="JSONL file, .csv/.tsv file, or - for JSONL on stdin")
    p.add_argument("--text-field", default="text", help="field holding the text (default: text)")
    p.add_argument("--id-field", default="id", help="field holding the post id (default: id)")
    p.add_argument("--model", type=Path, default=None, help="model directory (default: packaged model)")
    p.add_argument("--rules", type=Path, default=None, help="rules directory (default: packaged rules)")
    p.add_argument("--output", "-o", default="-", help="output JSONL file (default: stdout)")
    p.add_argument("--batch-size", type=int, default=2000, help="texts per engine batch (default: 2000)")
    p.add_argument(
        "--alert-level", type=int, default=6, help="risk level that flags a post (0-10, default 6)"
    )
    p.add_argument("--dedup", action="store_true", help="assign near-duplicate cluster ids")
    p.add_argument("--no-model", action="store_true", help="rules only, even if a model is available")
    p.set_defaults(func=run_scan)


def run_scan(args: argparse.Namespace) -> int:
    """Run the scan described by parsed arguments; returns the exit code."""
    if args.batch_size < 1 or not 0 <= args.alert_level <= 10:
        print("error: --batch-size must be >= 1 and --alert-level within 0-10", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.model is not None and not Path(args.model).is_dir():
        print(f"error: model directory not found: {args.model}", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        records = read_records(
            args.input, fields=[args.id_field, args.text_field], required=[args.text_field]
        )
        from youthsafe.detection.engine import Engine  # noqa: PLC0415  (start-up: not for --help or bad input)

        engine = Engine(
            args.model, args.rules, args.alert_level, use_default_model=not args.no_model, dedup=args.dedup
        )
        out: IO[bytes] = sys.stdout.buffer if args.output == "-" else open(args.output, "wb")  # noqa: SIM115
    except (InputError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        stats = _scan_stream(engine, records, out, args)
    except InputError as exc:  # raised lazily, e.g. a CSV header without the text column
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    finally:
        if out is not sys.stdout.buffer:
            out.close()
    scanned, flagged, bad, seconds = stats
    print(
        f"scanned {scanned} posts, flagged {flagged}, bad lines {bad}, {seconds:.1f}s "
        f"({scanned / max(seconds, 1e-9):.0f} posts/s), model {engine.model_version}",
        file=sys.stderr,
    )
    return EXIT_BAD_LINES if bad else EXIT_OK


def _scan_stream(
    engine: Any, records: Any, out: IO[bytes], args: argparse.Namespace
) -> tuple[int, int, int, float]:
    start = time.monotonic()
    batch: list[Record] = []
    scanned = flagged = bad = 0
    with progress_bar(desc="scan", unit="post") as bar:
        for item in records:
            if isinstance(item, BadLine):
                bad += 1
                bar.write(f"line {item.line}: {item.reason}", file=sys.stderr)
                continue
            batch.append(item)
            if len(batch) >= args.batch_size:
                flagged += _flush(engine, batch, out, args.id_field, args.text_field)
                scanned += len(batch)
                bar.update(len(batch))
                batch = []
        if batch:
            flagged += _flush(engine, batch, out, args.id_field, args.text_field)
            scanned += len(batch)
            bar.update(len(batch))
    return scanned, flagged, bad, time.monotonic() - start


def _line(row: dict[str, Any]) -> bytes:
    """One output line; orjson, or the standard library for what orjson refuses (a lone surrogate)."""
    try:
        return orjson.dumps(row) + b"\n"
    except TypeError:
        return (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")


def _flush(engine: Any, batch: list[Record], out: IO[bytes], id_field: str, text_field: str) -> int:
    results = engine.scan([r.values[text_field] for r in batch])
    flagged = 0
    lines = []
    for record, result in zip(batch, results, strict=True):
        row = {"id": record.values.get(id_field, record.line), "line": record.line, **result.to_dict()}
        lines.append(_line(row))
        flagged += result.flagged
    out.write(b"".join(lines))
    out.flush()
    return flagged


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry: ``python -m youthsafe.detection.commands scan INPUT ...``."""
    parser = argparse.ArgumentParser(prog="youthsafe")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
