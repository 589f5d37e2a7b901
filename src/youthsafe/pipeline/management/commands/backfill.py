"""``youthsafe backfill``: rescan an archive with a model version (locally or on Spark), and compare versions.

    youthsafe backfill INPUT --out DIR [--engine local|spark] [--model DIR] [--master local[*]] [--conf k=v]
    youthsafe backfill versions [--source NAME] [--json]
    youthsafe backfill diff --from-version A --to-version B [--source NAME] [--json]

The first writes results that ``youthsafe ingest DIR --source NAME`` loads (pipeline/backfill.py); ``versions``
lists the model versions with their scans; ``diff`` tells which alerts version B would add or drop against A
(pipeline/versions.py). Nothing here opens or closes an alert.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.timezone import localtime

from youthsafe.pipeline import backfill, versions
from youthsafe.pipeline.backfill_scan import REJECTS, BackfillError, Fields, Options
from youthsafe.pipeline.models import Post, Source

EXIT_UNUSABLE = 2
EXIT_SOME_BAD = 3
ACTIONS = ("versions", "diff")


def _unusable(reason: str) -> CommandError:
    return CommandError(reason, returncode=EXIT_UNUSABLE)


def _conf(items: list[str]) -> dict[str, str]:
    conf = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise _unusable(f"--conf needs KEY=VALUE, got {item!r}")
        conf[key.strip()] = value
    return conf


class Command(BaseCommand):
    help = (
        "Rescan an archive (JSONL or Parquet: a file, a directory, a glob, or with --engine spark any path Spark "
        "reads) with a model version and write JSONL results with rejects in OUT/_rejects; load them with "
        "'youthsafe ingest OUT --source NAME'. 'youthsafe backfill versions' lists the model versions with "
        "their scans; 'youthsafe backfill diff --from-version A --to-version B' shows which alerts B would add "
        "or drop. Exit 0 when every row was scanned, 3 when some were rejected, 2 on unusable input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="the archive to rescan, or 'versions' or 'diff'")
        run = parser.add_argument_group("rescan an archive")
        run.add_argument("--out", help="output directory (or any path Spark writes, with --engine spark)")
        run.add_argument("--engine", choices=["local", "spark"], default="local",
                         help="local: in this process; spark: on Apache Spark (needs pyspark and Java)")
        run.add_argument("--input-format", choices=["auto", "jsonl", "parquet"], default="auto",
                         help="default: from the file names")
        run.add_argument("--model", type=Path, help="model directory (default: the packaged model, as ingestion)")
        run.add_argument("--rules", type=Path, help="rules directory (default: the packaged rules)")
        run.add_argument("--no-model", action="store_true", help="rules only, without a model")
        run.add_argument("--overwrite", action="store_true", help="replace OUT when it exists")
        run.add_argument("--master", default="local[*]", help="Spark master (default local[*]), e.g. "
                         "spark://host:7077 or yarn")
        run.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                         help="Spark configuration, repeatable (e.g. spark.executor.memory=4g)")
        run.add_argument("--partitions", type=int, help="repartition the input into N partitions before scanning")
        for name, default in (("id", "id"), ("text", "text"), ("author", "author"), ("thread", "thread"),
                              ("time", "created_at"), ("location", "location")):
            run.add_argument(f"--{name}-field", default=default, help=f"field with the {name} (default {default})")
        compare = parser.add_argument_group("versions and diff")
        compare.add_argument("--from-version", help="diff: the model version to compare from (e.g. the live one)")
        compare.add_argument("--to-version", help="diff: the model version to compare to (the candidate)")
        compare.add_argument("--from-rules", default="", help="diff: its rules version, when there are several")
        compare.add_argument("--to-rules", default="", help="diff: its rules version, when there are several")
        compare.add_argument("--source", help="only posts of this source")
        compare.add_argument("--examples", type=int, default=10, help="diff: example posts per side (default 10)")
        compare.add_argument("--json", action="store_true", help="machine-readable JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["input"] in ACTIONS:
            if options["out"]:
                raise _unusable(f"--out belongs to a rescan, not to 'youthsafe backfill {options['input']}'")
            self._compare(options)
            return
        if options["from_version"] or options["to_version"]:
            raise _unusable("--from-version and --to-version belong to 'youthsafe backfill diff'")
        if not options["out"]:
            raise _unusable("--out DIR is required (where the results go)")
        if options["no_model"] and options["model"]:
            raise _unusable("--model and --no-model exclude each other")
        opts = Options(
            input=options["input"], out=options["out"], engine=options["engine"],
            input_format=options["input_format"],
            fields=Fields(**{k: options[f"{k}_field"] for k in ("id", "text", "author", "thread", "time", "location")}),
            model_dir=options["model"], rules_dir=options["rules"], use_default_model=not options["no_model"],
            overwrite=options["overwrite"], master=options["master"], conf=_conf(options["conf"]),
            partitions=options["partitions"],
        )
        try:
            summary = backfill.run(opts)
        except BackfillError as exc:
            raise _unusable(str(exc)) from exc
        self.stdout.write(summary.line())
        if summary.rejects:
            self.stderr.write(f"{summary.rejects} row(s) rejected, kept with their reason in "
                              f"{opts.out.rstrip('/')}/{REJECTS}")
            sys.exit(EXIT_SOME_BAD)

    def _compare(self, options: dict[str, Any]) -> None:
        posts = Post.objects.all()
        if options["source"]:
            source = Source.objects.filter(name=options["source"]).first()
            if source is None:
                raise _unusable(f"unknown source {options['source']!r}")
            posts = posts.filter(source=source)
        if options["input"] == "versions":
            rows = versions.version_rows(posts)
            if options["json"]:
                self.stdout.write(json.dumps([{**r, "first": r["first"].isoformat(), "last": r["last"].isoformat()}
                                              for r in rows], ensure_ascii=False, indent=1))
                return
            for r in rows:
                self.stdout.write(f"{'live ' if r['live'] else '     '}model {r['model_version']}, rules "
                                  f"{r['rules_version']}: {r['scans']} scans, {r['flagged']} flagged, "
                                  f"{localtime(r['first']):%Y-%m-%d %H:%M} to {localtime(r['last']):%Y-%m-%d %H:%M}")
            if not rows:
                self.stdout.write("no scans")
            return
        if not options["from_version"] or not options["to_version"]:
            raise _unusable("diff needs --from-version and --to-version ('youthsafe backfill versions' lists them)")
        if options["examples"] < 0:
            raise _unusable("--examples must be 0 or more")
        try:
            old = versions.resolve(posts, options["from_version"], options["from_rules"])
            new = versions.resolve(posts, options["to_version"], options["to_rules"])
        except versions.VersionError as exc:
            raise _unusable(str(exc)) from exc
        result = versions.diff(posts, old, new, examples=options["examples"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        else:
            for line in result.lines():
                self.stdout.write(line)
