"""``youthsafe ingest FILE --source NAME``: load a JSONL or CSV file of posts, idempotently."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from youthsafe.core.models import Jurisdiction
from youthsafe.detection.io import BadLine, InputError, Record, read_records
from youthsafe.detection.progress import progress_bar
from youthsafe.pipeline.models import Source, SourceKind
from youthsafe.pipeline.records import MAX_LINE_BYTES, Rejected
from youthsafe.pipeline.services import IngestSummary, ingest_batch, iter_batches

EXIT_SOME_BAD = 3
PRECOMPUTED = ("scan", "model_version", "rules_version")
EXIT_UNUSABLE = 2  # the contract of architecture.md: unusable input exits 2 with a one-line reason


def _unusable(reason: str) -> CommandError:
    return CommandError(reason, returncode=EXIT_UNUSABLE)


class Command(BaseCommand):
    help = (
        "Ingest posts from a JSONL or CSV file, or a directory of part files such as 'youthsafe backfill' writes "
        "(id, text, author, thread, created_at, location; backfill results also carry their scan). Posts "
        "already stored for the source are skipped, so running it twice adds nothing. A precomputed scan of the "
        "live model and rules versions counts as the live scan; one of another version is stored as a candidate "
        "and opens no alert. A line that is not UTF-8, longer than 4 MiB, or holds a NUL, another control "
        "character or a lone surrogate in any field goes to the dead-letter table with its reason, and so does a "
        "known id with another text (a conflict). Exit 0 when every line was accepted or already present, 3 when "
        "some lines went to the dead-letter table, 2 on unusable input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSONL file, .csv/.tsv file, a directory of part files (names starting "
                            "with _ or . are skipped), or - for JSONL on stdin")
        parser.add_argument("--source", required=True, help="source name (slug), e.g. weibo-collector")
        parser.add_argument("--create-source", action="store_true", help="create the source if it does not exist")
        parser.add_argument("--jurisdiction", help="code of the new source's default jurisdiction")
        for name, default in (("id", "id"), ("text", "text"), ("author", "author"), ("thread", "thread"),
                              ("time", "created_at"), ("location", "location")):
            parser.add_argument(f"--{name}-field", default=default, help=f"field with the {name} (default {default})")
        parser.add_argument("--batch-size", type=int, default=500, help="posts per transaction (default 500)")

    def handle(self, *args: Any, **options: Any) -> None:
        source = self._source(options)
        if options["batch_size"] < 1:
            raise _unusable("--batch-size must be at least 1")
        path = options["file"]
        if path != "-" and not Path(path).is_file() and not Path(path).is_dir():
            raise _unusable(f"no such file or directory: {path}")
        total = IngestSummary()
        fields = {k: options[f"{k}_field"] for k in ("id", "text", "author", "thread", "time", "location")}
        bar = progress_bar(desc=f"ingest {source.name}", unit="line")
        try:
            for chunk in iter_batches(self._records(path, fields), options["batch_size"]):
                records = [r for _pos, r in chunk]
                positions = [pos for pos, _r in chunk]
                total.add(ingest_batch(source, records, channel="file", positions=positions, precomputed=True))
                bar.update(len(chunk))
                bar.set_postfix_str(f"{total.accepted} new, {total.dead_letters} bad, {total.conflicts} conflicts")
        except InputError as exc:
            raise _unusable(str(exc)) from exc
        except DatabaseError as exc:
            # A full disk, a lost connection: the batch in hand was rolled back as a whole; what came before
            # is stored. Running the same command again skips the stored posts and goes on from there.
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(f"database error, stopped: {reason}. {total.accepted} new post(s) were stored before "
                               "it; run the same command again to go on (stored posts are skipped)") from exc
        finally:
            bar.close()
        self.stdout.write(f"{source.name}: {total.line()}")
        if total.dead_letters or total.conflicts:
            self.stderr.write(f"{total.dead_letters + total.conflicts} line(s) went to the dead-letter table (see the "
                              "ingestion page)")
            sys.exit(EXIT_SOME_BAD)

    def _source(self, options: dict[str, Any]) -> Source:
        source = Source.objects.filter(name=options["source"]).first()
        if source is not None:
            return source
        if not options["create_source"]:
            raise _unusable(f"unknown source {options['source']!r}; add --create-source --jurisdiction CODE")
        code = options.get("jurisdiction")
        place = Jurisdiction.objects.filter(code=code).first() if code else None
        if place is None:
            raise _unusable("--create-source needs --jurisdiction with an existing jurisdiction code")
        return Source.objects.create(name=options["source"], kind=SourceKind.FILE, jurisdiction=place)

    @classmethod
    def _records(cls, path: str, fields: dict[str, str]) -> Iterator[tuple[str, Any]]:
        """(position, record) pairs with the project's field names; bad lines pass through to be dead-lettered.
        A directory is read file by file in name order, each line's position naming its file."""
        if path != "-" and Path(path).is_dir():
            files = sorted(p for p in Path(path).iterdir() if p.is_file() and not p.name.startswith(("_", ".")))
            if not files:
                raise _unusable(f"no files in {path}")
            for f in files:
                yield from cls._file_records(str(f), fields, prefix=f"{f.name} ")
            return
        yield from cls._file_records(path, fields, prefix="")

    @staticmethod
    def _file_records(path: str, fields: dict[str, str], *, prefix: str) -> Iterator[tuple[str, Any]]:
        wanted = [f for f in fields.values() if f] + list(PRECOMPUTED)
        for item in read_records(path, fields=wanted, required=[fields["id"], fields["text"]],
                                 max_line_bytes=MAX_LINE_BYTES):
            if isinstance(item, BadLine):
                yield f"{prefix}line {item.line}", Rejected(item.reason, item.payload)
            elif isinstance(item, Record):
                values = item.values
                record = {
                    "id": values.get(fields["id"]), "text": values.get(fields["text"]),
                    "author": values.get(fields["author"]), "thread": values.get(fields["thread"]),
                    "created_at": values.get(fields["time"]), "location": values.get(fields["location"]),
                }
                # A backfill's results carry their scan and its versions (pipeline/backfill.py).
                record.update({k: values[k] for k in PRECOMPUTED if k in values})
                yield f"{prefix}line {item.line}", record
